"""The schema states what the server enforces, and the server enforces what the schema states."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import device_client


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/?format=json").json()


def _parameter(schema, path, method, name):
    [found] = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
    return found["schema"]


def test_every_request_body_refuses_unknown_keys(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media["schema"]["$ref"].rsplit("/", 1)[-1]
                body = schema["components"]["schemas"][ref]
                assert body["additionalProperties"] is False, (method, path, ref)


def test_the_idempotency_key_is_described_as_the_server_reads_it(schema, t):
    key = _parameter(schema, "/api/v1/cases/", "post", "Idempotency-Key")
    assert key == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}
    client = device_client(t.officer)
    for bad in ("", "has space", "x" * 256):
        response = client.post("/api/v1/cases/", {}, format="json", HTTP_IDEMPOTENCY_KEY=bad)
        assert response.status_code == 400
        assert "Idempotency-Key" in response.json()["fields"]


def test_months_and_quarters_have_their_pattern_and_the_server_holds_to_it(schema, t):
    month = _parameter(schema, "/api/v1/assessment/result/", "get", "month")
    quarter = _parameter(schema, "/api/v1/assessment/result/", "get", "quarter")
    assert month["pattern"] == "^20[0-9]{2}-(0[1-9]|1[0-2])$"
    assert quarter["pattern"] == "^20[0-9]{2}-Q[1-4]$"
    path = _parameter(schema, "/api/v1/assessment/quarters/{quarter}/", "get", "quarter")
    assert path["pattern"] == quarter["pattern"]
    office = device_client(t.office_user)
    for url, name in [
        ("/api/v1/assessment/result/?quarter=2026-q3", "quarter"),
        ("/api/v1/assessment/result/?month=0000-01", "month"),
        ("/api/v1/assessment/quarters/2026-q3/", "quarter"),
        ("/api/v1/assessment/result/?month=2026-09&quarter=2026-Q3", "month"),
        ("/api/v1/assessment/result/", "month"),
    ]:
        response = office.get(url)
        assert response.status_code == 400, (url, response.content)
        assert name in response.json()["fields"]
    description = schema["paths"]["/api/v1/assessment/result/"]["get"]["description"]
    assert "month 与 quarter 必须且只能给出一个" in description


def test_calendar_dates_are_within_the_years_the_server_knows(schema, t):
    for name in ("from", "to"):
        assert (
            _parameter(schema, "/api/v1/calendar/days/", "get", name)["pattern"] == "^20[0-9]{2}-"
        )
    response = device_client(t.officer).get(
        "/api/v1/calendar/deadline/", {"from": "1999-12-31", "working_days": 1}
    )
    assert response.status_code == 400
    assert "from" in response.json()["fields"]


def test_open311_status_and_location(schema, t):
    status = _parameter(schema, "/open311/v2/requests.{fmt}", "get", "status")
    assert status["pattern"] == "^(closed|open)(,(closed|open))*$"
    for bad in ("open,", " open", "open,,closed", "opened"):
        response = APIClient().get("/open311/v2/requests.json", {"status": bad})
        assert response.status_code == 400, bad
    assert (
        APIClient().get("/open311/v2/requests.json", {"status": "closed,open"}).status_code == 200
    )
    create = schema["components"]["schemas"]["RequestCreateRequest"]
    assert {"required": ["address_string"]} in create["anyOf"]
    assert "description" in create["required"]
    assert "须提供位置" in create["description"]
