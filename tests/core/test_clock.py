"""The town clock's pure arithmetic: local days, months and quarters, without a database.

A town counts in its own time zone (Asia/Shanghai by default, no daylight saving time); the
same functions must stay right in a zone that has it, where a day lasts 23 or 25 hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from gridcase.core import clock

# Nothing here touches the database: no `db` fixture, no django_db mark.
pytestmark: list = []

SHANGHAI = "Asia/Shanghai"
BERLIN = "Europe/Berlin"  # 2026: clocks go forward on 29 March, back on 25 October


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours_between(start: datetime, end: datetime) -> float:
    # Through UTC: subtracting two datetimes of the same zone object ignores the offset change.
    return (end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(hours=1)


# --- months ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "first"),
    [("2026-01", date(2026, 1, 1)), ("2026-12", date(2026, 12, 1)), ("1999-07", date(1999, 7, 1))],
)
def test_a_month_is_read_as_its_first_day(month, first):
    assert clock.parse_month(month) == first


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "2026",
        "2026-1",
        "26-01",
        "2026/01",
        "2026-13",
        "2026-00",
        "2026-01-01",
        "abcd-ef",
        "2026-1a",
    ],
)
def test_a_badly_written_month_is_refused_in_chinese_naming_what_was_typed(bad):
    with pytest.raises(ValueError) as err:
        clock.parse_month(bad)
    assert str(err.value) == f"月份格式应为 YYYY-MM: {bad!r}"


def test_a_month_runs_from_local_midnight_of_its_first_day_to_that_of_the_next_month():
    start, end = clock.month_bounds("2026-10", SHANGHAI)
    assert start == utc(2026, 9, 30, 16)
    assert end == utc(2026, 10, 31, 16)
    assert hours_between(start, end) == 31 * 24


def test_december_ends_at_the_first_midnight_of_the_next_year():
    start, end = clock.month_bounds("2026-12", SHANGHAI)
    assert start.astimezone(clock.zone(SHANGHAI)) == datetime(
        2026, 12, 1, tzinfo=clock.zone(SHANGHAI)
    )
    assert end == utc(2026, 12, 31, 16)
    assert end.astimezone(clock.zone(SHANGHAI)).date() == date(2027, 1, 1)


def test_february_of_a_leap_year_has_twenty_nine_days():
    start, end = clock.month_bounds("2028-02", SHANGHAI)
    assert hours_between(start, end) == 29 * 24


def test_a_month_with_a_daylight_saving_change_is_an_hour_short_or_long():
    march = clock.month_bounds("2026-03", BERLIN)
    october = clock.month_bounds("2026-10", BERLIN)
    assert march[0] == utc(2026, 2, 28, 23)  # CET, +01:00
    assert march[1] == utc(2026, 3, 31, 22)  # CEST, +02:00
    assert hours_between(*march) == 31 * 24 - 1
    assert hours_between(*october) == 31 * 24 + 1


def test_a_case_submitted_late_on_the_last_evening_of_october_is_an_october_case():
    # domain.md: "a case submitted at 23:30 on 31 October local time is an October case".
    submitted = utc(2026, 10, 31, 15, 30)  # 23:30 in Shanghai
    start, end = clock.month_bounds("2026-10", SHANGHAI)
    assert start <= submitted < end
    assert clock.month_of(clock.local_date(submitted, SHANGHAI)) == "2026-10"
    # Half an hour later it is midnight there: 16:00 UTC is the first instant of November.
    assert clock.month_of(clock.local_date(utc(2026, 10, 31, 16), SHANGHAI)) == "2026-11"
    assert not start <= utc(2026, 10, 31, 16) < end


# --- quarters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quarter", "months"),
    [
        ("2026-Q1", ["2026-01", "2026-02", "2026-03"]),
        ("2026-Q2", ["2026-04", "2026-05", "2026-06"]),
        ("2026-Q3", ["2026-07", "2026-08", "2026-09"]),
        ("2026-Q4", ["2026-10", "2026-11", "2026-12"]),
        ("2027-q1", ["2027-01", "2027-02", "2027-03"]),
    ],
)
def test_a_quarter_is_its_three_months(quarter, months):
    assert clock.quarter_months(quarter) == months


@pytest.mark.parametrize(
    "bad", ["", "2026", "2026-Q", "2026-Q0", "2026-Q5", "2026Q1", "26-Q1", "2026-QX", "2026-Q1-Q2"]
)
def test_a_badly_written_quarter_is_refused_in_chinese_naming_what_was_typed(bad):
    with pytest.raises(ValueError) as err:
        clock.quarter_months(bad)
    assert str(err.value) == f"季度格式应为 YYYY-Qn: {bad!r}"


@pytest.mark.parametrize(
    ("day", "month", "quarter"),
    [
        (date(2026, 1, 1), "2026-01", "2026-Q1"),
        (date(2026, 1, 31), "2026-01", "2026-Q1"),
        (date(2026, 2, 28), "2026-02", "2026-Q1"),
        (date(2026, 3, 31), "2026-03", "2026-Q1"),
        (date(2026, 4, 1), "2026-04", "2026-Q2"),
        (date(2026, 6, 30), "2026-06", "2026-Q2"),
        (date(2026, 7, 1), "2026-07", "2026-Q3"),
        (date(2026, 9, 30), "2026-09", "2026-Q3"),
        (date(2026, 10, 1), "2026-10", "2026-Q4"),
        (date(2026, 12, 31), "2026-12", "2026-Q4"),
        (date(2027, 1, 1), "2027-01", "2027-Q1"),
        (date(2028, 2, 29), "2028-02", "2028-Q1"),
    ],
)
def test_a_day_belongs_to_its_month_and_quarter_up_to_the_last_day(day, month, quarter):
    assert clock.month_of(day) == month
    assert clock.quarter_of(day) == quarter
    assert month in clock.quarter_months(quarter)
    assert clock.parse_month(month) == day.replace(day=1)


def test_every_month_of_a_year_lies_in_the_quarter_it_is_said_to_be_in():
    for mon in range(1, 13):
        day = date(2026, mon, 1)
        assert clock.month_of(day) in clock.quarter_months(clock.quarter_of(day))


# --- days --------------------------------------------------------------------------------------


def test_a_shanghai_day_is_always_twenty_four_hours_from_local_midnight():
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 12, 31)):
        start = clock.start_of_day(day, SHANGHAI)
        end = clock.end_of_day(day, SHANGHAI)
        assert start == datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=8)
        assert hours_between(start, end) == 24
        assert end == clock.start_of_day(day + timedelta(days=1), SHANGHAI)


@pytest.mark.parametrize(
    ("day", "hours", "start_utc", "end_utc"),
    [
        (date(2026, 3, 29), 23, utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
        (date(2026, 10, 25), 25, utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)),
        (date(2026, 3, 30), 24, utc(2026, 3, 29, 22), utc(2026, 3, 30, 22)),
    ],
)
def test_on_the_day_the_clocks_change_the_day_still_runs_midnight_to_midnight(
    day, hours, start_utc, end_utc
):
    start = clock.start_of_day(day, BERLIN)
    end = clock.end_of_day(day, BERLIN)
    assert start == start_utc
    assert end == end_utc
    assert hours_between(start, end) == hours
    assert clock.local_date(start, BERLIN) == day
    assert clock.local_date(end - timedelta(microseconds=1), BERLIN) == day
    assert clock.local_date(end, BERLIN) == day + timedelta(days=1)


@pytest.mark.parametrize(
    ("moment", "tz", "day"),
    [
        (utc(2026, 5, 6, 15, 59, 59), SHANGHAI, date(2026, 5, 6)),
        (utc(2026, 5, 6, 16, 0), SHANGHAI, date(2026, 5, 7)),
        (utc(2026, 5, 6, 23, 59, 59), SHANGHAI, date(2026, 5, 7)),
        (utc(2026, 5, 7, 0, 0), SHANGHAI, date(2026, 5, 7)),
        (utc(2026, 5, 6, 23, 59, 59), "UTC", date(2026, 5, 6)),
        (utc(2026, 5, 6, 21, 59, 59), BERLIN, date(2026, 5, 6)),
        (utc(2026, 5, 6, 22, 0), BERLIN, date(2026, 5, 7)),
        (utc(2026, 1, 6, 22, 30), BERLIN, date(2026, 1, 6)),  # winter: +01:00
    ],
)
def test_the_local_date_turns_at_the_towns_midnight_not_at_utcs(moment, tz, day):
    assert clock.local_date(moment, tz) == day


def test_the_local_date_of_an_instant_does_not_depend_on_the_zone_it_is_written_in():
    moment = utc(2026, 12, 31, 16, 30)
    in_berlin = moment.astimezone(clock.zone(BERLIN))
    assert clock.local_date(in_berlin, SHANGHAI) == clock.local_date(moment, SHANGHAI)
    assert clock.local_date(in_berlin, SHANGHAI) == date(2027, 1, 1)


# --- now and today -------------------------------------------------------------------------------


def test_at_half_past_eleven_utc_on_new_years_eve_it_is_already_next_year_in_shanghai():
    with time_machine.travel(utc(2026, 12, 31, 23, 30), tick=False):
        assert clock.now() == utc(2026, 12, 31, 23, 30)
        assert clock.today(SHANGHAI) == date(2027, 1, 1)
        assert clock.today("UTC") == date(2026, 12, 31)
        assert clock.today(BERLIN) == date(2027, 1, 1)  # 00:30 CET
        assert clock.quarter_of(clock.today(SHANGHAI)) == "2027-Q1"
        assert clock.quarter_of(clock.today("UTC")) == "2026-Q4"


def test_replaying_sets_now_for_the_block_and_restores_it_after():
    with time_machine.travel(utc(2026, 6, 1, 2, 0), tick=False):
        past = utc(2026, 4, 30, 15, 30)  # 23:30 on 30 April in Shanghai
        with clock.replaying(past):
            assert clock.now() == past
            assert clock.today(SHANGHAI) == date(2026, 4, 30)
            assert clock.today("UTC") == date(2026, 4, 30)
        assert clock.now() == utc(2026, 6, 1, 2, 0)
        assert clock.today(SHANGHAI) == date(2026, 6, 1)


def test_replays_nest_and_each_block_gives_back_the_time_it_found():
    outer, inner = utc(2026, 1, 5, 1), utc(2026, 2, 5, 1)
    with time_machine.travel(utc(2026, 3, 5, 1), tick=False):
        with clock.replaying(outer):
            with clock.replaying(inner):
                assert clock.now() == inner
            assert clock.now() == outer
        assert clock.now() == utc(2026, 3, 5, 1)


def test_a_replay_that_fails_still_gives_back_the_real_time():
    with time_machine.travel(utc(2026, 3, 5, 1), tick=False):
        with pytest.raises(RuntimeError), clock.replaying(utc(2020, 1, 1)):
            raise RuntimeError("replayed action failed")
        assert clock.now() == utc(2026, 3, 5, 1)


def test_a_replayed_moment_is_not_moved_by_the_frozen_clock():
    moment = utc(2025, 11, 30, 16, 0)  # 1 December in Shanghai
    with clock.replaying(moment), time_machine.travel(utc(2026, 7, 1), tick=False):
        assert clock.now() == moment
        assert clock.today(SHANGHAI) == date(2025, 12, 1)


@pytest.mark.parametrize(
    "text", ["+026-01", " 202-01", "2026-+1", "２０２６-01", "2026-1", "2026-13"]
)
def test_a_month_in_any_other_shape_is_refused(text):
    with pytest.raises(ValueError, match="月份格式应为 YYYY-MM"):
        clock.parse_month(text)


@pytest.mark.parametrize("text", ["2026-Q04", "2026-q+4", "+026-Q1", "2026-Q5", "2026Q1"])
def test_a_quarter_in_any_other_shape_is_refused(text):
    with pytest.raises(ValueError, match="季度格式应为 YYYY-Qn"):
        clock.quarter_months(text)


def test_a_lower_case_quarter_is_read_as_upper_case():
    assert clock.quarter_months("2026-q4") == ["2026-10", "2026-11", "2026-12"]
