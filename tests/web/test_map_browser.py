"""The town's map in a real browser (Chromium): drawn from this site alone — every request goes
to the test server, no CSP violation — with no base layer configured, clusters and markers
coloured by their lights, a popup that links to the case."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from gridcase.cases import filing
from gridcase.cases.deadlines import town_day
from gridcase.core import clock
from tests.factories import complete_data
from tests.web import test_browser_csp as csp
from tests.web import test_browser_workbench as workbench

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = workbench.browser
page_for = workbench.page_for
t = workbench.t

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def place(t, lat: str, lon: str, *, days_ago: int = 0):
    # The live server answers at the machine's time: the cases are placed relative to it.
    at = clock.now() - timedelta(days=days_ago)
    data = complete_data(at, latitude=Decimal(lat), longitude=Decimal(lon), title="路灯损坏")
    case = filing.case_create_draft(town=t.town, by=t.officer, data=data, at=at)
    return filing.case_submit(case=case, by=t.officer, at=at)


def test_the_map_draws_the_cases_from_this_site_only(page_for, t, live_server, settings):
    settings.GRIDCASE_MAP_TILES = ""
    red = place(t, "28.100000", "112.900000", days_ago=30)
    # A crowd of new cases close together: clustered.
    crowd = [place(t, f"28.2{n:02d}000", "113.000000") for n in range(30)]
    crowd_light = town_day(t.town).case_light(crowd[0])
    assert crowd_light != "red"
    page = page_for(t.center_user)
    page.context.add_init_script(csp.RECORD_VIOLATIONS)
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#town-map[data-markers]")
    assert page.get_attribute("#town-map", "data-markers") == "31"
    assert "共31件未办结事件" in page.inner_text("#map-status")
    assert page.locator("#town-map.no-tiles").count() == 1
    assert page.locator(".leaflet-tile").count() == 0
    # The crowd is a cluster of its light; the red case stands alone, a red marker.
    assert page.locator(f".map-cluster-{crowd_light}").count() >= 1
    assert page.locator(".map-cluster-red").count() == 0
    page.screenshot(path=str(workbench.SCREENSHOTS / "gridcase-map.png"))
    marker = page.locator("path.case-marker-red")
    assert marker.count() == 1
    marker.click()
    popup = page.locator(".map-popup")
    popup.wait_for()
    assert red.number in popup.inner_text() and "已超期" in popup.inner_text()
    assert popup.locator("a").first.get_attribute("href") == f"/cases/{red.number}/"
    page.screenshot(path=str(workbench.SCREENSHOTS / "gridcase-map-popup.png"))
    page.wait_for_timeout(300)  # a violation is reported asynchronously
    assert page.evaluate("window.__cspViolations") == []
    hosts = {urlsplit(url).hostname for url in urls}
    assert hosts and hosts <= LOCAL_HOSTS, hosts
    # The points are asked for once: the script takes the preloaded response.
    assert len([url for url in urls if "/map/points.json" in url]) == 1, urls


def test_the_filters_narrow_what_the_map_draws(page_for, t, live_server):
    place(t, "28.100000", "112.900000", days_ago=30)
    place(t, "28.300000", "113.100000")
    page = page_for(t.leader)
    page.goto(f"{live_server.url}/map/?light=red")
    page.wait_for_selector("#town-map[data-markers]")
    assert page.get_attribute("#town-map", "data-markers") == "1"
    assert page.locator("path.case-marker-red").count() == 1
    assert page.locator("path.case-marker-green, path.case-marker-yellow").count() == 0


def test_the_case_page_draws_its_point(page_for, t, live_server):
    case = place(t, "28.100000", "112.900000", days_ago=30)
    page = page_for(t.officer)
    page.context.add_init_script(csp.RECORD_VIOLATIONS)
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{live_server.url}/cases/{case.number}/")
    page.wait_for_selector("#case-map[data-markers='1'] path.case-marker-red")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__cspViolations") == []
    assert {urlsplit(url).hostname for url in urls} <= LOCAL_HOSTS


def test_a_tile_server_on_the_towns_network_is_the_base_layer(page_for, t, live_server, settings):
    # The test server stands in for the town's tile server: one image for every tile.
    tile = f"{live_server.url}/static/vendor/leaflet/images/layers.png?z={{z}}&x={{x}}&y={{y}}"
    settings.GRIDCASE_MAP_TILES = tile
    place(t, "28.100000", "112.900000")
    page = page_for(t.leader)
    page.context.add_init_script(csp.RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#town-map[data-markers='1']")
    page.wait_for_selector("img.leaflet-tile-loaded")
    assert page.locator("#town-map.no-tiles").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__cspViolations") == []


def test_the_boundaries_are_drawn_under_the_cases(page_for, t, live_server):
    from gridcase.org.models import Grid, Village

    ring = [[112.8, 28.0], [113.0, 28.0], [113.0, 28.2], [112.8, 28.2], [112.8, 28.0]]
    Village.objects.filter(pk=t.village.pk).update(
        boundary={"type": "Polygon", "coordinates": [ring]}
    )
    Grid.objects.filter(pk=t.grid.pk).update(boundary={"type": "Polygon", "coordinates": [ring]})
    page = page_for(t.leader)
    page.goto(f"{live_server.url}/map/")
    # No case at all: the map still shows the town's places.
    page.wait_for_selector("#town-map[data-markers='0']")
    assert page.locator("path.map-village").count() == 1
    assert page.locator("path.map-grid").count() == 1
