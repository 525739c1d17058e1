"""The working calendar of a town: the `holidays` package plus the override table.

Loaded once for a range of years (one query), then used by the pure arithmetic in
`workdays.py`.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import CalendarOverride
from .workdays import WorkCalendar


def _scope(town_id: int | None) -> Q:
    national = Q(town__isnull=True)
    return national | Q(town_id=town_id) if town_id else national


@lru_cache(maxsize=32)
def _library_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    # The library's data is fixed for the life of the process: build each year once.
    cn = holidays.China(years=year)
    closed = frozenset(day for day in cn if day.year == year)
    opened = frozenset(d for d in getattr(cn, "weekend_workdays", ()) if d.year == year)
    return closed, opened


def _library_calendar(years: range) -> tuple[set[date], set[date]]:
    closed: set[date] = set()
    opened: set[date] = set()
    for year in years:
        year_closed, year_opened = _library_year(year)
        closed |= year_closed
        opened |= year_opened
    return closed, opened


def calendar_for(
    town_id: int | None, first_year: int, last_year: int | None = None
) -> WorkCalendar:
    """The calendar for the given years (the last one plus one, so deadlines may run over)."""
    last_year = (last_year or first_year) + 1
    years = range(first_year, last_year + 1)
    closed, opened = _library_calendar(years)
    rows = CalendarOverride.objects.filter(
        _scope(town_id), day__year__gte=first_year, day__year__lte=last_year
    )
    # National rows first, then the town's, so a town's own row wins.
    for row in sorted(
        rows.values("day", "kind", "town_id"), key=lambda r: r["town_id"] is not None
    ):
        if row["kind"] == CalendarOverride.Kind.HOLIDAY:
            closed.add(row["day"])
            opened.discard(row["day"])
        else:
            opened.add(row["day"])
            closed.discard(row["day"])
    return WorkCalendar(holidays=frozenset(closed), workdays=frozenset(opened))


def year_arrangement_known(year: int, town_id: int | None = None) -> bool:
    """Whether the year's official arrangement (with its make-up days) is known.

    Every year since 2001 has had at least one make-up working day; a year without one, in the
    library and in the override table, is a year whose arrangement has not been entered yet.
    """
    _, opened = _library_calendar(range(year, year + 1))
    if opened:
        return True
    rows = CalendarOverride.objects.filter(
        _scope(town_id), day__year=year, kind=CalendarOverride.Kind.WORKDAY
    )
    return rows.exists()


def missing_arrangement_warning(today: date, town_id: int | None = None) -> str | None:
    """A warning for administrators when next year's arrangement is missing."""
    nxt = today.year + 1
    if year_arrangement_known(nxt, town_id):
        return None
    return _(
        "%(year)s 年的节假日安排(含调休上班日)尚未录入:请在“日历调整”中录入,"
        "否则 %(year)s 年的期限将按普通周末计算。"
    ) % {"year": nxt}
