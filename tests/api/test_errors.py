"""Bad input is a 400 with a stable code, a Chinese message and the fields — never a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gridcase.cases.models import Case
from tests.api.conftest import device_client
from tests.factories import local, submitted_case


@pytest.fixture
def officer(t):
    return device_client(t.officer)


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"]
    return body


@pytest.mark.parametrize(
    "raw",
    [
        "{bad",
        '{"title": "未闭合',
        "[" * 100_000 + "]" * 100_000,
        '{"latitude": NaN}',
        '{"latitude": Infinity}',
        b"\xff\xfe{}",
    ],
    ids=["syntax", "unterminated", "deep_nesting", "nan", "infinity", "not_utf8"],
)
def test_malformed_json_is_a_parse_error(officer, raw):
    response = officer.post("/api/v1/cases/", raw, content_type="application/json")
    _error(response, 400, "parse_error")
    assert not Case.objects.exists()


def test_a_body_that_is_not_an_object_is_refused(officer):
    body = _error(
        officer.post("/api/v1/cases/", "[1, 2]", content_type="application/json"), 400, "invalid"
    )
    assert "non_field_errors" in body["fields"]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"title": ["一", "二"]}, "title"),
        ({"title": {"a": 1}}, "title"),
        ({"major": "也许"}, "major"),
        ({"category": 7}, "category"),
        ({"latitude": "北纬"}, "latitude"),
        ({"latitude": 91}, "latitude"),
        ({"parties": "张三"}, "parties"),
        ({"parties": [{"name": 1, "phone": ["x"]}]}, "parties.0.phone"),
        ({"village": "东村"}, "village"),
        ({"village": 10**30}, "village"),
        ({"grid": -1}, "grid"),
    ],
)
def test_wrong_types_name_the_field(officer, data, field):
    body = _error(officer.post("/api/v1/cases/", data, format="json"), 400, "invalid")
    assert field in body["fields"]


def test_unknown_fields_are_refused_not_ignored(officer):
    body = _error(
        officer.post("/api/v1/cases/", {"title": "x", "severity": "高"}, format="json"),
        400,
        "invalid",
    )
    assert body["fields"] == {"severity": ["未知字段:请删除,或检查字段名的拼写"]}
    assert not Case.objects.exists()


def test_unknown_fields_of_a_party_are_refused(officer):
    body = _error(
        officer.post("/api/v1/cases/", {"parties": [{"name": "张三", "age": 40}]}, format="json"),
        400,
        "invalid",
    )
    assert "parties.0.age" in body["fields"]


@pytest.mark.parametrize(
    "field,limit", [("title", 200), ("location", 300), ("persons", 5000), ("course", 10000)]
)
def test_huge_strings_are_refused(officer, field, limit):
    body = _error(
        officer.post("/api/v1/cases/", {field: "字" * (limit + 1)}, format="json"), 400, "invalid"
    )
    assert field in body["fields"]


def test_a_body_over_a_megabyte_is_too_large(officer):
    response = officer.post(
        "/api/v1/cases/",
        '{"title": "' + "x" * (1024 * 1024) + '"}',
        content_type="application/json",
    )
    _error(response, 413, "payload_too_large")


@pytest.mark.parametrize(
    "value", ["2026-02-30T10:00:00+08:00", "2026-13-01T00:00:00Z", "昨天", "2026-10-12T25:00"]
)
def test_impossible_dates_are_refused(officer, value):
    body = _error(
        officer.post("/api/v1/cases/", {"occurred_at": value}, format="json"), 400, "invalid"
    )
    assert "occurred_at" in body["fields"]


def test_a_date_in_the_future_is_refused_by_the_service(officer):
    body = _error(
        officer.post("/api/v1/cases/", {"occurred_at": "2027-01-01T00:00:00+08:00"}, format="json"),
        400,
        "invalid",
    )
    assert body["fields"]["occurred_at"] == ["发生时间不能晚于现在"]


@pytest.mark.parametrize("phone", ["12345", "1380013800", "23800138001", "电话", "0731-12"])
def test_phone_numbers_that_are_not_phone_numbers_are_refused(officer, phone):
    body = _error(
        officer.post(
            "/api/v1/cases/", {"parties": [{"name": "张三", "phone": phone}]}, format="json"
        ),
        400,
        "invalid",
    )
    assert "parties.0.phone" in body["fields"]
    assert "不是有效的电话号码" in body["fields"]["parties.0.phone"][0]


@pytest.mark.parametrize("phone", ["13800138001", "+86 138 0013 8001", "0731-84561234"])
def test_real_phone_numbers_are_accepted(officer, phone):
    response = officer.post(
        "/api/v1/cases/", {"parties": [{"name": "张三", "phone": phone}]}, format="json"
    )
    assert response.status_code == 201


def test_nul_characters_are_refused(officer):
    body = _error(
        officer.post("/api/v1/cases/", {"title": "a\x00b"}, format="json"), 400, "invalid"
    )
    assert "title" in body["fields"]


@pytest.mark.parametrize(
    "query,field",
    [
        ("state=lost", "state"),
        ("light=blue", "light"),
        ("submitted_from=2026-02-30", "submitted_from"),
        ("submitted_from=2026-10-10&submitted_to=2026-10-01", "submitted_to"),
        ("village=abc", "village"),
        ("village=99999999999999999999999", "village"),
        ("q=" + "x" * 101, "q"),
        ("q=a%00b", "q"),
        ("cursor=bm9wZQ", "cursor"),
        ("cursor=cD1hYmM%3D", "cursor"),
    ],
)
def test_bad_filters_are_400(officer, query, field):
    body = _error(officer.get(f"/api/v1/cases/?{query}"), 400, "invalid")
    assert field in body["fields"]


def test_an_unsupported_content_type_is_415(officer):
    response = officer.post("/api/v1/cases/", "title=x", content_type="text/plain")
    _error(response, 415, "unsupported_media_type")


def test_an_unsupported_accept_is_406(officer):
    _error(officer.get("/api/v1/cases/", HTTP_ACCEPT="application/xml"), 406, "not_acceptable")


def test_a_wrong_method_is_405(officer):
    _error(officer.delete("/api/v1/cases/"), 405, "method_not_allowed")


def test_an_unknown_address_is_a_json_404(officer):
    _error(officer.get("/api/v1/nothing-here/"), 404, "not_found")


def test_a_missing_final_slash_redirects_keeping_the_method(officer):
    response = officer.post("/api/v1/cases", {}, format="json")
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/cases/"


def test_a_case_number_with_strange_characters_is_404(officer):
    _error(officer.get("/api/v1/cases/%E2%80%AE../"), 404, "not_found")


def test_an_id_too_large_for_the_database_is_404(t, officer):
    case = submitted_case(t, local(2026, 10, 12, 9))
    url = f"/api/v1/cases/{case.number}/extensions/9999999999999999999999/decide/"
    _error(officer.post(url, {"approve": True}, format="json"), 404, "not_found")


def test_without_credentials_it_is_401_with_a_challenge():
    response = APIClient().get("/api/v1/cases/")
    body = _error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Token")
    assert body["message"] == "请先登录或提供有效的令牌"


def test_messages_are_chinese_whatever_the_accept_language(officer):
    response = officer.post(
        "/api/v1/cases/", {"category": "nope"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    body = _error(response, 400, "invalid")
    assert "不是合法选项" in body["fields"]["category"][0]
