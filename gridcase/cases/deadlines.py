"""A town's deadlines: its calendar, time zone and policy put together for the services.

The arithmetic itself is pure (`core.workdays`); this module only loads what it needs once
per call and turns instants into the town's local dates (domain.md, Deadlines).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

from gridcase.core import clock
from gridcase.core.calendar import calendar_for
from gridcase.core.policy import Policy
from gridcase.core.workdays import WorkCalendar, light_for
from gridcase.org.models import Town
from gridcase.org.policies import policy_for

# domain.md, Follow-up visits: "default within 10 working days" after a dispute is closed.
FOLLOW_UP_WORKING_DAYS = 10


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
        return self.calendar.add_working_days(self.local(closed), FOLLOW_UP_WORKING_DAYS)

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


def due_of(state: str, accept_due: date | None, handle_due: date | None) -> date | None:
    """The deadline that matters now: acceptance while pending, handling after."""
    if state == "pending":
        return accept_due
    if state in ("handling", "reported"):
        return handle_due
    return None
