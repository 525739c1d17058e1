"""The entry form places the case by its point (cases/placing.py): the coordinate system it
was typed in, the village and grid chosen by hand, and locate.json, which the form's script
asks where a point lies."""

from __future__ import annotations

import pytest

from gridcase.cases import filing
from gridcase.cases.models import Case
from gridcase.core import coords
from gridcase.org.models import Grid
from tests.org import geo_town
from tests.org.geo_town import IN_EAST_FIRST, IN_EAST_SECOND, IN_WEST, OUTSIDE
from tests.web.test_case_entry import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(t):
    return geo_town.map_town(t)


def typed(where, **more):
    return form_data(intent="save", latitude=f"{where[0]:.6f}", longitude=f"{where[1]:.6f}", **more)


def test_the_form_offers_the_system_and_the_officers_own_places(login, t, frozen, second):
    html = login(t.officer).get("/cases/new/").content.decode()
    assert 'name="crs"' in html and "GCJ-02(高德/腾讯/微信)" in html and "BD-09(百度)" in html
    assert f'<option value="{t.village.pk}">东村</option>' in html
    assert f'value="{t.other_village.pk}"' not in html  # not the officer's village
    assert f'<option value="{second.pk}">东村·第二网格</option>' in html
    assert "按位置自动确定" in html and "web/locate.js" in html


def test_a_gcj02_point_typed_in_the_form_is_stored_in_wgs84_and_places_the_case(
    login, t, frozen, second
):
    glat, glon = coords.wgs84_to_gcj02(*IN_EAST_SECOND)
    response = login(t.officer).post("/cases/new/", typed((glat, glon), crs="gcj02"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert coords.distance_m(float(case.latitude), float(case.longitude), *IN_EAST_SECOND) < 2
    assert (case.village, case.grid) == (t.village, second)


def test_a_point_outside_every_grid_is_named_next_to_the_latitude(login, t, frozen, second):
    response = login(t.officer).post("/cases/new/", typed(OUTSIDE))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_latitude_error"' in html
    assert "该位置不在本镇任何行政村和网格的边界内" in html
    assert not Case.objects.exists()
    # The officer chooses the grid by hand: that wins.
    response = login(t.officer).post("/cases/new/", typed(OUTSIDE, grid=str(t.grid.pk)))
    assert response.status_code == 302
    assert Case.objects.get().grid == t.grid


def test_editing_a_draft_offers_only_its_villages_grids(login, t, frozen, second):
    draft = filing.case_create_draft(town=t.town, by=t.officer, data={"location": "东村"})
    html = login(t.officer).get(f"/cases/{draft.number}/edit/").content.decode()
    assert 'name="village"' not in html
    assert f'<option value="{second.pk}">东村·第二网格</option>' in html
    west = Grid.objects.get(village=t.other_village)
    assert f'value="{west.pk}"' not in html
    assert "当前所属:东村 · 第一网格" in html
    # A new point moves it to the grid it lies in.
    response = login(t.officer).post(f"/cases/{draft.number}/edit/", typed(IN_EAST_SECOND))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.grid == second


def locate(client, where, crs="wgs84"):
    return client.get(
        "/cases/locate.json", {"lat": f"{where[0]:.6f}", "lon": f"{where[1]:.6f}", "crs": crs}
    )


def test_locate_says_where_a_point_lies(login, t, frozen, second):
    client = login(t.officer)
    body = locate(client, IN_EAST_SECOND).json()
    assert body["found"] and body["yours"]
    assert body["message"] == "位置属于:东村 · 第二网格"
    assert (body["village"]["id"], body["grid"]["id"]) == (t.village.pk, second.pk)
    blat, blon = coords.wgs84_to_bd09(*IN_EAST_FIRST)
    body = locate(client, (blat, blon), crs="bd09").json()
    assert body["grid"]["id"] == t.grid.pk
    assert coords.distance_m(body["latitude"], body["longitude"], *IN_EAST_FIRST) < 2


def test_locate_says_when_a_point_is_not_the_officers_or_nowhere(login, t, frozen, second):
    client = login(t.officer)
    body = locate(client, IN_WEST).json()
    assert body["found"] and not body["yours"]
    assert body["message"].startswith("位置属于:西村 · 第一网格(不在您负责的行政村")
    body = locate(client, OUTSIDE).json()
    assert not body["found"] and body["mapped"]
    assert body["message"].startswith("该位置不在本镇任何行政村和网格的边界内")


def test_locate_in_a_town_without_boundaries_says_so(login, t, frozen):
    body = locate(login(t.officer), IN_WEST).json()
    assert (body["found"], body["mapped"]) == (False, False)
    assert "尚无完整的边界数据" in body["message"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"lat": "北纬", "lon": "112"},
        {"lat": "95", "lon": "112"},
        {"lat": "28", "lon": "112", "crs": "mercator"},
        {"lat": "nan", "lon": "112"},
    ],
)
def test_locate_refuses_what_is_not_a_point(login, t, frozen, query):
    response = login(t.officer).get("/cases/locate.json", query)
    assert response.status_code == 400
    assert response.json()["message"] == "请填写有效的纬度、经度和坐标系"


def test_locate_is_for_officers_only(login, t, frozen, second):
    assert locate(login(t.center_user), IN_EAST_FIRST).status_code == 403
