"""Who must be told: people (each gets an inbox item) and units (each unit's channels push).

The rules, by what happened:

- escalation to the village station → the station's people of the case's village;
  to the town → the town center's people;
- dispatch → the department's people; a department's report → the town center;
- return → the people of the level below (the officer, the village station, the town center);
- urge, yellow warning → the handlers at the case's level; red warning → the handlers and the
  level that supervises them (grid → station, village → center, town → office,
  department → center);
- extension request → who decides (the center for a department, the office and the leader
  for the center); decision → the requester and the unit that asked;
- nonconforming review, voiding by someone else, follow-up due → the case's officer(s);
- closing by someone else (the station, the center) → the case's officer(s), who now owe the
  follow-up, and the village station's channels (officers have none of their own);
- appeal filed → the governance office; appeal decided → the officer who filed it;
- quarter finalised → the leaders and the office; approved or sent back → the office and
  every officer of the town (their pay is final, or open to appeal again);
- morning digest → the governance office and the town center.

Officers belong to no unit, so they are told in the inbox (which the mobile terminal shows).
Only people whose role is active on the day are told. A `Finder` answers for one town and day
and remembers its answers, so a scan of many cases asks the database once per group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from gridcase.cases.models import Case, Level
from gridcase.org.models import Role, Town, Unit, User
from gridcase.org.selectors import in_force_q


@dataclass(frozen=True)
class Recipients:
    """People (user ids: inbox) and units (unit ids: the unit's enabled push channels)."""

    users: frozenset[int] = field(default_factory=frozenset)
    units: frozenset[int] = field(default_factory=frozenset)

    def __or__(self, other: Recipients) -> Recipients:
        return Recipients(self.users | other.users, self.units | other.units)

    def without_user(self, user_id: int | None) -> Recipients:
        """The person who acted needs no message about their own action."""
        if user_id is None:
            return self
        return Recipients(self.users - {user_id}, self.units)

    def __bool__(self) -> bool:
        return bool(self.users or self.units)


NOBODY = Recipients()


def people(*, users: Iterable[User | int] = (), units: Iterable[Unit | int] = ()) -> Recipients:
    """Recipients from users and units (objects or ids): for callers outside the case flow."""
    return Recipients(
        frozenset(u if isinstance(u, int) else u.pk for u in users),
        frozenset(u if isinstance(u, int) else u.pk for u in units),
    )


def _active_on(on: date) -> Q:
    return in_force_q(on) & Q(user__is_active=True)


class Finder:
    """The recipients of one town on one day, each group looked up once."""

    def __init__(self, town: Town | int, on: date):
        self.town_id = town if isinstance(town, int) else town.pk
        self.on = on
        self._cache: dict[tuple, Recipients] = {}

    def _group(self, key: tuple, roles: Q, units: Q | None) -> Recipients:
        if key not in self._cache:
            user_ids = Role.objects.filter(
                roles, _active_on(self.on), town_id=self.town_id
            ).values_list("user_id", flat=True)
            unit_ids = (
                Unit.objects.filter(units, town_id=self.town_id).values_list("id", flat=True)
                if units is not None
                else []
            )
            self._cache[key] = Recipients(frozenset(user_ids), frozenset(unit_ids))
        return self._cache[key]

    # ---------------------------------------------------------------- groups

    def station(self, village_id: int) -> Recipients:
        return self._group(
            ("station", village_id),
            Q(kind=Role.Kind.VILLAGE_STATION, village_id=village_id),
            Q(kind=Unit.Kind.VILLAGE_STATION, village_id=village_id),
        )

    def center(self) -> Recipients:
        return self._group(
            ("center",), Q(kind=Role.Kind.TOWN_CENTER), Q(kind=Unit.Kind.TOWN_CENTER)
        )

    def department(self, unit_id: int | None) -> Recipients:
        if unit_id is None:
            return NOBODY
        return self._group(
            ("department", unit_id),
            Q(kind=Role.Kind.DEPARTMENT, unit_id=unit_id),
            Q(pk=unit_id, kind=Unit.Kind.DEPARTMENT),
        )

    def office(self) -> Recipients:
        return self._group(
            ("office",),
            Q(kind=Role.Kind.GOVERNANCE_OFFICE),
            Q(kind=Unit.Kind.GOVERNANCE_OFFICE),
        )

    def leaders(self) -> Recipients:
        return self._group(("leaders",), Q(kind=Role.Kind.LEADER), None)

    def town_officers(self) -> Recipients:
        """Every grid officer of the town (the quarter's assessment is about all of them)."""
        return self._group(("town_officers",), Q(kind=Role.Kind.OFFICER), None)

    def officers(self, case: Case) -> Recipients:
        """The officer who entered the case and the officers of its grid (or whole village)."""
        grid_q = Q(grid__isnull=True)
        if case.grid_id is not None:
            grid_q |= Q(grid_id=case.grid_id)
        found = self._group(
            ("officers", case.village_id, case.grid_id),
            Q(kind=Role.Kind.OFFICER, village_id=case.village_id) & grid_q,
            None,
        )
        key = ("officer", case.officer_id)
        if key not in self._cache:
            active = User.objects.filter(pk=case.officer_id, is_active=True).exists()
            self._cache[key] = Recipients(frozenset([case.officer_id] if active else []))
        return found | self._cache[key]

    # ---------------------------------------------------------------- by level

    def handlers(self, case: Case, level: str | None = None) -> Recipients:
        """The people who must act on the case at `level` (default: where it is now)."""
        level = level or case.level
        if level == Level.GRID:
            return self.officers(case)
        if level == Level.VILLAGE:
            return self.station(case.village_id)
        if level == Level.TOWN:
            return self.center()
        if level == Level.DEPARTMENT:
            return self.department(case.department_id)
        return NOBODY

    def supervisors(self, case: Case, level: str | None = None) -> Recipients:
        """The level that watches over `level`: told when a case runs late there."""
        level = level or case.level
        if level == Level.GRID:
            return self.station(case.village_id)
        if level in (Level.VILLAGE, Level.DEPARTMENT):
            return self.center()
        if level == Level.TOWN:
            return self.office()
        return NOBODY

    def unit_of_level(self, case: Case, level: str) -> Recipients:
        """Only the unit(s) of a level (their channels), without its people."""
        return Recipients(units=self.handlers(case, level).units)
