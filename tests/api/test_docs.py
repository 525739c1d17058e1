"""The published schema and the docs, which must work on a network without internet."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from rest_framework.test import APIClient


def test_the_schema_is_public_and_lists_every_part(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{number}/escalate/",
        "/api/v1/calendar/deadline/",
        "/api/v1/assessment/result/",
        "/open311/v2/requests.{fmt}",
    ):
        assert path in paths
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}
    error = paths["/api/v1/cases/"]["post"]["responses"]["400"]
    assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_docs_load_their_scripts_from_this_server_not_a_cdn(db):
    for url in ("/api/docs/", "/api/docs/redoc/"):
        page = APIClient().get(url).content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sources, url
        assert not [s for s in sources if s.startswith(("http://", "https://", "//"))], sources
        for source in sources:
            if source.startswith("/static/"):
                assert finders.find(source.removeprefix("/static/")), source


def test_the_schema_format_parameter_picks_json_or_yaml(db):
    as_json = APIClient().get("/api/schema/?format=json")
    assert as_json.status_code == 200
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert "/api/v1/cases/" in as_json.json()["paths"]
    as_yaml = APIClient().get("/api/schema/?format=yaml")
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert as_yaml.content.startswith(b"openapi:")
    assert APIClient().get("/api/schema/").content.startswith(b"openapi:")
