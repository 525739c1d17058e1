"""Working-day arithmetic: pure functions over a calendar of plain dates.

China's working days are not Monday to Friday: statutory holidays close weekdays and make-up
days (调休) open weekends. A `WorkCalendar` holds the exceptions for a range; the arithmetic
never touches a database, so it is loaded once per range and tested by tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkCalendar:
    """Exceptions to the Monday–Friday week: closed weekdays and open weekend days."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The Nth working day after `start` (Civil Code art. 201: the start day is not counted).

        The deadline is the end (24:00) of the returned day. n must be at least 1.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        day = start
        counted = 0
        # Bounded: no real calendar closes more than a few weeks in a row.
        for _ in range(n * 7 + 60):
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                if counted == n:
                    return day
        raise ValueError(f"no {n} working days found after {start}")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many days of a period have run by the end of `end`."""
        if end <= start:
            return 0
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )

    def next_working_day(self, day: date) -> date:
        return self.add_working_days(day, 1)


def light_for(due: date | None, today: date, calendar: WorkCalendar) -> str:
    """Green, yellow (due today or on the next working day) or red (overdue)."""
    if due is None:
        return "green"
    if today > due:
        return "red"
    if due == today or due <= calendar.next_working_day(today):
        return "yellow"
    return "green"
