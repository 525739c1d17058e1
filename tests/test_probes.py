"""The probes of "Safe by default" (issue 9), as one sweep: caller × URL × method, zero leaks.

One case of 东村 carries markers that must never reach anyone outside its scope: its location,
its title, a party's full phone number and its photo's bytes. Every URL that names a case (found
from the URL configuration, so a new one is probed without editing this file), the case ledger
export, Open311 and the Django admin are asked by every caller with GET and POST:

- outside the case's scope (another village, another town, a department it never reached, an
  officer whose role ended yesterday): nothing but "not found" (404; 405 for a method the URL
  never takes), and no marker in the answer;
- anonymous: sent to sign in (302/401/403), no marker;
- inside the scope but not handling it (office, leader, administrator): the phone masked.

Who sees what is written out by hand from domain.md, not computed from the code under test.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from gridcase.api.models import ApiToken
from gridcase.cases import attachments
from gridcase.org import services as org_services
from gridcase.org.models import Role
from tests.factories import local, make_user, submitted_case

NOW = local(2026, 10, 14, 10)
PHONE = "13912345678"
LOCATION = "东村探针组"
TITLE = "探针事件"
PNG = b"\x89PNG\r\n\x1a\n" + b"probe-bytes" * 8
MARKERS = (PHONE, LOCATION, TITLE)

IN_SCOPE = {"officer", "station_user", "center_user", "office_user", "leader", "admin_user"}
HANDLERS = {"officer", "station_user", "center_user"}
OUTSIDE = {
    "other_officer",
    "other_station_user",
    "department_user",
    "other_department_user",
    "revoked_officer",
    "bs_center",
    "bs_admin",
}


@pytest.fixture
def world(t, other_town, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        revoked = make_user("revoked", t.town, "officer", village=t.village, grid=t.grid)
        revoked_role = Role.objects.get(user=revoked)
        Role.objects.filter(pk=revoked_role.pk).update(active_from=NOW.date() - timedelta(days=90))
        case = submitted_case(
            t,
            NOW - timedelta(hours=1),
            title=TITLE,
            location=LOCATION,
            parties=[{"name": "王五", "phone": PHONE}, {"name": "赵六", "phone": "0731-84561234"}],
        )
        from django.core.files.uploadedfile import SimpleUploadedFile

        attachment = attachments.case_attach(
            case=case,
            by=t.officer,
            upload=SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
        )
        # The officer leaves the village: the administrator ends the role today.
        revoked_role.refresh_from_db()
        org_services.role_revoke(by=t.admin_user, town=t.town, role=revoked_role)
        own = (IN_SCOPE | OUTSIDE) - {"revoked_officer", "bs_center", "bs_admin"}
        callers = {name: getattr(t, name) for name in own}
        callers["revoked_officer"] = revoked
        callers["bs_center"] = other_town.center_user
        callers["bs_admin"] = other_town.admin_user
    return t, other_town, case, attachment, callers


def case_urls(case, attachment) -> list[str]:
    """Every URL of the configuration that names a case, filled in for this one."""
    values = {
        "number": case.number,
        "pk": str(attachment.pk),
        "sha256": attachment.sha256,  # the field terminal's photo address: a photo the case has
        "action": "accept",
        "id": case.number,
        "fmt": "json",
    }
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and ("number" in route or "requests/(?P<id>" in route):
                found.append(route)

    walk(get_resolver().url_patterns, "")
    urls = []
    for route in found:
        path = route.replace("^", "").replace("$", "").replace("\\.", ".")
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)
        if path.startswith("open311/"):
            path += f"?jurisdiction_id={case.town.code}"
        urls.append("/" + path)
    assert len(urls) >= 24, urls  # the workbench's, the API's, Open311's, the appeal page
    return urls


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def leaked(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [m for m in MARKERS if m in text] + (["photo"] if b"probe-bytes" in body else [])


def test_nobody_outside_the_scope_learns_anything_of_the_case(world):
    t, other_town, case, attachment, callers = world
    urls = case_urls(case, attachment)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        problems = []
        for name in sorted(OUTSIDE):
            client = client_for(callers[name])
            for url in urls:
                for method in ("get", "post", "put"):
                    response = getattr(client, method)(url)
                    if response.status_code not in (404, 405) or leaked(body_of(response)):
                        problems.append((name, method, url, response.status_code))
        assert problems == []


def test_anonymous_callers_are_sent_to_sign_in_and_learn_nothing(world):
    t, other_town, case, attachment, callers = world
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        client = client_for(None)
        problems = []
        for url in case_urls(case, attachment):
            for method in ("get", "post", "put"):
                response = getattr(client, method)(url)
                if response.status_code not in (302, 401, 403, 404, 405) or leaked(
                    body_of(response)
                ):
                    problems.append((method, url, response.status_code))
        # The stored file itself has no URL of its own: never a /media/ path.
        stored = "/media/" + attachment.file.name
        assert client.get(stored).status_code == 404
        assert client_for(t.officer).get(stored).status_code == 404
        assert problems == []


def test_people_in_scope_see_the_case_and_only_handlers_the_phone(world):
    t, other_town, case, attachment, callers = world
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        for name in sorted(IN_SCOPE):
            client = client_for(callers[name])
            page = client.get(f"/cases/{case.number}/")
            assert page.status_code == 200, name
            html = page.content.decode()
            assert LOCATION in html
            assert (PHONE in html) == (name in HANDLERS), name
            api = client.get(f"/api/v1/cases/{case.number}/")
            assert api.status_code == 200, name
            assert (PHONE in api.content.decode()) == (name in HANDLERS), name
            photo = client.get(f"/cases/{case.number}/files/{attachment.pk}/")
            assert photo.status_code == 200 and body_of(photo) == PNG, name


def ledger_rows(client) -> list[str]:
    response = client.get("/cases/export.xlsx")
    if response.status_code != 200:
        return []
    sheet = load_workbook(io.BytesIO(body_of(response)), read_only=True).active
    return [
        " ".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True)
    ]


def test_the_ledger_export_holds_the_case_only_for_its_scope_and_the_phone_for_handlers(world):
    t, other_town, case, attachment, callers = world
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        for name, user in sorted(callers.items()):
            text = "\n".join(ledger_rows(client_for(user)))
            assert (LOCATION in text) == (name in IN_SCOPE), name
            assert (PHONE in text) == (name in HANDLERS), name
        assert client_for(None).get("/cases/export.xlsx").status_code == 302


def test_open311_shows_a_case_to_its_own_towns_key_only_and_never_a_phone(world):
    t, other_town, case, attachment, callers = world
    _, own_key = ApiToken.issue(kind=ApiToken.Kind.SYSTEM, town=t.town, name="省平台", scope="read")
    _, other_key = ApiToken.issue(
        kind=ApiToken.Kind.SYSTEM, town=other_town.town, name="省平台", scope="read"
    )
    client = Client()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        for fmt in ("json", "xml"):
            one = f"/open311/v2/requests/{case.number}.{fmt}"
            listing = f"/open311/v2/requests.{fmt}"
            for key, jurisdiction in ((other_key, t.town.code), (other_key, other_town.town.code)):
                for url in (one, listing):
                    response = client.get(url, {"api_key": key, "jurisdiction_id": jurisdiction})
                    assert not leaked(response.content), (url, jurisdiction)
            for url in (one, listing):
                response = client.get(url, {"jurisdiction_id": t.town.code})
                assert not leaked(response.content), url
            own = client.get(one, {"api_key": own_key, "jurisdiction_id": t.town.code})
            assert own.status_code == 200
            assert PHONE not in own.content.decode()


ADMIN_URLS = [
    "/admin/",
    "/admin/cases/case/",
    "/admin/cases/followup/",
    "/admin/cases/extensionrequest/",
    "/admin/assessment/adjustment/",
    "/admin/org/user/",
]


@pytest.mark.parametrize("name", sorted(IN_SCOPE - {"admin_user"} | OUTSIDE))
def test_the_admin_is_closed_to_everyone_but_administrators(world, name):
    t, other_town, case, attachment, callers = world
    user = callers[name]
    user.is_staff = True  # even a person wrongly made staff gets nothing
    user.save(update_fields=["is_staff"])
    client = client_for(user)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        for url in ADMIN_URLS + [f"/admin/cases/case/{case.pk}/change/"]:
            response = client.get(url)
            if name == "bs_admin" and url in ADMIN_URLS:
                # Another town's administrator has the admin, and nothing of this town in it.
                assert response.status_code == 200, url
            else:
                assert response.status_code in (302, 403, 404), (url, response.status_code)
            assert not leaked(response.content), url


def test_the_towns_administrator_sees_the_case_in_the_admin_with_the_phone_masked(world):
    t, other_town, case, attachment, callers = world
    client = client_for(t.admin_user)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = client.get(f"/admin/cases/case/{case.pk}/change/")
        assert response.status_code == 200
        assert LOCATION in response.content.decode()
        assert PHONE not in response.content.decode()
