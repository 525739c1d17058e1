"""The town's map: its page, and the GeoJSON of open cases it draws — scoped as the lists are,
filtered as the list is, each light the list's own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from gridcase.cases import filing, services
from gridcase.settings import map_tiles_source
from gridcase.web.views import map as map_view
from tests.factories import CLOSE_DISPUTE, complete_data, local, make_town, submitted_case

pytestmark = pytest.mark.django_db

LAT, LON = Decimal("28.100000"), Decimal("112.900000")


def placed(t, at, *, by=None, n=0, **overrides):
    """A submitted case with a point (by the officer of the village it belongs to)."""
    by = by or t.officer
    point = {"latitude": LAT + n * Decimal("0.001"), "longitude": LON, "title": f"围墙纠纷{n}"}
    data = complete_data(at, **(point | overrides))
    case = filing.case_create_draft(town=t.town, by=by, data=data, at=at)
    return filing.case_submit(case=case, by=by, at=at)


def points_of(client, query: str = "") -> dict[str, list]:
    """The points by case number: [latitude, longitude, number, title, light]."""
    response = client.get("/map/points.json" + query)
    assert response.status_code == 200
    return {point[2]: point for point in response.json()["points"]}


@pytest.fixture
def cases(t, frozen):
    """Open cases with points in both villages, one without a point, one closed."""
    east_red = placed(t, local(2026, 9, 29, 9))  # accept by 8 Oct: red
    east_yellow = placed(t, local(2026, 10, 13, 9), n=1)  # by 15 Oct: yellow
    west_green = placed(t, local(2026, 10, 14, 9), by=t.other_officer, n=2)  # green
    no_point = submitted_case(t, local(2026, 10, 14, 9))
    closed = placed(t, local(2026, 10, 12, 9), n=3)
    services.case_accept(case=closed, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_close(case=closed, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 12, 11))
    return {
        "east_red": east_red,
        "east_yellow": east_yellow,
        "west_green": west_green,
        "no_point": no_point,
        "closed": closed,
    }


def test_the_town_wide_roles_see_every_open_case_with_a_point(login, t, cases):
    expected = {cases[k].number for k in ("east_red", "east_yellow", "west_green")}
    for user in (t.center_user, t.office_user, t.leader):
        assert set(points_of(login(user))) == expected, user


def test_a_point_has_its_place_number_title_and_light(login, t, cases):
    data = login(t.center_user).get("/map/points.json").json()
    point = {p[2]: p for p in data["points"]}[cases["east_red"].number]
    assert point == [28.1, 112.9, cases["east_red"].number, cases["east_red"].title, "red"]
    assert data["lights"] == {"red": "已超期", "yellow": "即将到期", "green": "正常"}
    assert data["case_url"] == "/cases/NUMBER/"


def test_the_village_station_and_the_officer_see_their_village_only(login, t, cases):
    # (The officer's one grid is the whole of the fixture's village.)
    east = {cases["east_red"].number, cases["east_yellow"].number}
    assert set(points_of(login(t.station_user))) == east
    assert set(points_of(login(t.officer))) == east
    assert set(points_of(login(t.other_station_user))) == {cases["west_green"].number}


def test_the_officer_sees_their_grid_and_what_they_entered(login, t, cases):
    from gridcase.cases.models import Case
    from gridcase.org.models import Grid

    # A case of another grid of the officer's village, entered by someone else: not theirs.
    second = Grid.objects.create(village=t.village, name="第二网格")
    Case.objects.filter(pk=cases["east_yellow"].pk).update(grid=second, officer=t.station_user)
    assert set(points_of(login(t.officer))) == {cases["east_red"].number}
    assert cases["east_yellow"].number in points_of(login(t.station_user))


def test_a_department_has_no_area_on_the_map(login, t, cases):
    assert points_of(login(t.department_user)) == {}


def test_another_town_sees_nothing_of_this_one(login, t, cases):
    other = make_town("石门镇", "sm", prefix="sm_")
    for user in (other.center_user, other.leader):
        assert points_of(login(user)) == {}


def test_signed_out_the_map_and_its_points_send_to_the_sign_in(client, t):
    for url in ("/map/", "/map/points.json"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_lights_are_the_lists_lights(login, t, cases):
    client = login(t.center_user)
    listed = client.get("/cases/?tab=all").context["rows"]
    list_lights = {row["case"].number: row["light"] for row in listed}
    for number, point in points_of(client).items():
        assert point[4] == list_lights[number], number
    assert {point[4] for point in points_of(client).values()} == {
        "red",
        "yellow",
        "green",
    }


def test_the_lists_filters_apply(login, t, cases):
    client = login(t.center_user)
    assert set(points_of(client, "?light=red")) == {cases["east_red"].number}
    assert set(points_of(client, "?light=yellow")) == {cases["east_yellow"].number}
    village = f"?village={t.other_village.pk}"
    assert set(points_of(client, village)) == {cases["west_green"].number}
    assert points_of(client, "?category=other") == {}
    # A wrong value is ignored, as in the list, never an error.
    assert len(points_of(client, "?date_from=2026-13-40")) == 3


def test_more_cases_than_the_cap_are_cut_with_a_message(login, t, cases, monkeypatch):
    monkeypatch.setattr(map_view, "MAX_POINTS", 2)
    data = login(t.center_user).get("/map/points.json").json()
    assert data["capped"] is True and len(data["points"]) == 2
    assert "只显示最新的2件" in data["message"]
    # The newest are kept.
    kept = {point[2] for point in data["points"]}
    assert kept == {cases["west_green"].number, cases["east_yellow"].number}


def test_no_case_with_a_point_says_so(login, t, frozen):
    data = login(t.center_user).get("/map/points.json").json()
    assert data["points"] == [] and data["message"] == "没有带坐标的未办结事件。"


def test_the_points_take_the_same_queries_for_3_cases_or_30(
    login, t, frozen, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(t.center_user)
    for n in range(3):
        placed(t, local(2026, 10, 13, 9), n=n)
    with CaptureQueriesContext(connection) as few:
        assert len(points_of(client)) == 3
    for n in range(27):
        placed(t, local(2026, 10, 13, 9), n=n)
    with django_assert_max_num_queries(len(few)):
        assert len(points_of(client)) == 30


def test_the_page_carries_the_filters_to_its_points_and_has_no_inline_script(login, t, frozen):
    response = login(t.leader).get("/map/?light=red&category=dispute")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-points="/map/points.json?light=red&amp;category=dispute"' in html
    assert 'data-tiles=""' in html
    assert "<script>" not in html and "<script nonce" not in html
    assert 'href="/map/"' in html and "一张图" in html  # the navigation entry


def test_the_map_is_in_the_navigation_of_the_roles_it_is_for(login, t, frozen):
    for user in (t.center_user, t.office_user, t.leader, t.station_user, t.officer):
        assert "一张图" in login(user).get("/").content.decode(), user
    assert "一张图" not in login(t.department_user).get("/").content.decode()


def test_a_tile_server_is_given_to_the_page(login, t, frozen, settings):
    settings.GRIDCASE_MAP_TILES = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    html = login(t.leader).get("/map/").content.decode()
    assert 'data-tiles="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in html


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("", None),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("https://tiles.example.gov.cn/{z}/{x}/{y}.png", "https://tiles.example.gov.cn"),
        ("http://10.1.2.3:8080/wmts?x={x}&y={y}&z={z}", "http://10.1.2.3:8080"),
        ("https://t{s}.tianditu.gov.cn/vec_w/wmts?TILECOL={x}", "https://*.tianditu.gov.cn"),
    ],
)
def test_the_tile_servers_source_for_the_csp(template, source):
    assert map_tiles_source(template) == source


@pytest.mark.parametrize(
    "template", ["ftp://x.example/{z}", "tiles/{z}.png", "https://a.{s}.example/{z}"]
)
def test_a_tile_template_that_is_not_a_url_is_refused(template):
    with pytest.raises(ImproperlyConfigured, match="GRIDCASE_MAP_TILES"):
        map_tiles_source(template)


def test_the_case_page_shows_its_point_when_it_has_one(login, t, cases):
    client = login(t.center_user)
    html = client.get(f"/cases/{cases['east_red'].number}/").content.decode()
    assert 'id="case-map"' in html
    assert 'data-lat="28.100000" data-lon="112.900000" data-light="red"' in html
    assert "vendor/leaflet/leaflet.js" in html and "web/map.js" in html
    html = client.get(f"/cases/{cases['no_point'].number}/").content.decode()
    assert 'id="case-map"' not in html and "leaflet" not in html


def test_the_tile_server_is_allowed_by_the_csp_when_set():
    # Settings are read once, at start: a fresh interpreter with the variable set.
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gridcase.settings",
        "GRIDCASE_MAP_TILES": "https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        "'self'",
        "data:",
        "blob:",
        "https://*.tianditu.gov.cn",
    ]


def square(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_the_boundaries_of_the_persons_area_come_with_the_points(login, t, frozen):
    from gridcase.org.models import Grid, Village

    # Set directly: the boundaries' checks are org's; the map only draws what is stored.
    Village.objects.filter(pk=t.village.pk).update(boundary=square(112.8, 28.0, 0.2))
    Village.objects.filter(pk=t.other_village.pk).update(boundary=square(113.0, 28.0, 0.2))
    Grid.objects.filter(pk=t.grid.pk).update(boundary=square(112.8, 28.0, 0.1))
    other_grid = Grid.objects.get(village=t.other_village)
    Grid.objects.filter(pk=other_grid.pk).update(boundary=square(113.0, 28.0, 0.1))

    def areas(user):
        data = login(user).get("/map/points.json").json()
        return [v["name"] for v in data["villages"]], [g["name"] for g in data["grids"]]

    assert areas(t.leader) == (["东村", "西村"], ["东村·第一网格", "西村·第一网格"])
    assert areas(t.station_user) == (["东村"], ["东村·第一网格"])
    assert areas(t.officer) == (["东村"], ["东村·第一网格"])
    assert areas(t.department_user) == ([], [])
    assert areas(make_town("石门镇", "sm", prefix="sm_").leader) == ([], [])
    data = login(t.leader).get("/map/points.json").json()
    assert data["villages"][0]["geometry"] == square(112.8, 28.0, 0.2)
