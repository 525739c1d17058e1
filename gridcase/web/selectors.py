"""The queues of the workbench: what waits at each person's level, filtered, counted, paged.

Every query starts from `cases.selectors.visible_cases(user)`, so the scope rules live in one
place. This module adds "my level" (the cases waiting at a level this person handles) and the
follow-up area; the tabs (tabs.py), the filters (filters.py) and keyset pagination
(keyset.py) are modules of their own.

Performance (a town may hold a million cases):
- pages are keyset ("seek") pages on (sort key, id), never OFFSET, so page 1000 costs what
  page 1 costs;
- the list never counts its rows; the tab counts are one aggregate query with a conditional
  Count per tab, restricted to open cases and closed cases awaiting a follow-up (the states
  and levels are indexed: case(town, state, level));
- a case's light needs the town's working calendar: it is loaded once per request and town
  (`user_days`, from cases.deadlines), never per row.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from gridcase.cases.deadlines import TownDay, town_days
from gridcase.cases.models import Case, Level, TimelineEntry
from gridcase.cases.selectors import visible_cases
from gridcase.cases.workflow import OPEN
from gridcase.org.models import Grid, Role, User, Village
from gridcase.org.selectors import roles_in_force

# ---------------------------------------------------------------- my level


def _town(user: User, town_id: int) -> Q:
    """The town of a role, for the conditions below, which always narrow `visible_cases`
    (already of the person's towns): with one town only, nothing — a second `town_id = ?`
    beside the scope's made SQLite (no statistics) take any index starting with the town,
    (town, cell, submitted_at), over (town, state, level), and read the whole town."""
    towns = {role.town_id for role in roles_in_force(user)}
    # (Not an empty Q: `Q(pk__in=[]) | Q()` is the empty set in Django, not everything.)
    return Q(pk__isnull=False) if towns == {town_id} else Q(town_id=town_id)


def my_level_q(user: User) -> Q:
    """The cases waiting at a level this person handles (the union over their roles). Narrows
    `visible_cases(user)`, never used alone (see `_town`)."""
    q = Q(pk__in=[])
    for role in roles_in_force(user):
        town = _town(user, role.town_id)
        if role.kind == Role.Kind.OFFICER:
            area = Q(village_id=role.village_id)
            if role.grid_id is not None:
                area &= Q(grid_id=role.grid_id) | Q(grid__isnull=True)
            q |= town & Q(level="grid") & (area | Q(officer_id=user.pk))
        elif role.kind == Role.Kind.VILLAGE_STATION:
            q |= town & Q(level="village", village_id=role.village_id)
        elif role.kind == Role.Kind.TOWN_CENTER:
            q |= town & Q(level="town")
        elif role.kind == Role.Kind.DEPARTMENT:
            q |= town & Q(level="department", department_id=role.unit_id)
        elif role.kind in (
            Role.Kind.GOVERNANCE_OFFICE,
            Role.Kind.LEADER,
            Role.Kind.ADMINISTRATOR,
        ):
            # Every level, named: with a category filter SQLite (no statistics) then counts
            # the tabs through case_town_queue_cat (town, state, level, category) instead of
            # (town, category, …), every case of the category in the town (issue 15).
            q |= town & Q(level__in=ALL_LEVELS)
    return q


ALL_LEVELS = sorted(Level.values)


def follow_up_area_q(user: User) -> Q:
    """Whose follow-ups a person sees: the officer their grid's, the station its village's,
    the town-wide roles the town's. Departments do not visit."""
    q = Q(pk__in=[])
    for role in roles_in_force(user):
        town = _town(user, role.town_id)  # narrows visible_cases (see _town)
        if role.kind == Role.Kind.OFFICER:
            area = Q(village_id=role.village_id)
            if role.grid_id is not None:
                area &= Q(grid_id=role.grid_id) | Q(grid__isnull=True)
            q |= town & (area | Q(officer_id=user.pk))
        elif role.kind == Role.Kind.VILLAGE_STATION:
            q |= town & Q(village_id=role.village_id)
        elif role.kind in (
            Role.Kind.TOWN_CENTER,
            Role.Kind.GOVERNANCE_OFFICE,
            Role.Kind.LEADER,
            Role.Kind.ADMINISTRATOR,
        ):
            q |= town
    return q


# A return sets the case's level_accepted_at to the moment of the return (services.case_return),
# so "returned to me and not yet acted on" is: handling, and a return entry into this level at
# exactly that moment.
RETURNED = Exists(
    TimelineEntry.objects.filter(
        case_id=OuterRef("pk"),
        action="return",
        to_level=OuterRef("level"),
        at=OuterRef("level_accepted_at"),
    )
)


# ---------------------------------------------------------------- the queue


def queue_cases(user: User) -> QuerySet[Case]:
    """The scoped cases with what a list row shows, in one query. The town is not joined: it
    is one of the person's towns (`attach_towns`), and the join kept SQLite from walking the
    index case(town, submitted_at)."""
    return visible_cases(user).select_related("village", "grid", "officer", "department")


def attach_towns(user: User, cases) -> list[Case]:
    """Give each listed case its town object from the person's roles (no query)."""
    towns = {role.town_id: role.town for role in roles_in_force(user)}
    cases = list(cases)
    for case in cases:
        if case.town_id in towns:
            case.town = towns[case.town_id]
    return cases


def user_days(user: User) -> list[TownDay]:
    """The day of each town the person has a role in (cases.deadlines.town_days)."""
    towns = {role.town_id: role.town for role in roles_in_force(user)}
    return list(town_days(towns.values()).values())


# ---------------------------------------------------------------- the town's map


def map_cases(user: User) -> QuerySet[Case]:
    """The open cases with a point that the town's map draws: in the person's scope and area —
    the area of their follow-ups (the officer's grid and the cases they entered, the station's
    village, the town-wide roles' town; a department has none: it works from its list)."""
    return visible_cases(user).filter(
        follow_up_area_q(user), state__in=OPEN, latitude__isnull=False, longitude__isnull=False
    )


def map_areas(user: User) -> tuple[list[tuple], list[tuple]]:
    """The boundaries the map draws under the cases, in the same area as `map_cases`: the
    town-wide roles' villages and grids, the station's village and its grids, the officer's
    village and grid. (name, GeoJSON geometry) per village, (village name, name, geometry) per
    grid; two queries."""
    villages, grids = Q(pk__in=[]), Q(pk__in=[])
    for role in roles_in_force(user):
        if role.kind in (
            Role.Kind.TOWN_CENTER,
            Role.Kind.GOVERNANCE_OFFICE,
            Role.Kind.LEADER,
            Role.Kind.ADMINISTRATOR,
        ):
            villages |= Q(town_id=role.town_id)
            grids |= Q(village__town_id=role.town_id)
        elif role.kind == Role.Kind.VILLAGE_STATION:
            villages |= Q(pk=role.village_id)
            grids |= Q(village_id=role.village_id)
        elif role.kind == Role.Kind.OFFICER:
            villages |= Q(pk=role.village_id)
            grids |= Q(pk=role.grid_id) if role.grid_id else Q(village_id=role.village_id)
    return (
        list(
            Village.objects.filter(villages, boundary__isnull=False)
            .order_by("pk")
            .values_list("name", "boundary")
        ),
        list(
            Grid.objects.filter(grids, boundary__isnull=False)
            .order_by("pk")
            .values_list("village__name", "name", "boundary")
        ),
    )
