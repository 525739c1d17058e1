"""The API's reads over the core selectors: the towns in scope and the filtered case list.

Scope comes from `cases.selectors.visible_cases`; this module only narrows it and owns the
`select_related` of the list, so that a page costs the same few queries at any length.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from gridcase.cases.deadlines import TownDay, light_q
from gridcase.cases.models import OPEN_STATES, Case
from gridcase.cases.search import search_q
from gridcase.cases.selectors import visible_cases
from gridcase.core import clock
from gridcase.org.models import Town
from gridcase.org.selectors import roles_in_force


def towns_in_scope(user) -> list[Town]:
    """The towns a caller has a role in (a system token: its own town)."""
    seen: dict[int, Town] = {}
    for role in roles_in_force(user):
        seen.setdefault(role.town_id, role.town)
    return sorted(seen.values(), key=lambda town: town.pk)


def case_list(
    user, filters: Mapping[str, Any], towns: list[Town], days: Mapping[int, TownDay]
) -> QuerySet[Case]:
    qs = visible_cases(user).select_related("town", "village", "grid", "officer", "department")
    if filters.get("town"):
        qs = qs.filter(town__code=filters["town"])
    for name in ("village", "grid", "officer", "department"):
        if filters.get(name):
            qs = qs.filter(**{f"{name}_id": filters[name]})
    for name in ("category", "state", "level", "source"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("major") is not None:
        qs = qs.filter(major=filters["major"])
    first, last = filters.get("submitted_from"), filters.get("submitted_to")
    if first or last:
        span = Q(pk__in=[])
        for town in towns:
            in_town = Q(town_id=town.pk)
            if first:
                in_town &= Q(submitted_at__gte=clock.start_of_day(first, town.timezone))
            if last:
                in_town &= Q(submitted_at__lt=clock.end_of_day(last, town.timezone))
            span |= in_town
        qs = qs.filter(span)
    if filters.get("light"):
        qs = qs.filter(Q(state__in=OPEN_STATES) & light_q(filters["light"], days.values()))
    if filters.get("q"):
        # The fields as before (not the parties' names), through the n-gram index.
        qs = qs.filter(search_q(filters["q"], parties=False))
    return qs
