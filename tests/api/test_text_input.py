"""The API's text is text: a number, a bool or a list where text is expected is a 400 naming
the field, and so is a character XML cannot carry; a bool is not a number either."""

from __future__ import annotations

import importlib
import pkgutil
import xml.etree.ElementTree as ET

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

import gridcase.api.serializers as api_serializers
from gridcase.api.models import ApiToken
from gridcase.api.serializers.common import TextInput
from gridcase.cases import filing, services
from gridcase.cases.models import Case, Party
from tests.api.conftest import device_client
from tests.factories import local, submitted_case


@pytest.fixture
def officer(t):
    return device_client(t.officer)


def _invalid(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return body


@pytest.mark.parametrize(
    "data,field",
    [
        ({"title": 123}, "title"),
        ({"title": 1.5}, "title"),
        ({"title": True}, "title"),
        ({"location": ["东村"]}, "location"),
        ({"course": {"text": "x"}}, "course"),
        ({"parties": [{"name": 7, "phone": "13800138001"}]}, "parties.0.name"),
        ({"parties": [{"name": "张三", "phone": 13800138001}]}, "parties.0.phone"),
    ],
)
def test_a_value_that_is_not_text_is_refused_naming_the_field(officer, data, field):
    body = _invalid(officer.post("/api/v1/cases/", data, format="json"))
    assert body["fields"][field] == ["应为文本(字符串),不能是数字、布尔值、列表或对象"]
    assert field in body["message"]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "data,field",
    [
        ({"village": True}, "village"),
        ({"grid": False}, "grid"),
    ],
)
def test_a_bool_is_not_a_number(officer, data, field):
    body = _invalid(officer.post("/api/v1/cases/", data, format="json"))
    assert field in body["fields"]


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"title": "路灯\x01坏了"}, "title", "标题含有不允许的控制字符(第 3 个字符)"),
        ({"location": "\x1f东村"}, "location", "发生地点含有不允许的控制字符(第 1 个字符)"),
        ({"course": "a\ufffe"}, "course", "经过含有不允许的控制字符(第 2 个字符)"),
        (
            {"parties": [{"name": "张\x00三", "phone": ""}]},
            "parties.0.name",
            "当事人姓名含有不允许的控制字符(第 2 个字符)",
        ),
    ],
)
def test_a_control_character_is_refused_naming_the_field(officer, data, field, message):
    body = _invalid(officer.post("/api/v1/cases/", data, format="json"))
    assert body["fields"][field] == [message]
    assert not Case.objects.exists()


def test_line_breaks_and_tabs_are_text(officer):
    response = officer.post("/api/v1/cases/", {"course": "第一行\r\n第二行\t完"}, format="json")
    assert response.status_code == 201, response.content


def test_flow_actions_refuse_wrong_types_and_control_characters(t, officer):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    url = f"/api/v1/cases/{case.number}/close/"
    body = _invalid(officer.post(url, {"result": 42}, format="json"))
    assert "result" in body["fields"]
    body = _invalid(officer.post(url, {"agreement_terms": ["一\x02"]}, format="json"))
    assert body["fields"]["agreement_terms.0"] == ["协议内容含有不允许的控制字符(第 2 个字符)"]
    case.refresh_from_db()
    assert case.state == "handling" and case.closed_at is None


def test_the_services_refuse_control_characters_whoever_calls_them(t):
    from gridcase.cases.errors import CaseError

    with pytest.raises(CaseError) as caught:
        filing.case_create_draft(
            town=t.town,
            by=t.officer,
            data={"category": "dispute", "location": "东村\x0b"},
            at=local(2026, 10, 12, 9),
        )
    assert caught.value.fields["location"] == ["发生地点含有不允许的控制字符(第 3 个字符)"]
    with pytest.raises(CaseError) as caught:
        filing.case_create_draft(
            town=t.town,
            by=t.officer,
            data={"category": "dispute", "parties": [{"name": "李\x01四", "phone": ""}]},
            at=local(2026, 10, 12, 9),
        )
    assert "当事人姓名含有不允许的控制字符" in caught.value.fields["parties"][0]
    assert not Case.objects.exists() and not Party.objects.exists()


def _declared_fields(serializer_class):
    """Every field a serializer class declares, with the children of lists and nested ones."""
    pending = list(serializer_class._declared_fields.values())
    while pending:
        field = pending.pop()
        yield field
        lists = serializers.ListField | serializers.DictField | serializers.ListSerializer
        if isinstance(field, lists):
            pending.append(field.child)
        if isinstance(field, serializers.Serializer):
            pending.extend(field._declared_fields.values())


