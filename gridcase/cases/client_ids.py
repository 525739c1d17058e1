"""A case made on the field terminal carries the device's id for it (`client_id`, a UUID).

The terminal sends a case again whenever it did not hear the answer; the id makes that
harmless, forever (not only for the 24 hours an Idempotency-Key is kept):

- the id unseen → a new case;
- the id seen, sent by the same person with the same content → the same case again (replay);
- otherwise (other content, or another person's case) → a conflict the officer is shown.

"The same content" is the same SHA-256 over the create's validated input in one canonical
form: keys sorted, times in UTC, numbers as their exact decimal text, rows by their id, so
that `30.1` and `30.100000` or a time written in +08:00 and in Z are the same content.
Pure functions over plain values: tested without a database (tests/cases/test_client_ids.py).
"""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


class Resend(enum.Enum):
    REPLAY = "replay"
    CONFLICT = "conflict"


def canonical(value: Any) -> Any:
    """The value as plain JSON that is the same for the same content."""
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, Decimal | float):
        text = format(Decimal(str(value)).normalize(), "f")
        return {"decimal": "0" if text in ("-0", "0") else text}
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a naive time has no one meaning: give it a zone")
        return {"time": value.astimezone(UTC).isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return str(value)
    pk = getattr(value, "pk", None)
    if pk is not None:  # a row (village, grid): by its id
        return {"id": pk}
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest(data: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the create's input; the client_id itself is not part of it."""
    content = {k: v for k, v in data.items() if k != "client_id"}
    text = json.dumps(canonical(content), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def resend(*, stored_digest: str, stored_by: int, sent_digest: str, sent_by: int) -> Resend:
    """What a create whose client_id is already taken is: the same case again, or a clash."""
    if stored_by == sent_by and stored_digest == sent_digest:
        return Resend.REPLAY
    return Resend.CONFLICT
