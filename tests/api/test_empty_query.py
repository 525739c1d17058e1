"""An empty query parameter (`town=`) is refused naming it, as the schema's minLength says."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import device_client


@pytest.mark.parametrize(
    "url,name",
    [
        ("/api/v1/cases/?town=", "town"),
        ("/api/v1/cases/?state=", "state"),
        ("/api/v1/cases/?village=", "village"),
        ("/api/v1/assessment/result/?quarter=&month=2026-09", "quarter"),
        ("/api/v1/assessment/result/?town=&month=2026-09", "town"),
        ("/api/v1/calendar/deadline/?town=&from=2026-10-01&working_days=3", "town"),
        ("/api/v1/org/villages/?town=", "town"),
    ],
)
def test_an_empty_parameter_is_refused_naming_it(t, url, name):
    response = device_client(t.center_user).get(url)
    assert response.status_code == 400, response.content
    assert response.json()["fields"][name] == ["不能为空:不用该参数时请省略它"]


@pytest.mark.parametrize(
    "url", ["/open311/v2/services.json?jurisdiction_id=", "/open311/v2/requests.json?status="]
)
def test_open311_refuses_an_empty_parameter(t, url):
    response = APIClient().get(url)
    assert response.status_code == 400, response.content
    assert "不能为空" in response.json()[0]["description"]


def test_the_schema_says_a_value_has_a_character(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    [town] = [
        p for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"] if p["name"] == "town"
    ]
    assert town["schema"]["minLength"] == 1
