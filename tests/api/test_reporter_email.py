"""An Open311 reporter's e-mail is masked like a party's phone: whole only for the people
handling the case, wherever the case is read (API detail and its timeline, workbench, Open311)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from gridcase.cases import elements
from gridcase.cases.models import Case
from tests.api.conftest import device_client, system_client

EMAIL = "zhangsan@example.cn"
MASKED = "z***@example.cn"
REPORT = {
    "service_code": "livelihood_service",
    "address_string": "东村5组村道",
    "description": "村道上的路灯坏了三盏",
    "first_name": "三",
    "last_name": "张",
    "email": EMAIL,
}


@pytest.fixture
def reported(t) -> Case:
    _, key = ApiToken.issue(kind="system", town=t.town, name="市民热线", scope="write")
    response = APIClient().post("/open311/v2/requests.json", dict(REPORT, api_key=key))
    assert response.status_code == 201
    case = Case.objects.get()
    # Stored as given (the timeline is append-only and keeps what happened) …
    assert case.timeline.get(action="create").data["contact"] == {"email": EMAIL}
    return case


def test_mask_email():
    assert elements.mask_email(EMAIL) == MASKED
    assert elements.mask_email("a@b.cn") == "a***@b.cn"
    assert elements.mask_email("不是邮箱") == "****"
    assert elements.mask_email("") == ""


@pytest.mark.parametrize("who", ["officer", "station_user"])
def test_the_people_handling_it_read_the_address_in_full(t, reported, who):
    detail = device_client(getattr(t, who)).get(f"/api/v1/cases/{reported.number}/").json()
    assert detail["phones_visible"] is True
    create = next(e for e in detail["timeline"] if e["action"] == "create")
    assert create["data"]["contact"] == {"email": EMAIL}


@pytest.mark.parametrize("who", ["leader", "office_user", "admin_user"])
def test_everyone_else_reads_it_masked(t, reported, who):
    detail = device_client(getattr(t, who)).get(f"/api/v1/cases/{reported.number}/")
    assert detail.status_code == 200
    assert EMAIL not in detail.content.decode()
    create = next(e for e in detail.json()["timeline"] if e["action"] == "create")
    assert create["data"]["contact"] == {"email": MASKED}


def test_systems_and_the_workbench_never_show_it(t, reported):
    api = system_client(t.town).get(f"/api/v1/cases/{reported.number}/")
    assert api.status_code == 200 and EMAIL not in api.content.decode()
    for fmt in ("json", "xml"):
        _, key = ApiToken.issue(kind="system", town=t.town, name="读", scope="read")
        public = APIClient().get(f"/open311/v2/requests/{reported.number}.{fmt}", {"api_key": key})
        assert public.status_code == 200 and EMAIL not in public.content.decode()
    web = Client()
    web.force_login(t.office_user)
    page = web.get(f"/cases/{reported.number}/")
    assert page.status_code == 200 and EMAIL not in page.content.decode()
