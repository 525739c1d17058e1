"""The calendar from the library plus the override table, and the missing-year warning."""

from datetime import date

from gridcase.core.calendar import calendar_for, missing_arrangement_warning
from gridcase.core.models import CalendarOverride


def test_a_town_override_wins_over_the_library_and_the_national_row(t, other_town):
    CalendarOverride.objects.create(day=date(2026, 12, 7), kind="holiday", note="全国")
    CalendarOverride.objects.create(town=t.town, day=date(2026, 12, 7), kind="workday")
    CalendarOverride.objects.create(town=t.town, day=date(2026, 12, 8), kind="holiday", note="镇庆")
    mine = calendar_for(t.town.id, 2026)
    theirs = calendar_for(other_town.town.id, 2026)
    assert mine.is_working_day(date(2026, 12, 7))
    assert not mine.is_working_day(date(2026, 12, 8))
    assert not theirs.is_working_day(date(2026, 12, 7))
    assert theirs.is_working_day(date(2026, 12, 8))


def test_missing_next_year_is_warned_until_make_up_days_are_entered(t):
    warning = missing_arrangement_warning(date(2026, 11, 26), t.town.id)
    assert warning and "2027" in warning
    CalendarOverride.objects.create(day=date(2027, 2, 20), kind="workday", note="春节调休")
    assert missing_arrangement_warning(date(2026, 11, 26), t.town.id) is None


def test_the_current_year_is_known_from_the_library(t):
    assert missing_arrangement_warning(date(2025, 11, 26), t.town.id) is None
