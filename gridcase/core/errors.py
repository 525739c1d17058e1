"""The error every service raises when it refuses; views, API and CLI turn it into a message.

It lives at the bottom so that every layer's services can raise it (org's as well as cases'),
and every front catches one class. `cases.errors` derives its own from it.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Bad or incomplete input. `fields` maps a field name to its messages (Chinese)."""

    code = "invalid"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    @classmethod
    def from_pairs(cls, intro: str, pairs: list[tuple[str, str]]) -> ServiceError:
        fields: dict[str, list[str]] = {}
        for field, message in pairs:
            fields.setdefault(field, []).append(message)
        return cls(intro + ";".join(m for _, m in pairs), fields)
