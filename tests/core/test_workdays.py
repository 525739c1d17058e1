"""Working-day arithmetic over the 2026 arrangement (国务院办公厅 2026 年部分节假日安排)."""

from datetime import date, timedelta

import pytest

from gridcase.core.calendar import _library_calendar
from gridcase.core.workdays import WorkCalendar, light_for


@pytest.fixture(scope="module")
def cal2026() -> WorkCalendar:
    closed, opened = _library_calendar(range(2025, 2028))
    return WorkCalendar(holidays=frozenset(closed), workdays=frozenset(opened))


# Every weekday closed in 2026, and every weekend day opened (make-up days, 调休上班).
CLOSED_WEEKDAYS_2026 = [
    date(2026, 1, 1), date(2026, 1, 2),  # New Year
    date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
    date(2026, 2, 20), date(2026, 2, 23),  # Spring Festival
    date(2026, 4, 6),  # Qingming
    date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5),  # Labour Day
    date(2026, 6, 19),  # Dragon Boat
    date(2026, 9, 25),  # Mid-Autumn
    date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5), date(2026, 10, 6),
    date(2026, 10, 7),  # National Day
]  # fmt: skip
MAKE_UP_DAYS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


@pytest.mark.parametrize("day", CLOSED_WEEKDAYS_2026, ids=str)
def test_every_2026_holiday_weekday_is_closed(cal2026, day):
    assert day.weekday() < 5
    assert not cal2026.is_working_day(day)


@pytest.mark.parametrize("day", MAKE_UP_DAYS_2026, ids=str)
def test_every_2026_make_up_weekend_day_is_a_working_day(cal2026, day):
    assert day.weekday() >= 5
    assert cal2026.is_working_day(day)


def test_2026_has_exactly_these_exceptions(cal2026):
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    closed_weekdays = [d for d in days if d.weekday() < 5 and not cal2026.is_working_day(d)]
    open_weekends = [d for d in days if d.weekday() >= 5 and cal2026.is_working_day(d)]
    assert closed_weekdays == CLOSED_WEEKDAYS_2026
    assert open_weekends == MAKE_UP_DAYS_2026


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # domain.md: submitted Thu 30 Apr → accept by the end of Thu 7 May (1–5 May closed).
        (date(2026, 4, 30), 2, date(2026, 5, 7)),
        # domain.md: accepted Wed 6 May → by the end of Tue 12 May (Sat 9 May is a working day).
        (date(2026, 5, 6), 5, date(2026, 5, 12)),
        # assessment.md example 7: submitted Thu 18 Jun → accept by Tue 23 Jun (19 Jun closed).
        (date(2026, 6, 18), 2, date(2026, 6, 23)),
        (date(2026, 6, 23), 5, date(2026, 6, 30)),
        # National Day: Wed 30 Sep + 2 → Fri 9 Oct, then Sat 10 Oct is a make-up day.
        (date(2026, 9, 30), 2, date(2026, 10, 9)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        # Sun 20 Sep is a make-up day: counted from Fri 18 Sep.
        (date(2026, 9, 18), 1, date(2026, 9, 20)),
        (date(2026, 9, 24), 1, date(2026, 9, 28)),  # Fri 25 Sep is Mid-Autumn
        # Spring Festival: Fri 13 Feb + 1 → Sat 14 Feb (make-up), + 2 → Tue 24 Feb.
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # across the year end (2027 New Year)
        # An event on a weekend: the period starts on the next day, not counted itself.
        (date(2026, 11, 28), 1, date(2026, 11, 30)),
        (date(2026, 11, 27), 5, date(2026, 12, 4)),
    ],
)
def test_deadlines_count_civil_code_working_days(cal2026, start, n, due):
    assert cal2026.add_working_days(start, n) == due


def test_working_days_between_counts_the_days_run(cal2026):
    assert cal2026.working_days_between(date(2026, 4, 30), date(2026, 5, 7)) == 2
    assert cal2026.working_days_between(date(2026, 5, 7), date(2026, 5, 7)) == 0


def test_zero_working_days_is_refused(cal2026):
    with pytest.raises(ValueError):
        cal2026.add_working_days(date(2026, 1, 5), 0)


@pytest.mark.parametrize(
    ("due", "today", "light"),
    [
        (date(2026, 11, 30), date(2026, 11, 25), "green"),
        (date(2026, 11, 26), date(2026, 11, 26), "yellow"),  # due today
        (date(2026, 11, 27), date(2026, 11, 26), "yellow"),  # due the next working day
        (date(2026, 11, 30), date(2026, 11, 27), "yellow"),  # Fri: the next working day is Mon
        (date(2026, 11, 25), date(2026, 11, 26), "red"),
        (date(2026, 10, 8), date(2026, 9, 30), "yellow"),  # the holiday in between is skipped
        (None, date(2026, 11, 26), "green"),
    ],
)
def test_the_light_of_a_deadline(cal2026, due, today, light):
    assert light_for(due, today, cal2026) == light
