"""Which policy is in force for a town on a day.

Policy rows are immutable versions (a change is a new version with its own effective date),
so a parsed policy is remembered for the life of the process — by its text
(``policy.parsed_policy``), not its row: a province's towns mostly adopt the county's file.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date

from gridcase.core import compiled
from gridcase.core.policy import Policy, default_policy, parsed_policy

from .models import PolicyVersion, Town


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
    return parsed_policy(version.source)


@dataclass(frozen=True)
class PolicyHistory:
    """A town's versions loaded at once, for work over many days (a quarter, a ledger)."""

    starts: tuple[date, ...]  # effective_from, ascending
    versions: tuple[tuple[int, str], ...]  # (id, source), in the same order

    def index(self, day: date) -> int:
        """Which version is in force on `day`: 0 for the default policy (none effective yet),
        else its place (1-based) in `versions`."""
        return bisect.bisect_right(self.starts, day)

    def on(self, day: date) -> Policy:
        """`policy_for` without a query: the latest version effective on or before `day`."""
        i = self.index(day)
        return parsed_policy(self.versions[i - 1][1]) if i else default_policy()


def policy_history(town: Town, until: date | None = None) -> PolicyHistory:
    """Every version of the town (effective by `until`, when given), in one query."""
    found = compiled.read(history_query(town, until))
    return PolicyHistory(
        starts=tuple(start for start, _, _ in found),
        versions=tuple((version_id, source) for _, version_id, source in found),
    )


def history_query(town: Town, until: date | None = None) -> compiled.Query:
    return compiled.query(_versions, town.id, until)


def _versions(town_id: int, until: date | None):
    return (
        _effective(until)
        .filter(town_id=town_id)
        .order_by("effective_from")
        .values_list("effective_from", "id", "source")
    )


def _effective(until: date | None):
    rows = PolicyVersion.objects.all()
    return rows if until is None else rows.filter(effective_from__lte=until)


def histories_rows(until: date) -> dict[int, list[tuple[date, int, str]]]:
    """Every town's rows of ``history_query(town, until)``, in one query (for a run of many
    towns, which would ask one for each: ``compiled.answered``); a town without a version
    has none. A text shared by several towns' versions (a county's file) is kept once."""
    found: dict[int, list[tuple[date, int, str]]] = {}
    texts: dict[str, str] = {}
    rows = (
        _effective(until)
        .order_by("town_id", "effective_from")
        .values_list("town_id", "effective_from", "id", "source")
    )
    for town_id, start, version_id, source in rows:
        found.setdefault(town_id, []).append((start, version_id, texts.setdefault(source, source)))
    return found
