"""The Django admin is for administrators only, scoped to their towns, with phones masked.

Walks every registered admin (admin.site._registry, so a new admin is covered without
touching this file): its changelist, its add page and the change page of a row of the town, as
each role. Everyone is made staff first: is_staff must not be what opens the admin.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from gridcase.assessment.models import Adjustment, Appeal, AssessmentEvent, QuarterAssessment
from gridcase.cases import services
from gridcase.cases.models import Case
from gridcase.core.models import CalendarOverride
from gridcase.notify import outbox, recipients
from gridcase.notify.models import ChannelConfig
from gridcase.org.models import PolicyVersion, Role, User
from tests.factories import CLOSE_DISPUTE, local, make_user, submitted_case

NOW = local(2026, 10, 14, 10)
PHONE = "13800138001"  # a party's phone (tests.factories.COMPLETE)
REPORTER_PHONE = "13900139009"
EMAIL = "zhangsan@example.cn"
NOT_ADMINISTRATORS = [
    "officer",
    "station_user",
    "center_user",
    "department_user",
    "office_user",
    "leader",
    "former_admin",
]


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        yield


def populate(t) -> None:
    """At least one row of every registered model in the town."""
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 9, 5))
    services.case_escalate(case=case, by=t.officer, note="上报", at=local(2026, 10, 12, 10))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 11))
    services.case_escalate(case=case, by=t.station_user, note="上报", at=local(2026, 10, 12, 12))
    services.case_accept(case=case, by=t.center_user, at=local(2026, 10, 12, 13))
    services.case_request_extension(
        case=case, by=t.center_user, working_days=3, reason="需协调", at=local(2026, 10, 12, 14)
    )
    # A follow-up visit comes after the close: on a case the officer closed.
    closed = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=closed, by=t.officer, at=local(2026, 10, 12, 9, 5))
    services.case_close(case=closed, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 12, 10))
    services.case_follow_up(
        case=closed,
        by=t.officer,
        visited_on=date(2026, 10, 13),
        method="phone",
        satisfied=True,
        at=local(2026, 10, 13, 9),
    )
    # A citizen's report: a reporter's phone (a party) and e-mail (in the timeline).
    _, key = ApiToken.issue(kind="system", town=t.town, name="市民热线", scope="write")
    report = {
        "service_code": "livelihood_service",
        "address_string": f"{t.village.name}5组",
        "description": "路灯坏了",
        "last_name": "张",
        "first_name": "三",
        "phone": REPORTER_PHONE,
        "email": EMAIL,
    }
    filed = APIClient().post("/open311/v2/requests.json", dict(report, api_key=key))
    assert filed.status_code == 201
    ApiToken.issue(kind="device", user=t.officer, name="手机")
    ChannelConfig.objects.create(unit=t.center, kind="webhook", target="https://example.cn/hook")
    outbox.emit(
        town=t.town,
        kind="urge",
        case=case,
        recipients=recipients.people(users=[t.center_user], units=[t.center]),
        context={"by": "综治办", "note": "请尽快"},
    )
    CalendarOverride.objects.create(town=t.town, day=date(2026, 10, 24), kind="workday")
    PolicyVersion.objects.create(
        town=t.town, code="p1", name="策略", effective_from=date(2026, 1, 1), source="x"
    )
    QuarterAssessment.objects.create(town=t.town, quarter="2026-Q3")
    Appeal.objects.create(
        town=t.town, case=case, quarter="2026-Q4", filed_by=t.officer, filed_at=NOW, reason="r"
    )
    Adjustment.objects.create(
        town=t.town,
        officer=t.officer,
        quarter="2026-Q3",
        applies_to="2026-Q4",
        amount=Decimal("50.00"),
        reason="补发",
        created_by=t.office_user,
        created_at=NOW,
    )
    AssessmentEvent.objects.create(town=t.town, quarter="2026-Q4", at=NOW, action="finalise")


@pytest.fixture
def towns(t, other_town):
    populate(t)
    populate(other_town)
    t.users["former_admin"] = make_user(
        "former_admin", t.town, "administrator", active_until=date(2026, 10, 13)
    )
    t.users["root"] = User.objects.create_superuser("root", password="pw")
    User.objects.update(is_staff=True)  # as the demo once did: staff must not be enough
    return t, other_town


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def town_lookup(model_admin) -> str:
    path = getattr(model_admin, "town_path", "town")
    return path[: -len("_id")] if path.endswith("_id") else path


def pages(t, root):
    """(model admin, changelist url, add url, [(change url of a row of t's town)]) for each."""
    found = []
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        rows = model_admin.get_queryset(as_request(root))
        lookup = town_lookup(model_admin)
        mine = rows.filter(**{lookup: t.town.pk})
        change = [
            reverse(f"admin:{info[0]}_{info[1]}_change", args=[pk])
            for pk in mine.values_list("pk", flat=True)[:2]
        ]
        found.append(
            (
                model,
                reverse(f"admin:{info[0]}_{info[1]}_changelist"),
                reverse(f"admin:{info[0]}_{info[1]}_add"),
                change,
            )
        )
    return found


KNOWN = {
    "org.Town", "org.Village", "org.Grid", "org.Unit", "org.User", "org.Role",
    "org.PolicyVersion", "core.CalendarOverride", "cases.Case", "cases.TimelineEntry",
    "cases.ExtensionRequest", "cases.FollowUp", "assessment.QuarterAssessment",
    "assessment.Appeal", "assessment.Adjustment", "assessment.AssessmentEvent",
    "notify.ChannelConfig", "notify.Delivery", "notify.Notification", "notify.InboxItem",
    "api.ApiToken",
}  # fmt: skip


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_nothing_personal(response, url):
    body = response.content.decode()
    for secret in (PHONE, REPORTER_PHONE, EMAIL):
        assert secret not in body, f"{url} shows {secret}"


def test_every_known_model_has_a_row_to_open(towns):
    t, _ = towns
    walked = pages(t, t.root)
    assert {m._meta.label for m, *_ in walked} >= KNOWN
    for model, _, _, change in walked:
        if model._meta.label in KNOWN:
            assert change, f"no row of {model._meta.label} in the test town: add one to populate()"


@pytest.mark.parametrize("who", NOT_ADMINISTRATORS)
def test_no_other_role_has_any_admin_page(towns, who):
    t, _ = towns
    client = client_of(getattr(t, who))
    index = client.get("/admin/")
    assert index.status_code == 302 and index["Location"].startswith("/admin/login/")
    # The admin's sign-in sends a signed-in person without the right to the workbench.
    landed = client.get(index["Location"])
    assert landed.status_code == 302 and landed["Location"] == reverse("web:home")
    for _, changelist, add, change in pages(t, t.root):
        for url in [changelist, add, *change]:
            response = client.get(url)
            assert response.status_code in (302, 403), f"{who} opened {url}"
            if response.status_code == 302:
                assert response["Location"].startswith("/admin/login/"), url


def test_a_visitor_signs_in_at_the_workbench(towns):
    t, _ = towns
    response = Client().get("/admin/login/?next=/admin/cases/case/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/cases/case/"
    assert Client().get("/admin/cases/case/").status_code == 302


def test_the_towns_administrator_sees_the_town_with_phones_masked(towns):
    t, other = towns
    client = client_of(t.admin_user)
    assert client.get("/admin/").status_code == 200
    theirs = {
        model: change for model, _, _, change in pages(other, t.root) if change
    }  # rows of the other town, by model
    for model, changelist, add, change in pages(t, t.root):
        listed = client.get(changelist)
        if not model.__module__.startswith("gridcase."):
            # Another library's admin (none today) is for superusers only.
            assert listed.status_code == 403, changelist
            continue
        assert listed.status_code == 200, changelist
        assert_nothing_personal(listed, changelist)
        for url in theirs.get(model, []):
            assert url not in listed.content.decode(), f"{changelist} lists {url}"
            assert client.get(url).status_code == 404, url
        for url in change:
            page = client.get(url)
            assert page.status_code == 200, url
            assert_nothing_personal(page, url)
        added = client.get(add)
        assert added.status_code in (200, 403), add
        assert_nothing_personal(added, add)


def test_another_towns_administrator_sees_nothing_of_this_town(towns):
    t, other = towns
    client = client_of(other.admin_user)
    for _, changelist, _, change in pages(t, t.root):
        listed = client.get(changelist)
        assert listed.status_code in (200, 403), changelist
        for url in change:
            assert url not in listed.content.decode(), f"{changelist} lists {url}"
            assert client.get(url).status_code in (403, 404), url


def test_the_superuser_sees_every_town_and_no_phone(towns):
    t, other = towns
    client = client_of(t.root)
    for _, changelist, add, change in pages(t, t.root):
        for url in [changelist, add, *change]:
            response = client.get(url)
            assert response.status_code in (200, 403), url
            assert_nothing_personal(response, url)
    listed = client.get("/admin/cases/case/").content.decode()
    for case in Case.objects.all():
        assert reverse("admin:cases_case_change", args=[case.pk]) in listed  # both towns
    case = Case.objects.filter(town=t.town).order_by("pk").first()
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "138****8001" in page  # masked, not left out


def test_a_town_administrator_cannot_make_a_superuser(towns):
    t, _ = towns
    user_admin = admin.site._registry[User]
    fields = user_admin.get_readonly_fields(as_request(t.admin_user), t.officer)
    assert {"is_superuser", "is_staff", "groups", "user_permissions"} <= set(fields)
    assert "is_superuser" not in user_admin.get_readonly_fields(as_request(t.root), t.officer)


def test_an_ended_administrator_role_closes_the_admin(towns):
    t, _ = towns
    role = Role.objects.get(user=t.admin_user)
    role.active_until = date(2026, 10, 13)
    role.save(update_fields=["active_until"])
    assert client_of(t.admin_user).get("/admin/cases/case/").status_code == 302


def test_every_registered_admin_is_scoped():
    from gridcase.org.admin_scope import AdminScope

    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("gridcase."):
            continue  # another library's: superusers only (see the walk above)
        assert isinstance(model_admin, AdminScope), model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, AdminScope), f"{model._meta.label}: {inline.__name__}"
