"""Open311 reports placed by their point: point-in-polygon first (lat/long, WGS-84 or the
`crs` extension), the village chosen by attribute wins, the address text as the fallback."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from gridcase.cases.models import Case
from gridcase.core import coords
from gridcase.org.models import Grid
from tests.factories import make_user
from tests.org import geo_town
from tests.org.geo_town import IN_EAST_SECOND, IN_WEST, OUTSIDE

BASE = "/open311/v2"


@pytest.fixture
def key(t):
    return ApiToken.issue(kind="system", town=t.town, name="市民热线", scope="write")[1]


@pytest.fixture
def second(t):
    return geo_town.map_town(t)


def post(key, where=None, **extra):
    body = {"api_key": key, "service_code": "other", "description": "路灯坏了", **extra}
    if where is not None:
        body.setdefault("lat", f"{where[0]:.9f}")
        body.setdefault("long", f"{where[1]:.9f}")
    return APIClient().post(f"{BASE}/requests.json", body)


def test_the_point_places_the_report_in_its_village_and_grid(t, key, second):
    # The address names 东村, the point lies in 西村: the point wins.
    response = post(key, IN_WEST, address_string="东村5组")
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    west_grid = Grid.objects.get(village=t.other_village)
    assert (case.village, case.grid, case.officer) == (t.other_village, west_grid, t.other_officer)
    assert "西村" in response.json()[0]["service_notice"]


def test_the_grids_own_officer_takes_the_report(t, key, second):
    second_officer = make_user("second_officer", t.town, "officer", village=t.village, grid=second)
    post(key, IN_EAST_SECOND)
    case = Case.objects.get()
    assert (case.village, case.grid, case.officer) == (t.village, second, second_officer)


def test_a_point_stated_in_gcj02_is_converted_and_stored_in_wgs84(t, key, second):
    glat, glon = coords.wgs84_to_gcj02(*IN_EAST_SECOND)
    response = post(key, (glat, glon), crs="gcj02")
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.grid == second
    assert coords.distance_m(float(case.latitude), float(case.longitude), *IN_EAST_SECOND) < 2


def test_the_village_chosen_by_attribute_wins_and_takes_the_points_grid(t, key, second):
    post(key, IN_EAST_SECOND, **{"attribute[village]": "西村"})
    case = Case.objects.get()
    assert (case.village, case.grid) == (t.other_village, Grid.objects.get(village=t.other_village))
    post(key, IN_EAST_SECOND, **{"attribute[village]": "东村"})
    assert Case.objects.latest("id").grid == second


def test_the_address_is_the_fallback_outside_the_map_or_without_one(t, key, second):
    response = post(key, OUTSIDE, address_string="西村桥头")
    assert response.status_code == 201, response.content
    assert Case.objects.get().village == t.other_village
    response = post(key, OUTSIDE)  # nothing else to go by
    assert response.status_code == 400
    [error] = response.json()
    assert "lat/long" in error["description"]


def test_a_town_without_boundaries_places_by_the_address_as_before(t, key):
    response = post(key, IN_WEST, address_string="东村5组")
    assert response.status_code == 201, response.content
    assert Case.objects.get().village == t.village


def test_the_docs_say_lat_long_are_wgs84(client):
    schema = client.get("/api/schema/?format=json").json()
    create = schema["paths"]["/open311/v2/requests.{fmt}"]["post"]
    assert "lat/long 为 WGS-84" in create["description"]
