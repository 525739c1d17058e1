"""The boundary editor in a real browser (Chromium): the administrator draws a grid's boundary,
moves one of its vertices, saves each time and finds it stored; an overlapping drawing is
refused with the checks' Chinese message, kept on the map, and nothing changes. Everything
comes from this site (no base layer, no CSP violation)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from shapely.geometry import Point, shape

from gridcase.org.boundary_services import set_boundaries
from gridcase.org.models import Grid, Town
from tests.org.geo_fixture import CENTRE, at, polygon, rect
from tests.web import test_browser_csp as csp
from tests.web import test_browser_workbench as workbench

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = workbench.browser
page_for = workbench.page_for
t = workbench.t

# The live server answers at http://localhost:<port> (pytest-django), i.e. 127.0.0.1.
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _pixel(page, x_m: float, y_m: float) -> tuple[float, float]:
    """Where the point (metres around the fixture's centre) is in the window, the whole map
    scrolled into view (a click outside the window reaches nothing)."""
    lat, lon = at(x_m, y_m)
    return page.evaluate(
        """([lat, lon]) => {
            const el = document.getElementById("boundary-map");
            el.scrollIntoView({ block: "center" });
            const p = el.boundaryMap.latLngToContainerPoint([lat, lon]);
            const box = el.getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [lat, lon],
    )


def _draw(page, points_m: list[tuple[float, float]]) -> None:
    page.click("#boundary-draw")
    for x, y in points_m:
        page.mouse.click(*_pixel(page, x, y))
        page.wait_for_timeout(50)
    # The first vertex again: done. Its marker, not the pixel first clicked: the click may
    # have snapped to a neighbour's border.
    page.locator("#boundary-map .marker-icon:not(.cursor-marker)").first.click()
    page.wait_for_selector("#boundary-map[data-parts='1'] path.boundary-editing")


def _metres(lon: float, lat: float) -> tuple[float, float]:
    return CENTRE.to_xy(lat, lon)


def test_an_administrator_draws_and_corrects_a_grid_and_an_overlap_is_refused(
    page_for, t, live_server, settings
):
    settings.GRIDCASE_MAP_TILES = ""
    set_boundaries(
        by=None,
        town=t.town,
        villages={
            t.village: polygon(rect(0, 0, 1000, 1000)),
            t.other_village: polygon(rect(1000, 0, 2000, 1000)),
        },
    )
    second = Grid.objects.create(village=t.village, name="第二网格")
    page = page_for(t.admin_user)
    page.context.add_init_script(csp.RECORD_VIOLATIONS)
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    base = f"{live_server.url}/manage/{t.town.pk}/boundaries/"

    # Draw the first grid on the west half of 东村, and save.
    page.goto(f"{base}?place=grid-{t.grid.pk}")
    page.wait_for_selector("#boundary-map[data-ready='1'][data-parts='0']")
    assert page.locator("#boundary-map.no-tiles").count() == 1
    assert "尚未划定边界" in page.inner_text("#boundary-status")
    _draw(page, [(150, 150), (400, 150), (400, 850), (150, 850)])
    page.click("#boundary-save")
    page.wait_for_selector(".msg-success, .msg")
    assert "已保存“东村·第一网格”的边界" in page.inner_text("body")
    stored = Grid.objects.get(pk=t.grid.pk).boundary
    assert stored["type"] == "Polygon" and len(stored["coordinates"][0]) == 5
    corners = sorted(_metres(*p) for p in stored["coordinates"][0][:4])
    for (x, y), (wx, wy) in zip(
        corners, sorted([(150, 150), (400, 150), (400, 850), (150, 850)]), strict=True
    ):
        assert abs(x - wx) < 10 and abs(y - wy) < 10, corners  # a pixel is metres
    version = Town.objects.get(pk=t.town.pk).boundaries_version
    page.screenshot(path=str(workbench.SCREENSHOTS / "gridcase-boundaries.png"))

    # Correct it: drag the north-east vertex to (300, 700), and save.
    page.wait_for_selector("#boundary-map[data-ready='1'][data-parts='1']")
    page.click("#boundary-edit")
    assert page.get_attribute("#boundary-edit", "aria-pressed") == "true"
    page.wait_for_selector(".marker-icon")
    page.mouse.move(*_pixel(page, 400, 850))
    page.mouse.down()
    page.mouse.move(*_pixel(page, 350, 780), steps=5)
    page.mouse.move(*_pixel(page, 300, 700), steps=5)
    page.mouse.up()
    page.click("#boundary-save")
    page.wait_for_url(f"{base}?place=grid-{t.grid.pk}")
    page.wait_for_selector("#boundary-map[data-ready='1']")
    moved = shape(Grid.objects.get(pk=t.grid.pk).boundary)
    assert len(moved.exterior.coords) == 5
    assert any(
        abs(x - 300) < 10 and abs(y - 700) < 10
        for x, y in map(lambda p: _metres(*p), moved.exterior.coords)
    ), list(moved.exterior.coords)
    assert not moved.contains(Point(at(390, 840)[::-1]))
    assert Town.objects.get(pk=t.town.pk).boundaries_version != version

    # The second grid over the whole of 东村 overlaps the first: refused, kept, unchanged.
    version = Town.objects.get(pk=t.town.pk).boundaries_version
    page.select_option("#boundary-place", f"grid-{second.pk}")
    page.wait_for_selector("#boundary-map[data-parts='0']")
    _draw(page, [(20, 20), (980, 20), (980, 980), (20, 980)])
    page.click("#boundary-save")
    page.wait_for_selector("#boundary-problems")
    problems = page.inner_text("#boundary-problems")
    assert "边界未保存" in problems and "重叠约" in problems, problems
    assert "东村·第二网格" in problems and "东村·第一网格" in problems
    assert page.locator("#boundary-place").input_value() == f"grid-{second.pk}"
    page.wait_for_selector("#boundary-map[data-ready='1'][data-parts='1'] path.boundary-editing")
    page.screenshot(path=str(workbench.SCREENSHOTS / "gridcase-boundaries-refused.png"))
    assert Grid.objects.get(pk=second.pk).boundary is None
    assert Town.objects.get(pk=t.town.pk).boundaries_version == version

    page.wait_for_timeout(300)  # a violation is reported asynchronously
    assert page.evaluate("window.__cspViolations") == []
    hosts = {urlsplit(url).hostname for url in urls}
    assert hosts and hosts <= LOCAL_HOSTS, hosts
    # Not only the loopback: the test server itself, for every request (no data: or blob:
    # request either; the plugin's icons are data: images in its stylesheet, not requests).
    assert all(url.startswith(live_server.url + "/") for url in urls), urls
