"""Placing a case by its point over the API: the input's coordinate system (crs), the case's
point in the detail (GeoJSON, WGS-84), and the refusals naming their field."""

from __future__ import annotations

import pytest

from gridcase.cases.models import Case
from gridcase.core import coords
from tests.api.conftest import device_client
from tests.org import geo_town
from tests.org.geo_town import IN_EAST_FIRST, IN_EAST_SECOND, IN_WEST, OUTSIDE


@pytest.fixture
def second(t):
    return geo_town.map_town(t)


def create(t, body):
    return device_client(t.officer).post("/api/v1/cases/", body, format="json")


def test_a_gcj02_point_is_stored_in_wgs84_and_places_the_case(t, second):
    glat, glon = coords.wgs84_to_gcj02(*IN_EAST_SECOND)
    response = create(
        t,
        {
            "category": "dispute",
            "crs": "gcj02",
            "latitude": round(glat, 6),
            "longitude": round(glon, 6),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grid"] == {"id": second.pk, "name": "第二网格"}
    assert body["crs"] == "wgs84"
    lon, lat = body["point"]["coordinates"]
    assert body["point"]["type"] == "Point"
    assert (lat, lon) == (body["latitude"], body["longitude"])
    assert coords.distance_m(lat, lon, *IN_EAST_SECOND) < 2


def test_the_default_system_is_wgs84(t, second):
    lat, lon = (round(v, 6) for v in IN_EAST_FIRST)
    body = create(t, {"latitude": lat, "longitude": lon}).json()
    assert body["point"] == {"type": "Point", "coordinates": [lon, lat]}
    assert body["grid"]["id"] == t.grid.pk


def test_a_case_without_a_point_has_none(t):
    body = create(t, {}).json()
    assert (body["point"], body["crs"]) == (None, "wgs84")


@pytest.mark.parametrize(
    "where,message",
    [(OUTSIDE, "该位置不在本镇任何行政村和网格的边界内"), (IN_WEST, "该位置属于西村 · 第一网格")],
)
def test_a_point_that_cannot_place_the_case_names_latitude(t, second, where, message):
    lat, lon = (round(v, 6) for v in where)
    response = create(t, {"latitude": lat, "longitude": lon})
    assert response.status_code == 400
    assert response.json()["fields"]["latitude"][0].startswith(message)
    assert not Case.objects.exists()
    # A place chosen by hand wins.
    response = create(t, {"latitude": lat, "longitude": lon, "grid": t.grid.pk})
    assert response.status_code == 201, response.content
    assert response.json()["grid"]["id"] == t.grid.pk


def test_an_unknown_system_and_half_a_point_are_named(t):
    response = create(t, {"crs": "mercator", "latitude": 28.2, "longitude": 112.9})
    assert response.status_code == 400 and "crs" in response.json()["fields"]
    response = create(t, {"crs": "bd09", "latitude": 28.2})
    assert response.status_code == 400 and "longitude" in response.json()["fields"]
    assert not Case.objects.exists()


def test_a_new_point_moves_a_draft_between_its_villages_grids(t, second):
    lat, lon = (round(v, 6) for v in IN_EAST_FIRST)
    number = create(t, {"latitude": lat, "longitude": lon}).json()["number"]
    blat, blon = coords.wgs84_to_bd09(*IN_EAST_SECOND)
    client = device_client(t.officer)
    patched = client.patch(
        f"/api/v1/cases/{number}/",
        {"crs": "bd09", "latitude": round(blat, 6), "longitude": round(blon, 6)},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["grid"]["id"] == second.pk
    lat, lon = (round(v, 6) for v in IN_WEST)
    refused = client.patch(
        f"/api/v1/cases/{number}/", {"latitude": lat, "longitude": lon}, format="json"
    )
    assert refused.status_code == 400
    assert "latitude" in refused.json()["fields"]


def test_the_schema_says_which_system_input_expects(client):
    schema = client.get("/api/schema/?format=json").json()
    draft = schema["components"]["schemas"]["CaseDraftRequest"]["properties"]
    enum = draft["crs"]["allOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][enum]["enum"]) == {
        "wgs84",
        "cgcs2000",
        "gcj02",
        "bd09",
    }
    assert draft["crs"]["default"] == "wgs84"
    assert "WGS-84" in draft["crs"]["description"]
    detail = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert "point" in detail and "crs" in detail
