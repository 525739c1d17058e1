"""A point picked on the map (issue 13): on the entry form, a tap on the small map fills the
latitude and longitude in WGS-84, says where the point lies (locate.js) and chooses the place;
the map opens around the officer's grids and asks nothing of any other host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from gridcase.cases.models import Case
from gridcase.core import coords
from tests.org import geo_town
from tests.web.test_browser_workbench import browser, page_for, t  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tap_on_the_map_fills_the_point_and_places_the_case(page_for, t, settings):  # noqa: F811
    settings.GRIDCASE_MAP_TILES = ""
    second = geo_town.map_town(t)
    page = page_for(t.officer, phone=True)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    page.goto(page.url + "cases/new/")
    page.select_option("#id_crs", "gcj02")  # the map's point is WGS-84 whatever was chosen
    picker = page.locator("#pick-map")
    picker.wait_for(state="visible")
    box = picker.bounding_box()
    assert box is not None
    # The map opens on the officer's grids (东村, 0..1000 m): just east of its middle is the
    # second grid (500..1000 m).
    picker.click(position={"x": box["width"] / 2 + 25, "y": box["height"] / 2})
    page.wait_for_selector("#pick-map[data-picked]")
    assert page.input_value("#id_crs") == "wgs84"
    lat, lon = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    page.locator("#place-status").filter(has_text="位置属于:东村 · 第二网格").wait_for()
    assert page.input_value("#id_grid") == str(second.pk)
    assert page.locator("#pick-map .pick-marker").count() == 1
    with page.expect_navigation():
        page.locator(".action-bar button[value=save]").click()
    case = Case.objects.get()
    assert case.grid == second and case.location_accuracy is None
    assert coords.distance_m(float(case.latitude), float(case.longitude), lat, lon) < 1
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
