"""The errors the case services raise; views, API and CLI turn them into messages the user
reads. Every one is a `core.errors.ServiceError`, which is what the fronts catch."""

from __future__ import annotations

from gridcase.core.errors import ServiceError


class CaseError(ServiceError):
    """Bad or incomplete input about a case. `fields` maps a field name to its messages."""


class ActionNotAllowed(CaseError):
    """The action exists but this person may not take it on this case now (403)."""

    code = "not_allowed"


class Conflict(CaseError):
    """Someone else changed the case first (409)."""

    code = "conflict"