def test_every_text_field_of_the_api_is_strict():
    """A new plain serializers.CharField would coerce 123 to "123" again: none may exist."""
    checked = 0
    for module_info in pkgutil.iter_modules(api_serializers.__path__):
        module = importlib.import_module(f"{api_serializers.__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, serializers.Serializer):
                for field in _declared_fields(value):
                    if isinstance(field, serializers.CharField):
                        checked += 1
                        assert isinstance(field, TextInput), (value, field)
    assert checked > 100


# ---------------------------------------------------------------- Open311

REPORT = {
    "service_code": "livelihood_service",
    "address_string": "东村5组村道",
    "description": "村道上的路灯坏了三盏",
}


@pytest.fixture
def key(t):
    return ApiToken.issue(kind="system", town=t.town, name="市民热线", scope="write")[1]


@pytest.mark.parametrize(
    "change,field",
    [
        ({"description": "路灯\x01"}, "description"),
        ({"address_string": "\x00东村"}, "address_string"),
        ({"attribute[persons]": "张\x1b三"}, "attribute[persons]"),
    ],
)
def test_open311_refuses_control_characters_naming_the_field(t, key, change, field):
    response = APIClient().post("/open311/v2/requests.json", {**REPORT, "api_key": key, **change})
    assert response.status_code == 400, response.content
    [error] = response.json()
    assert f"{field}含有不允许的控制字符" in error["description"]
    assert not Case.objects.exists()


def test_open311_json_refuses_a_number_for_text(t, key):
    response = APIClient().post(
        "/open311/v2/requests.json", {**REPORT, "api_key": key, "description": 5}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "description" in response.json()[0]["description"]


def test_open311_xml_is_well_formed_whatever_is_stored(t, key):
    case = submitted_case(t, local(2026, 10, 12, 9))
    # Old data, stored before the rule: straight through the ORM, as a migration would.
    Case.objects.filter(pk=case.pk).update(
        source="open311",
        title="\x01标题",
        course='经过\x02\x1f=HYPERLINK("http://x","y")\ufffe',
        location="东村\x0b5组",
    )
    client = APIClient()
    for url in (
        f"/open311/v2/requests.xml?api_key={key}",
        f"/open311/v2/requests/{case.number}.xml?api_key={key}",
        f"/open311/v2/requests/{case.number}.xml",
    ):
        response = client.get(url)
        assert response.status_code == 200, response.content
        root = ET.fromstring(response.content)
        [request] = root.findall("request")
        assert request.findtext("service_request_id") == case.number
        if "api_key" in url:
            assert request.findtext("description") == '经过=HYPERLINK("http://x","y")'
            assert request.findtext("address") == "东村5组"


# ---------------------------------------------------------------- query parameters


@pytest.mark.parametrize(
    "url,name",
    [
        ("/api/v1/cases/?state=a%00", "state"),
        ("/api/v1/cases/?page_size=1%00", "page_size"),
        ("/api/v1/cases/?cursor=%00", "cursor"),
        ("/api/v1/cases/?submitted_from=2026-01-01%00", "submitted_from"),
        ("/api/v1/cases/?town=%1f", "town"),
        ("/api/v1/assessment/result/?month=2026-01%00", "month"),
        ("/api/v1/calendar/days/?from=%00&to=2026-01-02", "from"),
    ],
)
def test_a_control_character_in_a_query_is_refused_naming_the_parameter(t, url, name):
    response = device_client(t.officer).get(url)
    assert response.status_code == 400, response.content
    body = response.json()
    message = body["fields"][name][0]
    assert f"查询参数“{name}”含有不允许的控制字符" in message
    assert "\x00" not in response.content.decode() and "\x1f" not in response.content.decode()
    assert "空字符串" not in response.content.decode()


def test_open311_names_the_query_parameter_with_a_control_character(t):
    response = APIClient().get("/open311/v2/requests.json?status=open%00")
    assert response.status_code == 400
    assert "查询参数“status”含有不允许的控制字符(第 5 个字符)" in response.json()[0]["description"]


def test_a_text_of_only_a_control_character_is_not_called_empty(t):
    response = device_client(t.officer).post("/api/v1/cases/", {"title": "\x1f"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["title"] == ["标题含有不允许的控制字符(第 1 个字符)"]


@pytest.mark.parametrize("size", ["abc", "0", "101", "-1", "", "１"])
def test_a_page_size_out_of_bounds_is_refused(t, size):
    response = device_client(t.officer).get("/api/v1/cases/", {"page_size": size})
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["page_size"] == ["每页条数应为 1 到 100 的整数"]


@pytest.mark.parametrize("cursor", ["", "%%", "!!"])
def test_a_cursor_that_is_not_one_is_refused(t, cursor):
    response = device_client(t.officer).get("/api/v1/cases/", {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["fields"]
