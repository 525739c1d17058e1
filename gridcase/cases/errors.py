"""The errors services raise; views, API and CLI turn them into messages the user reads."""

from __future__ import annotations


class CaseError(Exception):
    """Bad or incomplete input. `fields` maps a field name to its messages (Chinese)."""

    code = "invalid"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    @classmethod
    def from_pairs(cls, intro: str, pairs: list[tuple[str, str]]) -> CaseError:
        fields: dict[str, list[str]] = {}
        for field, message in pairs:
            fields.setdefault(field, []).append(message)
        return cls(intro + ";".join(m for _, m in pairs), fields)


class ActionNotAllowed(CaseError):
    """The action exists but this person may not take it on this case now (403)."""

    code = "not_allowed"


class Conflict(CaseError):
    """Someone else changed the case first (409)."""

    code = "conflict"
