"""Which times a person can mean (core/times.py): pure, no database; the clock is passed in."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridcase.core import times

CHINA = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 14, 30, tzinfo=CHINA)


def message(value: datetime) -> str | None:
    return times.time_message(value, now=NOW, tz="Asia/Shanghai", label="发生时间")


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 6, 14, 30, tzinfo=CHINA),  # now
        datetime(2026, 12, 6, 14, 40, tzinfo=CHINA),  # a phone ten minutes fast
        datetime(2000, 1, 1, 0, 0, tzinfo=CHINA),  # the first instant
        datetime(1999, 12, 31, 16, 0, tzinfo=UTC),  # the same instant, in UTC
        datetime(2026, 7, 1, 9, 30),  # naive: the town's zone
    ],
)
def test_times_a_person_can_mean_pass(value):
    assert message(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(6, 11, 30, 9, 0, tzinfo=CHINA), "发生时间不能早于2000年1月1日"),
        (datetime(1, 1, 1, 0, 0, tzinfo=CHINA), "发生时间不能早于2000年1月1日"),  # no UTC
        (datetime(1999, 12, 31, 23, 59, tzinfo=CHINA), "发生时间不能早于2000年1月1日"),
        (datetime(1999, 12, 31, 15, 59, tzinfo=UTC), "发生时间不能早于2000年1月1日"),
        (datetime(2026, 12, 6, 14, 41, tzinfo=CHINA), "发生时间不能晚于现在"),
        (datetime(2027, 12, 6, 14, 30, tzinfo=CHINA), "发生时间不能晚于现在"),
        (datetime(9999, 12, 31, 23, 59, tzinfo=CHINA), "发生时间不能晚于现在"),
    ],
)
def test_times_nobody_means_are_refused_naming_the_field(value, expected):
    assert message(value) == expected


def test_the_bounds_are_named_constants():
    assert times.earliest("Asia/Shanghai") == datetime(2000, 1, 1, tzinfo=CHINA)
    assert times.latest(NOW) - NOW == timedelta(minutes=10)


def test_the_validator_raises_in_the_active_language():
    with pytest.raises(ValidationError) as caught:
        times.check_time(datetime(6, 1, 1, tzinfo=CHINA), now=NOW, tz=CHINA, label="结案时间")
    assert caught.value.code == "time_range"
    assert caught.value.messages == ["结案时间不能早于2000年1月1日"]


TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("day", "since", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 1), None),  # the day of the close
        (TODAY, date(2026, 12, 1), None),
        (TODAY, None, None),
        (date(2026, 11, 30), date(2026, 12, 1), "回访日期不能早于结案日期(2026-12-01)"),
        (date(1999, 12, 31), date(2026, 11, 30), "回访日期不能早于2000年1月1日"),
        (date(1999, 12, 31), None, "回访日期不能早于2000年1月1日"),
        (date(2026, 12, 7), date(2026, 12, 1), "回访日期不能晚于今天"),
    ],
)
def test_a_day_after_what_it_follows_and_not_after_today(day, since, expected):
    found = times.day_message(
        day, since=since, since_label="结案日期", today=TODAY, label="回访日期"
    )
    assert found == expected


class _LocalInput(forms.DateTimeInput):
    input_type = "datetime-local"


class _LocalForm(forms.Form):
    at = times.MomentField(label="发生时间", required=False, widget=_LocalInput)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0006-11-30T09:00", "发生时间不能早于2000年1月1日"),
        ("0001-01-01T00:00", "发生时间不能早于2000年1月1日"),
        ("2027-12-06T09:00", "发生时间不能晚于现在"),
        ("2026-12-06T09:00", None),
        ("", None),
    ],
)
def test_the_form_field_refuses_what_nobody_means(typed, error):
    with time_machine.travel(NOW, tick=False), timezone.override(CHINA):
        form = _LocalForm(data={"at": typed})
        valid = form.is_valid()
    assert valid is (error is None), form.errors
    if error:
        assert form.errors["at"] == [error]


def test_the_browser_is_told_the_lower_bound():
    assert 'min="2000-01-01T00:00"' in str(_LocalForm()["at"])
