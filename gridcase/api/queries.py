"""The API's reads over the core selectors: the filtered case list and each town's clock.

Scope comes from `cases.selectors.visible_cases`; this module only narrows it and owns the
`select_related` of the list, so that a page costs the same few queries at any length.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import DateField, F, Q, QuerySet, When

from gridcase.cases.models import OPEN_STATES, Case, State
from gridcase.cases.selectors import visible_cases
from gridcase.core import clock
from gridcase.core.calendar import calendar_for
from gridcase.core.workdays import WorkCalendar
from gridcase.org.models import Town
from gridcase.org.selectors import roles_in_force


def towns_in_scope(user) -> list[Town]:
    """The towns a caller has a role in (a system token: its own town)."""
    seen: dict[int, Town] = {}
    for role in roles_in_force(user):
        seen.setdefault(role.town_id, role.town)
    return sorted(seen.values(), key=lambda town: town.pk)


def clocks_for(towns: list[Town]) -> dict[int, tuple[date, WorkCalendar]]:
    """Each town's local today and working calendar: one query per town, not per case."""
    clocks = {}
    for town in towns:
        today = clock.today(town.timezone)
        clocks[town.pk] = (today, calendar_for(town.pk, today.year - 1, today.year + 1))
    return clocks


def _due():
    """The deadline that matters now, as SQL (cases.deadlines.due_of)."""
    return SqlCase(
        When(state=State.PENDING, then=F("accept_due")),
        When(state__in=[State.HANDLING, State.REPORTED], then=F("handle_due")),
        default=None,
        output_field=DateField(),
    )


def _light_q(light: str, clocks: Mapping[int, tuple[date, WorkCalendar]]) -> Q:
    q = Q(pk__in=[])
    for town_id, (today, calendar) in clocks.items():
        soon = calendar.next_working_day(today)
        if light == "red":
            due = Q(due__lt=today)
        elif light == "yellow":
            due = Q(due__gte=today, due__lte=soon)
        else:
            due = Q(due__gt=soon) | Q(due__isnull=True)
        q |= Q(town_id=town_id) & due
    return Q(state__in=OPEN_STATES) & q


def case_list(
    user, filters: Mapping[str, Any], towns: list[Town], clocks: Mapping
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
        qs = qs.annotate(due=_due()).filter(_light_q(filters["light"], clocks))
    if filters.get("q"):
        text = filters["q"].strip()
        qs = qs.filter(
            Q(number__icontains=text)
            | Q(title__icontains=text)
            | Q(location__icontains=text)
            | Q(persons__icontains=text)
            | Q(cause__icontains=text)
            | Q(course__icontains=text)
        )
    return qs
