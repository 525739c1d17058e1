"""The API's device sign-in is limited per account and per client address like the
workbench's: 429 with Retry-After and the wait in Chinese in the API's error format; a
forged X-Forwarded-For gives neither a fresh lock count nor a fresh per-minute allowance."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.core.cache import cache
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from tests.factories import local

NOW = local(2026, 10, 14, 10)
URL = "/api/v1/auth/token/"
# Slower than the per-minute throttle (10 a minute per address): what stops a patient
# guesser is the lock.
PATIENT = timedelta(seconds=7)


@pytest.fixture(autouse=True)
def clock():
    cache.clear()  # the per-minute throttle's counts
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
    cache.clear()


def sign_in(username, password, **headers):
    body = {"username": username, "password": password, "name": "平安通"}
    return APIClient().post(URL, body, format="json", **headers)


def test_thirty_wrong_passwords_then_the_right_one_is_429_with_the_wait_in_chinese(t, clock):
    statuses = []
    for i in range(30):
        statuses.append(sign_in("officer", f"guess-{i}").status_code)
        clock.shift(PATIENT)
    assert statuses == [401] * 9 + [429] * 21
    response = sign_in("officer", "pw")
    assert response.status_code == 429
    # The tenth failure was at 10:01:03; now it is 10:03:30: 12 min 33 s to go.
    assert response["Retry-After"] == str(15 * 60 - (30 - 10) * 7 - 7)
    body = response.json()
    assert body["code"] == "throttled" and body["fields"] == {}
    assert body["message"] == "登录失败次数过多,已暂时锁定。请 13 分钟后再试。"
    assert not ApiToken.objects.exists()


def test_after_the_cool_off_the_right_password_works(t, clock):
    for i in range(30):
        sign_in("officer", f"guess-{i}")
        clock.shift(PATIENT)
    clock.shift(timedelta(minutes=13))
    response = sign_in("officer", "pw")
    assert response.status_code == 201 and response.json()["key"]


def test_the_first_wrong_passwords_are_still_401(t, clock):
    response = sign_in("officer", "nope")
    assert response.status_code == 401
    assert response.json()["message"] == "用户名或密码不正确"


def test_a_different_x_forwarded_for_each_time_does_not_bypass_the_address_lock(t, clock):
    for i in range(10):
        sign_in(f"nobody{i}", "x", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
        clock.shift(PATIENT)
    response = sign_in("officer", "pw", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert response.status_code == 429 and "分钟后再试" in response.json()["message"]
    assert sign_in("officer", "pw", REMOTE_ADDR="203.0.113.8").status_code == 201


def test_a_different_x_forwarded_for_each_time_does_not_bypass_the_per_minute_throttle(t):
    statuses = [
        sign_in("officer", "pw", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
        for i in range(11)
    ]
    assert [s.status_code for s in statuses] == [201] * 10 + [429]
    assert int(statuses[-1]["Retry-After"]) > 0


def test_behind_a_trusted_proxy_clients_are_told_apart_but_the_account_lock_holds(
    t, clock, settings
):
    settings.GRIDCASE_TRUSTED_PROXIES = ("10.0.0.0/24",)

    def via_proxy(client_ip, username, password):
        return sign_in(username, password, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_ip)

    for i in range(10):
        via_proxy("198.51.100.1", f"nobody{i}", "x")
    assert via_proxy("198.51.100.1", "officer", "pw").status_code == 429
    assert via_proxy("198.51.100.2", "officer", "pw").status_code == 201
    for i in range(10):
        via_proxy("198.51.100.3", "center", f"guess-{i}")
    assert via_proxy("198.51.100.4", "center", "pw").status_code == 429
    # Every client behind the proxy is recorded by its own address; B's sign-in is no failure.
    addresses = set(AccessFailureLog.objects.values_list("ip_address", flat=True))
    assert addresses == {"198.51.100.1", "198.51.100.3", "198.51.100.4"}


def test_failed_sign_ins_are_recorded_with_the_api_path(t, clock):
    sign_in("officer", "nope", REMOTE_ADDR="192.0.2.10")
    row = AccessFailureLog.objects.get()
    assert (row.username, row.ip_address, row.path_info, row.attempt_time) == (
        "officer",
        "192.0.2.10",
        URL,
        NOW,
    )
