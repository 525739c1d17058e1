"""An administrator reads the failed sign-ins of their town's accounts (who, from where, when)
and sees which accounts are locked until when; nobody else does."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridcase.org.models import User
from tests.factories import local

NOW = local(2026, 10, 14, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def fail(username, times=1, address="192.0.2.10"):
    client = Client(REMOTE_ADDR=address)
    for i in range(times):
        client.post("/accounts/login/", {"username": username, "password": f"guess-{i}"})


def page(client, t):
    return client.get(reverse("manage:sign_in_failures", args=[t.town.pk]))


def test_the_administrator_sees_failures_of_the_towns_accounts_and_the_locks(t, other_town):
    fail("officer", times=10, address="192.0.2.10")
    fail("center", address="192.0.2.11")
    fail("bs_officer", address="192.0.2.12")  # another town's person
    fail("nobody", address="192.0.2.13")  # nobody's name
    client = Client()
    client.force_login(t.admin_user)
    response = page(client, t)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert sorted({(r.username, r.ip_address) for r in rows}) == [
        ("center", "192.0.2.11"),
        ("officer", "192.0.2.10"),
    ]
    assert len(rows) == 11
    locks = response.context["locks"]
    assert [(lock.username, lock.until) for lock in locks] == [
        ("officer", NOW + timedelta(minutes=15))
    ]
    html = response.content.decode()
    assert "192.0.2.10" in html and "2026-10-14 10:15" in html and "网页工作台" in html
    assert "192.0.2.12" not in html and "nobody" not in html


def test_a_lock_that_ran_out_is_not_shown(t, clock):
    fail("officer", times=10)
    clock.shift(timedelta(minutes=16))
    client = Client()
    client.force_login(t.admin_user)
    response = page(client, t)
    assert response.context["locks"] == [] and len(response.context["rows"]) == 10


def test_a_superuser_sees_every_failure(t, other_town):
    fail("bs_officer")
    fail("nobody")
    root = User.objects.create_superuser("root", password="pw")
    client = Client()
    client.force_login(root)
    usernames = {r.username for r in page(client, t).context["rows"]}
    assert usernames == {"bs_officer", "nobody"}


@pytest.mark.parametrize("who", ["officer", "center_user", "leader"])
def test_other_roles_and_other_towns_administrators_get_404(t, other_town, who):
    for user in [getattr(t, who), other_town.admin_user]:
        client = Client()
        client.force_login(user)
        assert page(client, t).status_code == 404


def _count(client, t) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert page(client, t).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_with_more_failures(t):
    client = Client()
    client.force_login(t.admin_user)
    fail("officer", times=10)
    before = _count(client, t)
    fail("center", times=12, address="192.0.2.20")
    fail("station", times=3, address="192.0.2.21")
    assert _count(client, t) == before


def test_the_administrator_unlocks_an_account_and_it_signs_in_at_once(t):
    fail("officer", times=10, address="192.0.2.10")
    client = Client()
    client.force_login(t.admin_user)
    unlock = reverse("manage:sign_in_unlock", args=[t.town.pk])
    response = client.post(unlock, {"username": "officer"})
    assert response.status_code == 302
    assert page(client, t).context["locks"] == []
    # From the very address that guessed, too: its count was the account's failures.
    officer = Client(REMOTE_ADDR="192.0.2.10")
    response = officer.post("/accounts/login/", {"username": "officer", "password": "pw"})
    assert response.status_code == 302
    # The failures stay in the log.
    assert len(page(client, t).context["rows"]) == 10


def test_an_account_of_another_town_cannot_be_unlocked_here(t, other_town):
    fail("bs_officer", times=10)
    client = Client()
    client.force_login(t.admin_user)
    unlock = reverse("manage:sign_in_unlock", args=[t.town.pk])
    assert client.post(unlock, {"username": "bs_officer"}).status_code == 404
    assert client.post(unlock, {"username": "nobody"}).status_code == 404
    response = Client().post("/accounts/login/", {"username": "bs_officer", "password": "pw"})
    assert response.status_code == 429
