"""A control character in a URL path names nothing: every part answers its own 404 (a NUL
in a case number was a 500 on PostgreSQL). Run on both databases."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import device_client
from tests.factories import local, submitted_case


@pytest.fixture
def case(t):
    return submitted_case(t, local(2026, 10, 12, 9))


@pytest.mark.parametrize("suffix", ["%00", "%00x", "%01", "%0A", "%7F", "%EF%BF%BE"])
def test_a_workbench_page_with_a_control_character_is_the_chinese_404(client, t, case, suffix):
    client.force_login(t.officer)
    response = client.get(f"/cases/{case.number}{suffix}/")
    assert response.status_code == 404
    assert "找不到页面" in response.content.decode()
    # The same case without the character is there: only the character made it a 404.
    assert client.get(f"/cases/{case.number}/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/CT-2026%00/",
        "/api/v1/cases/{number}%00/",
        "/api/v1/cases/{number}/close%00/",
    ],
)
def test_an_api_path_with_a_control_character_is_the_json_404(t, case, url):
    officer = device_client(t.officer)
    for method in (officer.get, officer.post):
        response = method(url.format(number=case.number), {}, format="json")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "not_found"


def test_an_open311_id_with_a_control_character_is_open311s_404(t, case):
    client = APIClient()
    response = client.get(f"/open311/v2/requests/{case.number}%00.json")
    assert response.status_code == 404
    [error] = response.json()
    assert error["code"] == 404 and error["description"]
    response = client.get(f"/open311/v2/requests/{case.number}%00.xml")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/xml")
    assert ET.fromstring(response.content).find("error/code").text == "404"


def test_a_path_without_control_characters_is_untouched(client, t):
    client.force_login(t.officer)
    assert client.get("/cases/").status_code == 200
    assert client.get("/cases/CT-2026-99999/").status_code == 404
