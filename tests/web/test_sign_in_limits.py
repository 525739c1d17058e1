"""The workbench's sign-in is limited per account and per client address (django-axes): the
person is told in Chinese how long to wait, the wait is true, a forged X-Forwarded-For does
not help, and every failure is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client

from tests.factories import local

NOW = local(2026, 10, 14, 10)
LOGIN = "/accounts/login/"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sign_in(client, username, password, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_the_wait_in_chinese(t, clock):
    client = Client()
    statuses = [sign_in(client, "officer", f"guess-{i}").status_code for i in range(30)]
    assert statuses[:9] == [200] * 9  # "wrong password" on the form
    assert statuses[9:] == [429] * 21  # the tenth failure locks
    response = sign_in(client, "officer", "pw")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "请 15 分钟后再试" in page
    assert response["Retry-After"] == "900"
    assert not signed_in(client)


def test_the_wait_counts_down_and_is_not_extended_by_trying_again(t, clock):
    client = Client()
    for i in range(10):
        sign_in(client, "officer", f"guess-{i}")
    clock.shift(timedelta(minutes=5))
    for _ in range(5):
        sign_in(client, "officer", "pw")
    response = sign_in(client, "officer", "pw")
    assert "请 10 分钟后再试" in response.content.decode()
    assert response["Retry-After"] == "600"


def test_after_the_cool_off_the_right_password_works(t, clock):
    client = Client()
    for i in range(30):
        sign_in(client, "officer", f"guess-{i}")
    clock.shift(timedelta(minutes=14, seconds=59))
    assert sign_in(client, "officer", "pw").status_code == 429
    clock.shift(timedelta(seconds=2))
    response = sign_in(client, "officer", "pw")
    assert response.status_code == 302 and signed_in(client)
    # The account's count starts again from nothing.
    assert not AccessAttempt.objects.filter(username="officer").exists()


def test_a_successful_sign_in_clears_the_accounts_count(t, clock):
    client = Client()
    for i in range(9):
        sign_in(client, "officer", f"guess-{i}")
    assert sign_in(client, "officer", "pw").status_code == 302
    client.logout()
    for i in range(9):
        assert sign_in(client, "officer", f"again-{i}").status_code == 200
    assert sign_in(Client(REMOTE_ADDR="192.0.2.9"), "officer", "pw").status_code == 302


def test_signing_in_to_ones_own_account_does_not_clear_the_guesses_at_another(t, clock):
    client = Client()
    for i in range(9):
        sign_in(client, "officer", f"guess-{i}")
    assert sign_in(client, "center", "pw").status_code == 302
    client.logout()
    assert sign_in(client, "officer", "guess-9").status_code == 429


def test_the_account_is_locked_from_every_address(t, clock):
    for i in range(10):
        sign_in(Client(REMOTE_ADDR=f"192.0.2.{i + 1}"), "officer", f"guess-{i}")
    response = sign_in(Client(REMOTE_ADDR="198.51.100.50"), "officer", "pw")
    assert response.status_code == 429 and "分钟后再试" in response.content.decode()


def test_a_different_x_forwarded_for_each_time_does_not_bypass_the_address_limit(t, clock):
    # Nobody is trusted (the default): the peer's address counts, not the header. Ten
    # different names, so only the address can be what locks.
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(10):
        sign_in(client, f"nobody{i}", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{i + 1}")
    response = sign_in(client, "officer", "pw", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429 and not signed_in(client)
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    # Another address is not locked.
    assert sign_in(Client(REMOTE_ADDR="203.0.113.8"), "officer", "pw").status_code == 302


def test_behind_a_trusted_proxy_clients_are_told_apart_but_the_account_lock_holds(
    t, clock, settings
):
    settings.GRIDCASE_TRUSTED_PROXIES = ("10.0.0.0/24",)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    a = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    b = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    c = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.3")
    for i in range(10):
        sign_in(a, f"nobody{i}", "x")
    assert sign_in(a, "officer", "pw").status_code == 429  # A's address is locked
    assert sign_in(b, "officer", "pw").status_code == 302  # B, behind the same proxy, is not
    recorded = set(AccessFailureLog.objects.values_list("ip_address", flat=True))
    assert recorded == {"198.51.100.1"}
    # The account lock applies whichever client behind the proxy tries.
    for i in range(10):
        sign_in(c, "center", f"guess-{i}")
    assert (
        sign_in(Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.4"), "center", "pw").status_code
        == 429
    )


def test_failed_sign_ins_are_recorded_who_from_where_when(t, clock):
    client = Client(REMOTE_ADDR="192.0.2.10")
    for i in range(10):
        sign_in(client, "officer", f"guess-{i}")
        clock.shift(timedelta(seconds=30))
    rows = list(AccessFailureLog.objects.order_by("attempt_time"))
    assert [(r.username, r.ip_address, r.path_info) for r in rows] == [
        ("officer", "192.0.2.10", LOGIN)
    ] * 10
    assert [r.attempt_time for r in rows] == [NOW + timedelta(seconds=30 * i) for i in range(10)]
    assert [r.locked_out for r in rows] == [False] * 9 + [True]
    # Tries while locked are refused without checking the password, and recorded as such.
    sign_in(Client(REMOTE_ADDR="192.0.2.11"), "officer", "pw")
    last = AccessFailureLog.objects.latest("attempt_time")
    assert (last.username, last.ip_address, last.locked_out) == ("officer", "192.0.2.11", True)
    assert AccessFailureLog.objects.count() == 11
    assert "guess" not in AccessAttempt.objects.get(username="officer").post_data


def test_the_admin_sign_in_is_locked_too(t, clock):
    for i in range(10):
        sign_in(Client(), "admin", f"guess-{i}")
    # The admin has no sign-in form of its own: it sends people to the workbench's, which
    # is locked for the account.
    response = Client().post("/admin/login/", {"username": "admin", "password": "pw"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    response = Client().post(response.url, {"username": "admin", "password": "pw"})
    assert response.status_code == 429 and "分钟后再试" in response.content.decode()


def test_force_login_and_pages_are_untouched(t, clock, client):
    client.force_login(t.officer)
    assert client.get("/").status_code == 200
    assert not AccessFailureLog.objects.exists()
