"""The audit log in the workbench: the administrator reads their town's privileged changes,
newest first, filtered by action and person, paginated; nobody else opens it."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from gridcase.org import services as org
from tests.factories import local

NOT_ADMINS = ["officer", "station_user", "center_user", "department_user", "office_user", "leader"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(local(2026, 10, 14, 10), tick=False):
        yield


def url(t, **query):
    base = reverse("manage:audit", args=[t.town.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def changes(t, other_town):
    org.person_update(
        by=t.admin_user, town=t.town, person=t.officer, display_name="张网格", phone=""
    )
    org.person_set_active(
        by=t.admin_user, town=t.town, person=t.other_department_user, active=False
    )
    org.person_update(
        by=other_town.admin_user,
        town=other_town.town,
        person=other_town.officer,
        display_name="白沙的人",
        phone="",
    )


def test_the_administrator_reads_the_towns_changes_before_and_after(t, changes, client):
    client.force_login(t.admin_user)
    response = client.get(url(t))
    html = response.content.decode()
    assert response.status_code == 200
    assert "修改人员信息" in html and "停用人员" in html
    assert "<del>officer</del> → <ins>张网格</ins>" in html  # 姓名: before → after
    assert "2026-10-14 10:00:00" in html  # the town's local time
    assert "白沙的人" not in html  # another town's change


def test_the_log_is_filtered_by_action_and_person(t, changes, client):
    client.force_login(t.admin_user)
    html = client.get(url(t, action="person.deactivate")).content.decode()
    assert "停用人员</td>" in html and "修改人员信息</td>" not in html
    html = client.get(url(t, actor=t.officer.pk)).content.decode()
    assert "没有符合条件的审计记录" in html
    html = client.get(url(t, actor=t.admin_user.pk, action="bogus")).content.decode()
    assert "停用人员</td>" in html and "修改人员信息</td>" in html  # unknown action: ignored


def test_the_log_is_paginated(t, client, monkeypatch):
    from gridcase.web.views.manage import audit as view

    monkeypatch.setattr(view, "PAGE_SIZE", 2)
    for name in ["甲", "乙", "丙"]:
        org.person_update(
            by=t.admin_user, town=t.town, person=t.officer, display_name=name, phone=""
        )
    client.force_login(t.admin_user)
    first = client.get(url(t)).content.decode()
    second = client.get(url(t, page=2)).content.decode()
    assert "<ins>丙</ins>" in first and "<ins>甲</ins>" not in first
    assert "<ins>甲</ins>" in second
    assert "第 1/2 页,共 3 条" in first


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_every_other_role_gets_404(t, changes, client, who):
    client.force_login(getattr(t, who))
    assert client.get(url(t)).status_code == 404


def test_another_towns_administrator_gets_404(t, other_town, changes, client):
    client.force_login(other_town.admin_user)
    assert client.get(url(t)).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(t, client):
    assert client.get(url(t)).status_code == 302


def test_the_log_costs_the_same_with_more_rows(t, client, django_assert_max_num_queries):
    client.force_login(t.admin_user)
    org.person_update(by=t.admin_user, town=t.town, person=t.officer, display_name="一", phone="")
    client.get(url(t))
    for name in "二三四五六七八九":
        org.person_update(
            by=t.admin_user, town=t.town, person=t.officer, display_name=name, phone=""
        )
    with django_assert_max_num_queries(9):
        client.get(url(t))


def test_the_log_speaks_english_once_chosen(t, changes, client):
    client.force_login(t.admin_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(url(t)).content.decode()
    assert "Audit log" in html and "Person edited" in html and "Before → after" in html
