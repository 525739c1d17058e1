"""The dashboard's figures kept for ten minutes and shown with their time (issue 15):
web/dashboard_cache.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridcase.web import dashboard_cache
from tests.factories import local, submitted_case

pytestmark = pytest.mark.django_db

URL = reverse("dash:index")
PAY_URL = reverse("dash:pay")
NOW = local(2026, 10, 14, 10)


@pytest.fixture
def clock_at():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def total(client, **query) -> int:
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.context["cases"]["total"]


def test_figures_are_kept_ten_minutes_and_say_when_they_were_computed(t, client, clock_at):
    submitted_case(t, local(2026, 10, 12, 9))
    client.force_login(t.leader)
    assert total(client) == 1
    page = client.get(URL).content.decode()
    assert "数据截至 10:00,每 10 分钟更新" in page and "refresh=1" in page

    submitted_case(t, local(2026, 10, 14, 9, 30))
    clock_at.shift(timedelta(minutes=9))
    with CaptureQueriesContext(connection) as kept:
        assert total(client) == 1  # kept, and said so
    # session, person, roles, the header's unread count, villages, departments: no aggregate.
    assert len(kept.captured_queries) <= 6
    assert "数据截至 10:00" in client.get(URL).content.decode()
    # 更新: computed now, at the person's request.
    assert total(client, refresh="1") == 2
    assert "数据截至 10:09" in client.get(URL).content.decode()

    submitted_case(t, local(2026, 10, 14, 9, 40))
    clock_at.shift(timedelta(minutes=10))
    assert total(client) == 3  # ten minutes old: computed again


def test_each_town_and_period_has_its_own_figures(t, other_town, client, clock_at):
    submitted_case(t, local(2026, 10, 12, 9))
    client.force_login(t.leader)
    assert total(client) == 1
    assert total(client, date_from="2026-10-13", date_to="2026-10-14") == 0
    # Another town's leader reads their own town's figures, never this one's.
    client.force_login(other_town.leader)
    assert total(client) == 0
    assert client.get(URL, {"town": t.town.pk}).status_code == 404


def test_the_pay_panel_is_kept_and_says_when(t, client, clock_at):
    client.force_login(t.leader)
    first = client.get(PAY_URL)
    assert "数据截至 10:00" in first.content.decode()
    clock_at.shift(timedelta(minutes=5))
    assert "数据截至 10:00" in client.get(PAY_URL).content.decode()


def test_with_a_shared_cache_the_worker_computes_ahead_for_towns_looked_at(
    t, other_town, client, clock_at, monkeypatch
):
    if not dashboard_cache.shared():  # each process's own memory: nothing to share
        assert dashboard_cache.warm() == 0
    monkeypatch.setattr(dashboard_cache, "shared", lambda: True)
    submitted_case(t, local(2026, 10, 12, 9))
    # Nobody has looked at a dashboard yet: the worker computes nothing.
    assert dashboard_cache.viewed_towns() == []
    assert dashboard_cache.warm() == 0

    client.force_login(t.leader)
    assert total(client) == 1  # computed on the first look, and the town noted
    assert dashboard_cache.viewed_towns() == [t.town]  # not the other town
    submitted_case(t, local(2026, 10, 14, 9, 30))
    clock_at.shift(timedelta(minutes=10))
    assert dashboard_cache.warm() == 1  # this town only
    submitted_case(t, local(2026, 10, 14, 9, 40))
    clock_at.shift(timedelta(minutes=5))
    # The worker's figures (10:10), ahead of the next look: the case of 9:40 not yet in.
    assert total(client) == 2
    assert "数据截至 10:10" in client.get(URL).content.decode()


def test_a_town_not_looked_at_for_an_hour_is_no_longer_warmed(t, client, clock_at, monkeypatch):
    monkeypatch.setattr(dashboard_cache, "shared", lambda: True)
    client.force_login(t.leader)
    assert client.get(PAY_URL).status_code == 200  # the pay panel counts as a look too
    clock_at.shift(dashboard_cache.WARM_FOR - timedelta(minutes=1))
    assert dashboard_cache.warm() == 1
    clock_at.shift(timedelta(minutes=2))
    assert dashboard_cache.viewed_towns() == []
    assert dashboard_cache.warm() == 0
    # A look again, and it is warmed again.
    assert total(client) == 0
    assert dashboard_cache.warm() == 1


def test_viewed_towns_reads_the_towns_in_batches(t, other_town, clock_at, monkeypatch):
    monkeypatch.setattr(dashboard_cache, "shared", lambda: True)
    dashboard_cache.note_viewed(other_town.town)
    assert dashboard_cache.viewed_towns(batch=1) == [other_town.town]
