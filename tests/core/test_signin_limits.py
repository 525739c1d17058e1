"""When a sign-in lock ends, from the counted rows (pure), and how the wait is said."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from gridcase.core.signin import lock_ends_at, wait_message, wait_seconds
from tests.core.test_settings import manage
from tests.factories import local

COOL_OFF = timedelta(minutes=15)
T = local(2026, 10, 14, 10)


def ends(rows, limit=10):
    return lock_ends_at(rows, limit=limit, cool_off=COOL_OFF)


def test_no_rows_no_lock():
    assert ends([]) is None


def test_fewer_failures_than_the_limit_is_no_lock():
    assert ends([(T, 9)]) is None


def test_one_row_at_the_limit_locks_until_the_cool_off_after_its_last_failure():
    assert ends([(T, 10)]) == T + COOL_OFF


def test_the_lock_ends_when_the_row_that_reaches_the_limit_ages_out():
    # 6 failures at 10:00 (one user agent) and 6 at 10:05 (another): 12 counted; when the
    # 10:00 row ages out only 6 are left, so the lock ends at 10:15.
    rows = [(T + timedelta(minutes=5), 6), (T, 6)]
    assert ends(rows) == T + COOL_OFF


def test_newer_rows_alone_at_the_limit_keep_the_lock_longer():
    rows = [(T, 3), (T + timedelta(minutes=5), 10)]
    assert ends(rows) == T + timedelta(minutes=5) + COOL_OFF


def test_the_wait_is_said_in_whole_minutes_rounded_up():
    with translation.override("zh-hans"):
        assert "15 分钟" in wait_message(timedelta(minutes=14, seconds=1))
        assert "1 分钟" in wait_message(timedelta(seconds=3))
        assert "锁定" in wait_message(timedelta(minutes=3))


def test_retry_after_is_whole_seconds_rounded_up_and_never_zero():
    assert wait_seconds(timedelta(seconds=899.2)) == 900
    assert wait_seconds(timedelta(0)) == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GRIDCASE_SIGNIN_FAILURE_LIMIT", "0"),
        ("GRIDCASE_SIGNIN_FAILURE_LIMIT", "ten"),
        ("GRIDCASE_SIGNIN_COOLOFF_MINUTES", "-5"),
    ],
)
def test_a_bad_sign_in_limit_is_named(tmp_path, name, value):
    result = manage("check", **{name: value, "GRIDCASE_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert name in result.stderr
