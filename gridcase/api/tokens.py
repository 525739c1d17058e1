"""Every write of an API token: issue and revoke, each with its audit row.

The views and the admin decide who may; these write the token and its audit row in one
transaction. The key is returned once by `token_issue` and never stored nor audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from gridcase.core import audit, clock

from .models import ApiToken


def audited(token: ApiToken) -> dict[str, Any]:
    return {
        "kind": token.kind,
        "name": token.name,
        "scope": token.scope,
        "user": token.user_id,
        "town": token.town_id,
        "prefix": token.prefix,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


def _town_id(token: ApiToken) -> int | None:
    if token.town_id is not None:
        return token.town_id
    return token.user.town_id if token.user_id else None


@transaction.atomic
def token_issue(*, by, **fields) -> tuple[ApiToken, str]:
    """Create a token (fields as `ApiToken.issue`); returns it with its key."""
    token, key = ApiToken.issue(created_by=by, **fields)
    audit.record(
        town=_town_id(token),
        by=by,
        action="token.create",
        obj=token,
        before=None,
        after=audited(token),
    )
    return token, key


@transaction.atomic
def token_revoke(*, by, tokens: Iterable[ApiToken]) -> int:
    """Revoke the tokens not yet revoked; one audit row each. Returns how many."""
    now = clock.now()
    entries = []
    for token in tokens:
        if token.revoked_at is not None:
            continue
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            continue  # revoked meanwhile by someone else
        before = audited(token)
        token.revoked_at = now
        entries.append(
            audit.entry(
                town=_town_id(token),
                by=by,
                action="token.revoke",
                obj=token,
                before=before,
                after=audited(token),
                at=now,
            )
        )
    audit.record_many(entries)
    return len(entries)
