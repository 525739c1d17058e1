"""Roles end when they end: a person's scope, actions, device tokens and notifications come
from the roles in force today, counted in each role's town's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from gridcase.cases import services as case_services
from gridcase.notify import outbox, recipients
from gridcase.notify.models import InboxItem
from gridcase.org import checks
from gridcase.org import services as org_services
from gridcase.org.models import Role, Town, User
from gridcase.org.selectors import all_roles, roles_in_force
from tests.factories import local, make_user, submitted_case

# 00:30 on Thursday 15 October in Shanghai is still Wednesday 14 October in UTC (16:30): a
# date taken in UTC would keep yesterday's roles alive for eight more hours.
JUST_AFTER_MIDNIGHT = local(2026, 10, 15, 0, 30)
JUST_BEFORE_MIDNIGHT = local(2026, 10, 14, 23, 30)


def travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_session(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def device(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def fresh(user: User) -> User:
    """The person as the next request loads them (no roles cached from an earlier call)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def departed(t, settings, tmp_path):
    """The officer of 东村, with a case there, a device token and a role in 西村 that begins
    on 16 October; their 东村 role is revoked just after midnight, Shanghai time."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with travel(local(2026, 10, 13, 9)):
        case = submitted_case(t, local(2026, 10, 13, 9))
        _, key = ApiToken.issue(kind=ApiToken.Kind.DEVICE, user=t.officer, name="手机")
    future = Role.objects.create(
        user=t.officer,
        town=t.town,
        kind=Role.Kind.OFFICER,
        village=t.other_village,
        active_from=date(2026, 10, 16),
    )
    return case, key, future


def test_a_role_ends_at_midnight_in_its_town(t, departed):
    case, key, _ = departed
    role = Role.objects.get(user=t.officer, village=t.village)
    with travel(JUST_BEFORE_MIDNIGHT):
        # Still in force: the officer sees and opens the case, in every channel.
        assert web(t.officer).get(f"/cases/{case.number}/").status_code == 200
        assert case.number in web(t.officer).get("/cases/?tab=all").content.decode()
        assert api_session(t.officer).get(f"/api/v1/cases/{case.number}/").status_code == 200
        assert device(key).get(f"/api/v1/cases/{case.number}/").status_code == 200
    with travel(JUST_AFTER_MIDNIGHT):
        ended = org_services.role_revoke(by=t.admin_user, town=t.town, role=role)
        # "Yesterday" is the 14th in Shanghai (in UTC it is still the 14th itself).
        assert ended is not None and ended.active_until == date(2026, 10, 14)
        officer = fresh(t.officer)
        assert roles_in_force(officer) == []  # the 东村 role ended, the 西村 one has not begun
        assert len(all_roles(officer)) == 2  # the history stays
        assert web(t.officer).get(f"/cases/{case.number}/").status_code == 404
        assert web(t.officer).get(f"/cases/{case.number}/edit/").status_code == 404
        listed = web(t.officer).get("/cases/?tab=all")
        assert listed.status_code == 200 and case.number not in listed.content.decode()
        assert api_session(t.officer).get(f"/api/v1/cases/{case.number}/").status_code == 404
        listing = api_session(t.officer).get("/api/v1/cases/")
        assert listing.status_code == 200
        assert case.number not in listing.content.decode()
        # Acting on it is refused just the same.
        voided = api_session(t.officer).post(
            f"/api/v1/cases/{case.number}/void/", {"reason": "误报"}, format="json"
        )
        assert voided.status_code == 404
        # The device token issued while the role held is refused outright.
        refused = device(key).get("/api/v1/cases/")
        assert refused.status_code == 401
        assert refused.json()["message"] == "令牌所属人员已无在任角色"
        assert device(key).get("/api/v1/me/").status_code == 401


def test_a_role_begins_at_midnight_in_its_town(t, departed):
    _, key, future = departed
    with travel(local(2026, 10, 13, 9)):
        west = submitted_case(t, local(2026, 10, 13, 9))  # entered by 西村's own officer below
    west.officer = t.other_officer
    west.village = t.other_village
    west.grid = None
    west.save(update_fields=["officer", "village", "grid"])
    role = Role.objects.get(user=t.officer, village=t.village)
    role.active_until = date(2026, 10, 14)
    role.save(update_fields=["active_until"])
    # 23:30 on the 15th in Shanghai (15:30 UTC): the 西村 role begins tomorrow, so nothing.
    with travel(local(2026, 10, 15, 23, 30)):
        assert web(t.officer).get(f"/cases/{west.number}/").status_code == 404
        assert device(key).get("/api/v1/me/").status_code == 401
    # 00:30 on the 16th in Shanghai is still the 15th in UTC: the role is in force.
    with travel(local(2026, 10, 16, 0, 30)):
        assert [r.pk for r in roles_in_force(fresh(t.officer))] == [future.pk]
        assert web(t.officer).get(f"/cases/{west.number}/").status_code == 200
        assert device(key).get(f"/api/v1/cases/{west.number}/").status_code == 200


def test_each_role_is_dated_in_its_own_towns_time_zone(t):
    honolulu = Town.objects.create(name="檀香山镇", code="hnl", timezone="Pacific/Honolulu")
    person = make_user("both", t.town, "administrator", active_until=date(2026, 10, 14))
    Role.objects.create(
        user=person, town=honolulu, kind="administrator", active_until=date(2026, 10, 14)
    )
    # 20:00 UTC: Friday 04:00 in Shanghai, still Wednesday 10:00 in Honolulu.
    with travel(datetime(2026, 10, 14, 20, 0, tzinfo=UTC)):
        assert [r.town_id for r in roles_in_force(fresh(person))] == [honolulu.pk]
        assert not checks.administers(fresh(person), t.town)
        assert checks.administers(fresh(person), honolulu)
        # An explicit date is the same day everywhere (for history: who held what then).
        assert len(roles_in_force(fresh(person), date(2026, 10, 14))) == 2
        assert roles_in_force(fresh(person), date(2026, 10, 15)) == []


def test_a_person_whose_roles_ended_is_told_nothing(t, departed):
    case, _, _ = departed
    role = Role.objects.get(user=t.officer, village=t.village)
    successor = make_user("successor", t.town, "officer", village=t.village, grid=t.grid)
    with travel(JUST_AFTER_MIDNIGHT):
        org_services.role_revoke(by=t.admin_user, town=t.town, role=role)
        # The center voids the case the departed officer entered: its officers are told …
        case_services.case_void(case=case, by=t.center_user, reason="重复录入")
        told = set(
            InboxItem.objects.filter(
                notification__case=case, notification__kind="void"
            ).values_list("user_id", flat=True)
        )
        assert successor.pk in told  # … the one serving now is …
        assert t.officer.pk not in told  # … the one who entered it, and has left, is not.
        # Nor when named directly (an appeal's decision, an extension's requester …).
        outbox.emit(
            town=t.town,
            kind="appeal_decided",
            recipients=recipients.people(users=[t.officer, t.office_user]),
            context={"quarter": "2026-Q4", "decision": "申诉成立", "note": "", "by": "综治办"},
        )
        assert not InboxItem.objects.filter(user=t.officer).exists()
        assert InboxItem.objects.filter(user=t.office_user).exists()


def test_a_disabled_person_has_no_roles_and_no_device(t, departed):
    case, key, _ = departed
    User.objects.filter(pk=t.officer.pk).update(is_active=False)
    with travel(JUST_BEFORE_MIDNIGHT):
        assert roles_in_force(fresh(t.officer)) == []
        assert device(key).get(f"/api/v1/cases/{case.number}/").status_code == 401
