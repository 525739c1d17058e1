"""People and roles: a person with a login and an initial password, roles with their scope and
dates, revoking, deactivating; and the refusals, in Chinese, beside the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridcase.core.errors import ServiceError
from gridcase.org import checks, services
from gridcase.org.models import Role, User
from gridcase.org.selectors import role_kinds
from tests.factories import local, make_user

TODAY = date(2026, 10, 14)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(local(2026, 10, 14, 10), tick=False):
        yield TODAY


def url(t, name, *args):
    return reverse(f"manage:{name}", args=[t.town.pk, *args])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def admin(t, client):
    client.force_login(t.admin_user)
    return client


NEW = {
    "username": "wangwu",
    "display_name": "王五",
    "phone": "138 0013 8009",
    "password": "chang-tang-1",
    "password2": "chang-tang-1",
}


# ---------------------------------------------------------------- people


def test_a_person_is_created_with_a_login_and_can_sign_in(t, admin):
    response = admin.post(url(t, "person_new"), NEW)
    person = User.objects.get(username="wangwu")
    assert response.status_code == 302
    assert response["Location"] == url(t, "person", person.pk)
    assert person.town == t.town and person.display_name == "王五"
    assert person.phone == "13800138009"
    assert Client().login(request=HttpRequest(), username="wangwu", password="chang-tang-1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"username": "OFFICER"}, "登录名“OFFICER”已被使用"),
        ({"username": "王 五"}, "登录名只能包含字母、数字和 @ . + - _"),
        ({"password2": "something-else"}, "两次输入的密码不一致"),
        ({"password": "short", "password2": "short"}, "密码至少 8 位"),
        ({"phone": "12345"}, "手机号格式不正确"),
        ({"display_name": ""}, "该字段是必填项"),
    ],
)
def test_a_bad_person_is_refused_beside_the_field(t, admin, change, message):
    response = admin.post(url(t, "person_new"), NEW | change)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(display_name="王五").exists()
    # What was typed (but the passwords) is still there.
    assert 'value="wangwu"' in response.content.decode() or change.get("username")


def test_a_person_is_edited_and_given_a_new_password(t, admin):
    person = t.officer
    response = admin.post(url(t, "person", person.pk), {"display_name": "赵六", "phone": ""})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.display_name == "赵六"
    response = admin.post(
        url(t, "person_password", person.pk),
        {"password": "new-password-1", "password2": "new-password-1"},
    )
    assert "已重设密码" in said(response)
    assert Client().login(
        request=HttpRequest(), username=person.username, password="new-password-1"
    )


def test_a_deactivated_person_cannot_sign_in_and_is_reactivated(t, admin):
    person = t.officer
    response = admin.post(url(t, "person_active", person.pk), {"active": "0"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert not Client().login(request=HttpRequest(), username=person.username, password="pw")
    listed = [row["person"] for row in admin.get(url(t, "people")).context["rows"]]
    assert person not in listed  # the list shows active people by default
    inactive = admin.get(url(t, "people"), {"status": "inactive"}).context["rows"]
    assert [row["person"] for row in inactive] == [person]
    admin.post(url(t, "person_active", person.pk), {"active": "1"})
    person.refresh_from_db()
    assert person.is_active


def test_an_administrator_cannot_deactivate_themselves(t, admin):
    response = admin.post(url(t, "person_active", t.admin_user.pk), {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    t.admin_user.refresh_from_db()
    assert t.admin_user.is_active


def test_people_are_found_by_name_phone_or_role(t, admin):
    User.objects.filter(pk=t.leader.pk).update(display_name="李书记", phone="13900000000")
    found = admin.get(url(t, "people"), {"q": "书记"}).context["rows"]
    assert [row["person"] for row in found] == [t.leader]
    found = admin.get(url(t, "people"), {"q": "1390000"}).context["rows"]
    assert [row["person"] for row in found] == [t.leader]
    found = admin.get(url(t, "people"), {"kind": "department"}).context["rows"]
    assert {row["person"] for row in found} == {t.department_user, t.other_department_user}


# ---------------------------------------------------------------- roles


def add_role(admin, t, person, **data):
    return admin.post(url(t, "role_add", person.pk), data)


def test_an_officer_role_with_village_and_grid_is_assigned(t, admin):
    person = services.person_create(
        by=t.admin_user, town=t.town, username="zl", display_name="赵六", password="long-enough"
    )
    response = add_role(
        admin, t, person, kind="officer", village=t.village.pk, grid=t.grid.pk,
        active_from="2026-10-14",
    )  # fmt: skip
    assert response.status_code == 302
    role = Role.objects.get(user=person)
    assert (role.kind, role.village, role.grid, role.active_from) == (
        "officer",
        t.village,
        t.grid,
        TODAY,
    )
    assert role_kinds(User.objects.get(pk=person.pk)) == {"officer"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "officer"}, "该角色须选择行政村"),
        ({"kind": "department"}, "部门角色须选择部门"),
        ({"kind": "village_station", "village": "other_village"}, None),
        ({"kind": "officer", "village": "other_village", "grid": "grid"}, "不属于西村"),
        ({"kind": "department", "unit": "center"}, "不是部门/科办"),
        (
            {"kind": "village_station", "village": "village", "unit": "other_station"},
            "不是东村的村站",
        ),
        (
            {"kind": "leader", "active_from": "2026-10-20", "active_until": "2026-10-15"},
            "不能早于起始日期",
        ),
        ({"kind": "leader", "active_until": "2026-10-01"}, "截止日期已过"),
    ],
)
def test_a_role_needs_the_scope_its_kind_asks_for(t, admin, data, message):
    other_station = t.station.__class__.objects.get(name=f"{t.town.name}西村站")
    lookup = {
        "village": t.village.pk,
        "other_village": t.other_village.pk,
        "grid": t.grid.pk,
        "center": t.center.pk,
        "other_station": other_station.pk,
    }
    person = make_user("newbie", t.town, "leader")
    before = Role.objects.filter(user=person).count()
    data = {k: lookup.get(v, v) for k, v in data.items()}
    response = add_role(admin, t, person, **data)
    if message is None:  # the control: a station of its own village is fine
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Role.objects.filter(user=person).count() == before


def test_a_leader_role_keeps_no_village_even_if_one_is_sent(t, admin):
    person = make_user("newbie", t.town, "officer", village=t.village)
    add_role(admin, t, person, kind="leader", village=t.village.pk, unit=t.center.pk)
    role = Role.objects.get(user=person, kind="leader")
    assert role.village is None and role.unit is None


def test_the_same_role_twice_at_the_same_time_is_refused(t, admin):
    response = add_role(admin, t, t.leader, kind="leader")
    assert response.status_code == 400
    assert "该人员在这段时间已有相同的角色" in response.content.decode()


def test_a_role_is_revoked_from_today_and_its_history_kept(t, admin):
    role = Role.objects.get(user=t.officer)
    response = admin.post(url(t, "role_revoke", t.officer.pk, role.pk))
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.active_until == TODAY - timedelta(days=1)
    officer = User.objects.get(pk=t.officer.pk)
    from gridcase.org.selectors import all_roles, roles_in_force

    assert [r.kind for r in all_roles(officer)] == ["officer"]  # the row stays…
    assert roles_in_force(officer, TODAY) == []  # …but is not in force today
    assert roles_in_force(officer) == [] and role_kinds(officer) == set()  # nor by default
    # An ended role cannot be ended again.
    response = admin.post(url(t, "role_revoke", t.officer.pk, role.pk), follow=True)
    assert "该角色已经结束" in response.content.decode()


def test_a_role_that_has_not_begun_is_removed(t, admin):
    role = Role.objects.create(user=t.officer, town=t.town, kind="leader", active_from=TODAY)
    admin.post(url(t, "role_revoke", t.officer.pk, role.pk))
    assert not Role.objects.filter(pk=role.pk).exists()


def test_an_administrator_cannot_revoke_their_own_administrator_role(t, admin):
    role = Role.objects.get(user=t.admin_user)
    response = admin.post(url(t, "role_revoke", t.admin_user.pk, role.pk), follow=True)
    assert "不能撤销自己的管理员角色" in response.content.decode()
    role.refresh_from_db()
    assert role.active_until is None


def test_a_role_of_another_person_is_404(t, admin):
    role = Role.objects.get(user=t.leader)
    response = admin.post(url(t, "role_revoke", t.officer.pk, role.pk))
    assert response.status_code == 404


def test_the_services_check_the_town_of_the_person(t, other_town):
    with pytest.raises(checks.NotInScope):
        services.person_set_active(
            by=t.admin_user, town=t.town, person=other_town.officer, active=False
        )
    with pytest.raises(checks.NotInScope):
        services.role_assign(by=t.admin_user, town=t.town, person=other_town.officer, kind="leader")
    with pytest.raises(ServiceError):
        services.person_create(
            by=t.admin_user, town=t.town, username="x", display_name="x", password="1"
        )


# ---------------------------------------------------------------- queries


def _count(client, address):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


def test_the_people_list_costs_the_same_with_more_people(t, admin, django_assert_max_num_queries):
    before = _count(admin, url(t, "people"))
    for n in range(12):
        make_user(f"extra{n}", t.town, "officer", village=t.village, grid=t.grid)
    assert _count(admin, url(t, "people")) == before
    # session, user, roles, the header's unread count; the count, the page and its roles
    with django_assert_max_num_queries(10):
        admin.get(url(t, "people"))


def test_a_persons_page_costs_the_same_with_more_roles(t, admin, django_assert_max_num_queries):
    before = _count(admin, url(t, "person", t.officer.pk))
    for kind in ("leader", "town_center", "governance_office"):
        Role.objects.create(user=t.officer, town=t.town, kind=kind, unit=None)
    assert _count(admin, url(t, "person", t.officer.pk)) == before
    with django_assert_max_num_queries(11):
        admin.get(url(t, "person", t.officer.pk))
