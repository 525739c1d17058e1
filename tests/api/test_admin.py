"""System tokens in the admin: created by an administrator for their town, key shown once."""

from __future__ import annotations

from django.contrib.messages import get_messages

from gridcase.api.models import ApiToken, hash_key


def _admin_client(client, user):
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def test_an_administrator_creates_a_system_token_in_the_admin_and_sees_its_key_once(t, client):
    client = _admin_client(client, t.admin_user)
    response = client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "省平台",
            "town": t.town.pk,
            "scope": "read",
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    token = ApiToken.objects.get()
    assert (token.kind, token.town, token.created_by) == ("system", t.town, t.admin_user)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    [shown] = [m for m in messages if "只显示这一次" in m]
    key = shown.rsplit(":", 1)[1].strip()
    assert hash_key(key) == token.key_hash


def test_an_administrator_cannot_create_a_token_for_another_town(t, other_town, client):
    client = _admin_client(client, t.admin_user)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"name": "x", "town": other_town.town.pk, "scope": "read"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not ApiToken.objects.exists()


def test_staff_without_the_administrator_role_cannot_add_tokens(t, client):
    client = _admin_client(client, t.office_user)
    # No admin at all without the administrator role: sent to sign in, then to the workbench.
    response = client.get("/admin/api/apitoken/add/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_revoke_action_revokes_only_the_administrators_towns_tokens(t, other_town, client):
    ours, _ = ApiToken.issue(kind="system", town=t.town, name="a", scope="read")
    theirs, _ = ApiToken.issue(kind="system", town=other_town.town, name="b", scope="read")
    client = _admin_client(client, t.admin_user)
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [ours.pk, theirs.pk]},
    )
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.revoked_at is not None
    assert theirs.revoked_at is None
