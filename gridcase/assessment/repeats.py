"""Which cases the governance office confirmed as duplicates, for the pay rules' facts."""

from __future__ import annotations

from gridcase.core import compiled

from .models import SuspectPair


def confirmed_repeats(town_id: int, case_id: int | None = None) -> dict[int, str]:
    """case id -> the number of the earlier case it repeats (confirmed pairs only). All of the
    town's: confirmed duplicates are few, whatever the number of cases in the period."""
    if case_id is None:  # a town's assessment: the same query for every town
        rows = compiled.read(confirmed_query(town_id))
    else:
        rows = list(_confirmed(town_id).filter(case_id=case_id))
    found: dict[int, str] = {}
    for later, number in rows:
        found.setdefault(later, number)
    return found


def confirmed_query(town_id: int) -> compiled.Query:
    return compiled.query(_confirmed, town_id)


def _confirmed(town_id: int):
    return (
        SuspectPair.objects.filter(town_id=town_id, status=SuspectPair.Status.CONFIRMED)
        .order_by("decided_at", "id")
        .values_list("case_id", "similar_to__number")
    )
