"""Tokens: created from a session and shown once, stored hashed, revocable, scoped."""

from __future__ import annotations

import hashlib
import string
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from tests.api.conftest import NOW, device_client, system_client, token_client
from tests.factories import local, submitted_case


def session(user, csrf: bool = True) -> APIClient:
    """A signed-in browser: CSRF is enforced like in the workbench."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    if csrf:
        # What a page's script does: send the CSRF cookie's value back in the header.
        secret = get_random_string(32, string.ascii_letters + string.digits)
        client.cookies[settings.CSRF_COOKIE_NAME] = secret
        client.credentials(HTTP_X_CSRFTOKEN=secret)
    return client


def test_a_person_creates_a_device_token_shown_once_and_stored_hashed(t):
    response = session(t.officer).post("/api/v1/tokens/", {"name": "我的手机"}, format="json")
    assert response.status_code == 201
    key = response.json()["key"]
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.values().get())
    assert (token.kind, token.user, token.scope) == ("device", t.officer, "write")
    listed = session(t.officer).get("/api/v1/tokens/").json()
    assert "key" not in listed[0]
    assert listed[0]["prefix"] == key[:12]


def test_the_token_acts_as_its_person(t):
    key = session(t.officer).post("/api/v1/tokens/", {"name": "手机"}, format="json").json()["key"]
    for scheme in ("Token", "Bearer"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
        me = client.get("/api/v1/me/").json()
        assert (me["username"], me["system"], me["token_scope"]) == ("officer", False, "write")


def test_a_session_post_without_the_csrf_token_is_refused(t):
    response = session(t.officer, csrf=False).post(
        "/api/v1/tokens/", {"name": "手机"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not ApiToken.objects.exists()


def test_a_token_cannot_create_tokens(t):
    response = device_client(t.officer).post("/api/v1/tokens/", {"name": "再来一个"}, format="json")
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_a_revoked_token_stops_working_at_once(t):
    token, key = ApiToken.issue(kind="device", user=t.officer, name="旧手机", scope="write")
    client = token_client(key)
    assert client.get("/api/v1/cases/").status_code == 200
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204  # signs itself out
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["message"] == "令牌无效、已过期或已撤销"
    token.refresh_from_db()
    assert token.revoked_at == NOW


def test_a_person_cannot_revoke_someone_elses_token(t):
    theirs, _ = ApiToken.issue(kind="device", user=t.other_officer, name="手机", scope="write")
    response = session(t.officer).delete(f"/api/v1/tokens/{theirs.pk}/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_an_expired_token_is_refused(t):
    _, key = ApiToken.issue(
        kind="device",
        user=t.officer,
        name="临时",
        scope="write",
        expires_at=NOW + timedelta(hours=1),
    )
    assert token_client(key).get("/api/v1/me/").status_code == 200
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert token_client(key).get("/api/v1/me/").status_code == 401


def test_a_token_of_a_deactivated_person_is_refused(t):
    client = device_client(t.officer)
    t.officer.is_active = False
    t.officer.save()
    assert client.get("/api/v1/me/").status_code == 401


def test_last_used_is_recorded_without_a_write_per_request(t):
    token, key = ApiToken.issue(kind="device", user=t.officer, name="手机", scope="write")
    token_client(key).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == NOW
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        token_client(key).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == NOW
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        token_client(key).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == NOW + timedelta(minutes=5)


def test_a_read_token_cannot_write(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    client = device_client(t.officer, scope="read")
    assert client.get(f"/api/v1/cases/{case.number}/").status_code == 200
    response = client.post(f"/api/v1/cases/{case.number}/accept/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "只读令牌不能修改数据"


@pytest.mark.parametrize("value", ["2026-10-01T00:00:00+08:00", "2031-01-01T00:00:00+08:00"])
def test_an_expiry_in_the_past_or_too_far_is_refused(t, value):
    response = session(t.officer).post(
        "/api/v1/tokens/", {"name": "手机", "expires_at": value}, format="json"
    )
    assert response.status_code == 400
    assert "expires_at" in response.json()["fields"]


# ---------------------------------------------------------------- system tokens


def test_an_administrator_creates_a_system_token_for_their_town(t):
    response = session(t.admin_user).post(
        "/api/v1/system-tokens/", {"name": "省平台", "scope": "read"}, format="json"
    )
    assert response.status_code == 201
    token = ApiToken.objects.get()
    assert (token.kind, token.town, token.user, token.created_by) == (
        "system",
        t.town,
        None,
        t.admin_user,
    )
    assert session(t.admin_user).get("/api/v1/system-tokens/").json()[0]["name"] == "省平台"


@pytest.mark.parametrize("who", ["officer", "center_user", "leader"])
def test_only_an_administrator_creates_system_tokens(t, who):
    response = session(getattr(t, who)).post(
        "/api/v1/system-tokens/", {"name": "省平台", "scope": "read"}, format="json"
    )
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_an_administrator_cannot_create_a_token_for_another_town(t, other_town):
    response = session(t.admin_user).post(
        "/api/v1/system-tokens/", {"name": "x", "scope": "read", "town": "bs"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"town": ["您不是该镇的管理员"]}


def test_an_administrator_revokes_a_system_token_of_their_town_only(t, other_town):
    ours, _ = ApiToken.issue(kind="system", town=t.town, name="a", scope="read")
    theirs, _ = ApiToken.issue(kind="system", town=other_town.town, name="b", scope="read")
    client = session(t.admin_user)
    assert client.delete(f"/api/v1/system-tokens/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/v1/system-tokens/{ours.pk}/").status_code == 204
    assert ApiToken.objects.filter(revoked_at__isnull=False).get() == ours


def test_a_system_token_reads_its_town_with_masked_phones_and_no_actions(t, other_town):
    case = submitted_case(t, local(2026, 10, 12, 9))
    foreign = submitted_case(other_town, local(2026, 10, 12, 9))
    client = system_client(t.town, "write")
    detail = client.get(f"/api/v1/cases/{case.number}/").json()
    assert [p["phone"] for p in detail["parties"]] == ["138****8001", "073******1234"]
    assert detail["allowed_actions"] == []
    assert client.get(f"/api/v1/cases/{foreign.number}/").status_code == 404
    me = client.get("/api/v1/me/").json()
    assert (me["id"], me["system"], me["roles"]) == (None, True, [])
    response = client.post(f"/api/v1/cases/{case.number}/urge/", {"note": "快"}, format="json")
    assert response.status_code == 403
    assert "系统令牌" in response.json()["message"]


def test_a_system_token_cannot_manage_tokens(t):
    client = system_client(t.town, "write")
    assert client.get("/api/v1/tokens/").status_code == 403
    assert client.get("/api/v1/system-tokens/").status_code == 403


# ---------------------------------------------------------------- signing in on a device


@pytest.fixture
def fresh_throttle():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_a_device_signs_in_with_a_password_for_a_device_token(t, fresh_throttle):
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "officer", "password": "pw", "name": "平安通", "scope": "write"},
        format="json",
    )
    assert response.status_code == 201
    key = response.json()["key"]
    me = token_client(key).get("/api/v1/me/").json()
    assert (me["username"], me["token_scope"]) == ("officer", "write")


def test_a_wrong_password_is_401_and_repeated_attempts_are_throttled(t, fresh_throttle):
    client = APIClient()
    body = {"username": "officer", "password": "wrong", "name": "x"}
    first = client.post("/api/v1/auth/token/", body, format="json")
    assert first.status_code == 401
    assert first.json() == {
        "code": "unauthenticated",
        "message": "用户名或密码不正确",
        "fields": {},
    }
    statuses = [
        client.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(10)
    ]
    assert statuses[-1] == 429
    throttled = client.post("/api/v1/auth/token/", body, format="json")
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert not ApiToken.objects.exists()
