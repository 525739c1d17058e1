"""An Open311 GeoReport v2 client, tried as a new user would: discover, list services, post a
request, read it back — in JSON and in XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from gridcase.cases import filing, services
from gridcase.cases.models import Case
from gridcase.org.models import Role
from tests.factories import CLOSE_DISPUTE, local, submitted_case

BASE = "/open311/v2"


@pytest.fixture
def key(t):
    return ApiToken.issue(kind="system", town=t.town, name="市民热线", scope="write")[1]


@pytest.fixture
def client():
    return APIClient()


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


REPORT = {
    "service_code": "livelihood_service",
    "address_string": "东村5组村道",
    "description": "村道上的路灯坏了三盏,晚上看不见路",
    "first_name": "三",
    "last_name": "张",
    "phone": "13800138001",
    "email": "zhangsan@example.cn",
}


def test_a_new_client_discovers_lists_posts_and_reads_back(t, key, client):
    discovery = client.get(f"{BASE}/discovery.json").json()
    endpoint = discovery["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert "application/json" in endpoint["formats"]

    services_list = client.get(f"{BASE}/services.json").json()
    codes = [s["service_code"] for s in services_list]
    assert codes == [
        "dispute",
        "security_hazard",
        "livelihood_service",
        "environment_campaign",
        "other",
    ]
    assert services_list[0]["service_name"] == "矛盾纠纷"

    definition = client.get(f"{BASE}/services/livelihood_service.json").json()
    village = next(a for a in definition["attributes"] if a["code"] == "village")
    assert {v["name"] for v in village["values"]} == {"东村", "西村"}

    created = client.post(f"{BASE}/requests.json", dict(REPORT, api_key=key))
    assert created.status_code == 201
    [receipt] = created.json()
    number = receipt["service_request_id"]
    assert "东村" in receipt["service_notice"]

    [public] = client.get(f"{BASE}/requests/{number}.json").json()
    assert (public["status"], public["service_code"]) == ("open", "livelihood_service")
    assert public["description"] is None and public["address"] is None  # no key: no text
    [keyed] = client.get(f"{BASE}/requests/{number}.json", {"api_key": key}).json()
    assert keyed["description"] == REPORT["description"]
    assert keyed["address"] == "东村5组村道"
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()] == [number]
    [token] = client.get(f"{BASE}/tokens/{number}.json").json()
    assert token == {"service_request_id": number, "token": number}


def test_the_report_becomes_a_case_submitted_at_grid_level_in_its_village(t, key, client):
    client.post(f"{BASE}/requests.json", dict(REPORT, api_key=key))
    case = Case.objects.get()
    assert (case.state, case.level, case.source) == ("pending", "grid", "open311")
    assert (case.village, case.grid, case.officer) == (t.village, t.grid, t.officer)
    assert case.category == "livelihood_service"
    assert case.course == REPORT["description"]
    assert case.persons == "张三"
    assert case.accept_due is not None and case.submitted_at is not None
    # What the citizen did not say is recorded, not invented.
    assert case.missing_elements == ["缺少起因"]
    assert [e.action for e in case.timeline.all()] == ["create", "submit"]
    create = case.timeline.get(action="create")
    assert create.actor is None
    assert create.data["contact"] == {"email": "zhangsan@example.cn"}
    # The reporter's phone is a party's, masked for those who do not handle the case.
    assert [(p.name, p.phone) for p in case.parties.all()] == [("张三", "13800138001")]
    from tests.api.conftest import device_client

    detail = device_client(t.leader).get(f"/api/v1/cases/{case.number}/").json()
    assert detail["parties"] == [{"name": "张三", "phone": "138****8001"}]
    assert "13800138001" not in str(detail)


def test_the_village_may_be_chosen_by_attribute(t, key, client):
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "security_hazard",
            "lat": "28.123456",
            "long": "112.654321",
            "description": "桥栏杆松动",
            "attribute[village]": str(t.other_village.pk),
            "attribute[persons]": "过往村民",
            "attribute[cause]": "年久失修",
            "attribute[occurred_at]": "2026-10-13T18:00:00+08:00",
        },
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert (case.village, case.officer) == (t.other_village, t.other_officer)
    assert case.missing_elements == []
    assert float(case.latitude) == 28.123456
    assert case.occurred_at == local(2026, 10, 13, 18)


def test_a_report_without_a_village_is_refused_in_open311s_format(t, key, client):
    response = client.post(
        f"{BASE}/requests.xml",
        {
            "api_key": key,
            "service_code": "other",
            "lat": "28.1",
            "long": "112.9",
            "description": "x",
        },
    )
    assert response.status_code == 400
    root = xml(response)
    assert root.tag == "errors"
    assert root.find("error/code").text == "400"
    assert "行政村" in root.find("error/description").text
    assert not Case.objects.exists()


def test_a_village_without_an_officer_refuses_the_report(t, key, client):
    Role.objects.filter(village=t.village, kind="officer").delete()
    response = client.post(f"{BASE}/requests.json", dict(REPORT, api_key=key))
    assert response.status_code == 400
    assert "网格专管员" in response.json()[0]["description"]


@pytest.mark.parametrize(
    "change,status",
    [
        ({"api_key": "gct_wrong"}, 403),
        ({"api_key": None}, 403),
        ({"service_code": "graffiti"}, 400),
        ({"phone": "12345"}, 400),
        ({"email": "不是邮箱"}, 400),
        ({"address_string": None}, 400),
        ({"description": "x" * 4001}, 400),
        ({"colour": "red"}, 400),
        ({"attribute[occurred_at]": "2026-02-30T10:00"}, 400),
    ],
)
def test_bad_posts_are_refused_with_open311_errors(t, key, client, change, status):
    body = {k: v for k, v in {**REPORT, "api_key": key, **change}.items() if v is not None}
    response = client.post(f"{BASE}/requests.json", body)
    assert response.status_code == status, response.content
    [error] = response.json()
    assert error["code"] == status and error["description"]
    assert not Case.objects.exists()


def test_a_read_key_cannot_post(t, client):
    _, read = ApiToken.issue(kind="system", town=t.town, name="只读", scope="read")
    response = client.post(f"{BASE}/requests.json", dict(REPORT, api_key=read))
    assert response.status_code == 403


def test_a_key_of_another_town_cannot_post_here(t, other_town, client):
    _, theirs = ApiToken.issue(kind="system", town=other_town.town, name="b", scope="write")
    response = client.post(
        f"{BASE}/requests.json", dict(REPORT, api_key=theirs, jurisdiction_id="ct")
    )
    assert response.status_code == 403


def test_a_device_token_is_not_an_api_key(t, client):
    _, personal = ApiToken.issue(kind="device", user=t.officer, name="手机", scope="write")
    response = client.post(f"{BASE}/requests.json", dict(REPORT, api_key=personal))
    assert response.status_code == 403


def test_statuses_map_to_open_and_closed_and_filters_apply(t, key, client):
    open_case = submitted_case(t, local(2026, 10, 12, 9))
    closed_case = submitted_case(t, local(2026, 10, 12, 10))
    services.case_accept(case=closed_case, by=t.officer, at=local(2026, 10, 12, 11))
    services.case_close(
        case=closed_case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 12, 12)
    )
    filing.case_create_draft(town=t.town, by=t.officer, data={}, at=local(2026, 10, 12, 9))

    def ids(**params):
        response = client.get(f"{BASE}/requests.json", dict(params, api_key=key))
        assert response.status_code == 200, response.content
        return {(r["service_request_id"], r["status"]) for r in response.json()}

    everything = {(open_case.number, "open"), (closed_case.number, "closed")}
    assert ids() == everything  # drafts are never requests
    assert ids(status="open") == {(open_case.number, "open")}
    assert ids(status="closed") == {(closed_case.number, "closed")}
    assert ids(status="open,closed") == everything
    assert ids(service_code="other") == set()
    assert ids(service_request_id=closed_case.number) == {(closed_case.number, "closed")}
    assert ids(start_date="2026-10-12T09:30:00+08:00") == {(closed_case.number, "closed")}
    assert ids(end_date="2026-10-12T09:30:00+08:00") == {(open_case.number, "open")}
    # Without a key, only the reports filed through Open311 are listed.
    assert client.get(f"{BASE}/requests.json").json() == []


def test_xml_follows_the_standards_elements(t, key, client):
    client.post(f"{BASE}/requests.json", dict(REPORT, api_key=key))
    discovery = xml(client.get(f"{BASE}/discovery.xml"))
    assert discovery.tag == "discovery"
    assert [f.text for f in discovery.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
    services_root = xml(client.get(f"{BASE}/services.xml"))
    assert services_root.tag == "services"
    assert services_root.find("service/service_code").text == "dispute"
    assert services_root.find("service/metadata").text == "true"
    definition = xml(client.get(f"{BASE}/services/dispute.xml"))
    assert definition.tag == "service_definition"
    assert definition.find("attributes/attribute/values/value/name").text == "东村"
    requests_root = xml(client.get(f"{BASE}/requests.xml", {"api_key": key}))
    assert requests_root.tag == "service_requests"
    assert requests_root.find("request/status").text == "open"
    created = xml(client.post(f"{BASE}/requests.xml", dict(REPORT, api_key=key)))
    assert created.tag == "service_requests"
    assert created.find("request/service_request_id").text.startswith("CT-2026-")


def test_the_format_is_the_suffix_whatever_the_accept_header(t, client):
    response = client.get(f"{BASE}/services.xml", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert xml(response).tag == "services"


def test_unknown_things_are_404_in_open311s_format(t, client):
    for url in (
        f"{BASE}/services/graffiti.json",
        f"{BASE}/requests/CT-2026-99999.json",
        f"{BASE}/tokens/nope.json",
        f"{BASE}/services.json?jurisdiction_id=nowhere",
        f"{BASE}/nothing.json",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()[0]["code"] == 404
    assert xml(client.get(f"{BASE}/nothing.xml")).tag == "errors"


def test_with_two_towns_the_jurisdiction_must_be_named(t, other_town, client):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 400
    assert "jurisdiction_id" in response.json()[0]["description"]
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "bs"}).status_code == 200


def test_a_form_with_its_unused_fields_left_empty_is_taken(t, key, client):
    """GeoReport clients post every field of their form, the unused ones empty: empty means
    not given (a required field left empty is still refused, by name)."""
    empty = {"email": "", "lat": "", "long": "", "phone": "", "media_url": "", "account_id": ""}
    form = urlencode({**REPORT, **empty, "api_key": key})
    response = client.post(
        f"{BASE}/requests.json", form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.latitude is None and not case.parties.exists()
    # The same in JSON.
    response = client.post(f"{BASE}/requests.json", {**REPORT, **empty, "api_key": key})
    assert response.status_code == 201, response.content
    response = client.post(f"{BASE}/requests.json", {**REPORT, "description": "", "api_key": key})
    assert response.status_code == 400
    assert "description" in response.json()[0]["description"]
