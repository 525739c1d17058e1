"""A town's deadlines and lights: the one home of these rules (domain.md, Deadlines).

- `TownClock`: a town's time zone, calendar and policy; the deadlines each action sets,
  among them those set at submit (`TownClock.at_submit`).
- `due_of` / `due_now_expr`: the deadline that matters now, in Python and as SQL.
- `TownDay`: a town's local today and calendar, for lights; `town_days` loads several towns
  with one calendar query per town (never per case).
- `TownDay.light` / `light_q`: a case's light in Python and as a filter; a follow-up's
  light in Python (`TownDay.follow_up_light`; no list filters by it).

The arithmetic itself is pure (`core.workdays`); this module only loads what it needs once
per call and turns instants into the town's local dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db.models import Case as SqlCase
from django.db.models import DateField, F, Q, When
from django.db.models.lookups import LessThanOrEqual, Range

from gridcase.cases.workflow import ACCEPTING, IN_PROGRESS, OPEN
from gridcase.core import clock
from gridcase.core.calendar import calendar_for
from gridcase.core.policy import Policy
from gridcase.core.workdays import WorkCalendar, light_for
from gridcase.org.models import Town
from gridcase.org.policies import policy_for

# The level every case is submitted at, whatever its source.
SUBMIT_LEVEL = "grid"


# ---------------------------------------------------------------- the clock


@dataclass(frozen=True)
class TownClock:
    tz: str
    calendar: WorkCalendar
    policy: Policy

    def local(self, moment: datetime) -> date:
        return clock.local_date(moment, self.tz)

    def accept_due(self, level: str, received: datetime) -> date:
        accept_days, _ = self.policy.deadlines_for(level)
        return self.calendar.add_working_days(self.local(received), accept_days)

    def handle_due(self, level: str, accepted: datetime, accept_due: date | None) -> date:
        """Late acceptance buys no time: the period runs from the earlier of the two days."""
        start = self.local(accepted)
        if accept_due is not None and accept_due < start:
            start = accept_due
        _, handle_days = self.policy.deadlines_for(level)
        return self.calendar.add_working_days(start, handle_days)

    def fresh_handle_due(self, level: str, since: datetime) -> date:
        """A new full handling period from `since` (after a return, or a department's report)."""
        _, handle_days = self.policy.deadlines_for(level)
        return self.calendar.add_working_days(self.local(since), handle_days)

    def extend(self, due: date, working_days: int) -> date:
        return self.calendar.add_working_days(due, working_days)

    def follow_up_due(self, closed: datetime) -> date:
        # domain.md, Follow-up visits; the number is the policy's (default 10).
        return self.calendar.add_working_days(
            self.local(closed), self.policy.follow_up_working_days
        )

    def at_submit(self, submitted: datetime) -> dict[str, date]:
        """The deadlines a submit sets, whatever the source (workbench, API, Open311, ledger):
        the grid's acceptance deadline, and — until the case is accepted — a local handling
        period that runs from that deadline."""
        accept_due = self.accept_due(SUBMIT_LEVEL, submitted)
        _, handle_days = self.policy.deadlines_for(SUBMIT_LEVEL)
        return {
            "accept_due": accept_due,
            "first_accept_due": accept_due,
            "local_due": self.extend(accept_due, handle_days),
        }

    def light(self, due: date | None, today: date) -> str:
        return light_for(due, today, self.calendar)


_memo: ContextVar[dict | None] = ContextVar("town_clock_memo", default=None)


@contextmanager
def remembered_clocks():
    """Within this block, a town's clock is loaded once per day instead of once per action.

    For bulk work (the demo, imports) where nobody edits the calendar or the policy meanwhile;
    ordinary requests load it afresh so an administrator's change applies at once.
    """
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def town_clock(town: Town, at: datetime) -> TownClock:
    """The clock for actions around `at`: the calendar of its year and the next."""
    day = clock.local_date(at, town.timezone)
    memo = _memo.get()
    if memo is not None and (town.id, day) in memo:
        return memo[(town.id, day)]
    result = TownClock(
        tz=town.timezone,
        calendar=calendar_for(town.id, day.year - 1, day.year + 1),
        policy=policy_for(town, day),
    )
    if memo is not None:
        memo[(town.id, day)] = result
    return result


# ---------------------------------------------------------------- the deadline that matters now


def due_of(state: str, accept_due: date | None, handle_due: date | None) -> date | None:
    """The deadline that matters now: acceptance while pending, handling after."""
    if state == ACCEPTING:
        return accept_due
    if state in IN_PROGRESS:
        return handle_due
    return None


def due_kind(state: str) -> str:
    """Which deadline `due_of` gives: "accept", "handle", or "" (none)."""
    if state == ACCEPTING:
        return "accept"
    if state in IN_PROGRESS:
        return "handle"
    return ""


def due_now_expr() -> SqlCase:
    """`due_of` as SQL, for annotations and orderings; NULL for drafts and finished cases."""
    return SqlCase(
        When(state=ACCEPTING, then=F("accept_due")),
        When(state__in=IN_PROGRESS, then=F("handle_due")),
        default=None,
        output_field=DateField(),
    )


def due_between(low: date | None, high: date | None) -> Q:
    """Open cases whose current deadline is in [low, high] (either end open), without an
    annotation, so that the database may use its indexes on the deadline columns."""
    accepting, handling = Q(state=ACCEPTING), Q(state__in=IN_PROGRESS)
    if low is not None:
        accepting &= Q(accept_due__gte=low)
        handling &= Q(handle_due__gte=low)
    if high is not None:
        accepting &= Q(accept_due__lte=high)
        handling &= Q(handle_due__lte=high)
    return accepting | handling


# ---------------------------------------------------------------- a town's day, and the light


@dataclass
class TownDay:
    """One town on one local day: its today and working calendar, loaded once."""

    town: Town
    today: date
    calendar: WorkCalendar
    now: datetime | None = None  # the instant it was taken at, when a caller needs the hour

    @property
    def town_id(self) -> int:
        return self.town.id

    @property
    def tz(self) -> str:
        return self.town.timezone

    @cached_property
    def next_working_day(self) -> date:
        return self.calendar.next_working_day(self.today)

    def light(self, due: date | None) -> str:
        """green / yellow / red for a deadline (core.workdays.light_for)."""
        return light_for(due, self.today, self.calendar)

    def case_light(self, case) -> str | None:
        """The light of an open case (anything with state, accept_due and handle_due);
        None for drafts and finished cases."""
        if case.state not in OPEN:
            return None
        return self.light(due_of(case.state, case.accept_due, case.handle_due))

    def working_days_late(self, due: date | None) -> int:
        """How many working days past its deadline a case is today (0 when it is not late)."""
        if due is None or due >= self.today:
            return 0
        return self.calendar.working_days_between(due, self.today)

    def follow_up_light(self, follow_up_due: date | None) -> str | None:
        """The light of a follow-up visit; None when none is due."""
        if follow_up_due is None:
            return None
        return self.light(follow_up_due)


def town_day(town: Town, at: datetime | None = None) -> TownDay:
    """The town's day at `at` (now by default): one calendar query."""
    moment = at or clock.now()
    today = clock.local_date(moment, town.timezone)
    calendar = calendar_for(town.id, today.year - 1, today.year + 1)
    return TownDay(town=town, today=today, calendar=calendar, now=moment)


def town_days(towns: Iterable[Town], at: datetime | None = None) -> dict[int, TownDay]:
    """Each town's day, by town id: one calendar query per town, not per case."""
    days: dict[int, TownDay] = {}
    for town in towns:
        if town.id not in days:
            days[town.id] = town_day(town, at)
    return days


def light_q(light: str, days: Iterable[TownDay], *, scoped: bool = False) -> Q:
    """The open cases of a light, per town (each town has its own today and calendar).

    Green is what is open and neither red nor yellow (a case without a deadline included).

    `scoped`: the cases filtered are already of these towns only (a person's visible cases,
    and `days` their towns). With one town, its `town_id = ?` is then left out: a second one
    beside the scope's made SQLite (no statistics) walk any index that starts with the town,
    (town, cell, submitted_at), over (town, state, level) — 2.1 s for the town center's
    overdue tab at a million cases (issue 15, as web.selectors._town for "my level").

    Red and yellow are one comparison of the deadline that matters now (due_now_expr), not
    an OR of two states each with its column: PostgreSQL then reads a town's open cases from
    the queue index alone (their deadlines are included in it) and keeps the red ones, where
    for the OR it fetched every open case of the town from the table (a bitmap scan: 19,000
    pages, 0.4 s for the governance office's overdue tab at a million cases, issue 15).
    The deadline is NULL for what is not open: never red or yellow.
    """
    days = list(days)
    q = Q(pk__in=[])
    for day in days:
        if light == "red":
            cond = Q(LessThanOrEqual(due_now_expr(), day.today - timedelta(days=1)))
        elif light == "yellow":
            cond = Q(Range(due_now_expr(), (day.today, day.next_working_day)))
        else:
            red = due_between(None, day.today - timedelta(days=1))
            yellow = due_between(day.today, day.next_working_day)
            cond = Q(state__in=OPEN) & ~red & ~yellow
        q |= cond if scoped and len(days) == 1 else Q(town_id=day.town_id) & cond
    return q
