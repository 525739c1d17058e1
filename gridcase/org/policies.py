"""Which policy is in force for a town on a day.

Policy rows are immutable versions (a change is a new version with its own effective date),
so a parsed policy can be cached by row id for the life of the process.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from gridcase.core.policy import Policy, default_policy, parse_policy

from .models import PolicyVersion, Town


@lru_cache(maxsize=256)
def _parsed(version_id: int, source: str) -> Policy:
    return parse_policy(source)


def policy_for(town: Town, on: date) -> Policy:
    """The version in force on `on`: the latest one effective on or before it, else the default."""
    version = (
        PolicyVersion.objects.filter(town=town, effective_from__lte=on)
        .order_by("-effective_from")
        .only("id", "source")
        .first()
    )
    if version is None:
        return default_policy()
    return _parsed(version.id, version.source)
