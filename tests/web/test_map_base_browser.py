"""The base layer in a real browser (Chromium): the town's PMTiles file drawn from this site in
byte ranges (206 from 127.0.0.1), raster or vector, on the town map and the case page; no
request leaves 127.0.0.1 and the CSP holds. Without a setting, test_map_browser shows the map
on a plain background."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from pmtiles.tile import TileType

from tests.basemaps import TILE_RGB, mvt_earth_tile, write_archive
from tests.web import test_browser_csp as csp
from tests.web import test_browser_workbench as workbench
from tests.web.test_map_browser import LOCAL_HOSTS, place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = workbench.browser
page_for = workbench.page_for
t = workbench.t


def watch(page) -> tuple[list[str], list[tuple[str, int]], list[str]]:
    """Every request's URL, the base map's responses (URL, status), the console's errors."""
    page.context.add_init_script(csp.RECORD_VIOLATIONS)
    urls: list[str] = []
    base: list[tuple[str, int]] = []
    errors: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on(
        "response",
        lambda r: base.append((r.url, r.status)) if "/map/base.pmtiles" in r.url else None,
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return urls, base, errors


def assert_local_only(page, urls, *, blobs: bool):
    page.wait_for_timeout(300)  # a violation is reported asynchronously
    assert page.evaluate("window.__cspViolations") == []
    # A tile drawn from the file is a blob: URL of this page's origin (memory, not the network).
    hosts = {urlsplit(url.removeprefix("blob:")).hostname for url in urls}
    assert hosts and hosts <= LOCAL_HOSTS, hosts
    assert any(url.startswith("blob:") for url in urls) == blobs


def share_of_tile_colour(png: bytes) -> float:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    counts = {colour: n for n, colour in image.getcolors(maxcolors=1 << 24)}
    return counts.get(TILE_RGB, 0) / (image.width * image.height)


def test_the_towns_raster_pmtiles_is_the_base_layer(page_for, t, live_server, settings, tmp_path):
    settings.GRIDCASE_MAP_PMTILES = write_archive(tmp_path / "town.pmtiles")
    settings.GRIDCASE_MAP_TILES = ""
    place(t, "28.100000", "112.900000")
    page = page_for(t.leader)
    urls, base, errors = watch(page)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#town-map[data-markers='1'][data-base='raster']")
    page.wait_for_selector("img.leaflet-tile-loaded[src^='blob:']")
    page.wait_for_function(
        "[...document.querySelectorAll('img.leaflet-tile-loaded')].some(i => i.naturalWidth)"
    )
    # Leaflet fades a loaded tile in: its colour is the file's only once the fade is over
    # (polled from here: the page's CSP refuses the evaluated predicate of wait_for_function).
    faded_in = (
        "[...document.querySelectorAll('img.leaflet-tile-loaded')]"
        ".every(i => getComputedStyle(i).opacity === '1')"
    )
    for _ in range(100):
        if page.evaluate(faded_in):
            break
        page.wait_for_timeout(50)
    assert page.locator("#town-map.no-tiles").count() == 0
    # The tiles came from the file, in ranges, from this site.
    assert base and all(urlsplit(url).hostname in LOCAL_HOSTS for url, _ in base)
    assert {status for _, status in base} == {206}, base
    # The tile's green covers the map around the case (the file's area is all the view).
    shot = page.locator("#town-map").screenshot()
    assert share_of_tile_colour(shot) > 0.5
    page.screenshot(path=str(workbench.SCREENSHOTS / "gridcase-map-pmtiles.png"))
    assert_local_only(page, urls, blobs=True)
    assert errors == []


def test_the_case_page_draws_its_point_on_the_pmtiles(page_for, t, live_server, settings, tmp_path):
    settings.GRIDCASE_MAP_PMTILES = write_archive(tmp_path / "town.pmtiles")
    settings.GRIDCASE_MAP_TILES = ""
    case = place(t, "28.100000", "112.900000")
    page = page_for(t.officer)
    urls, base, errors = watch(page)
    page.goto(f"{live_server.url}/cases/{case.number}/")
    page.wait_for_selector("#case-map[data-markers='1'][data-base='raster']")
    page.wait_for_selector("#case-map img.leaflet-tile-loaded[src^='blob:']")
    assert {status for _, status in base} == {206}, base
    assert_local_only(page, urls, blobs=True)
    assert errors == []


def test_a_vector_pmtiles_is_drawn_with_nothing_fetched_from_outside(
    page_for, t, live_server, settings, tmp_path
):
    # Tiles of dry land: protomaps-leaflet paints them, and asks for no font, glyph or sprite.
    path = write_archive(
        tmp_path / "v.pmtiles", tile=mvt_earth_tile(), tile_type=TileType.MVT, max_zoom=14
    )
    settings.GRIDCASE_MAP_PMTILES = path
    settings.GRIDCASE_MAP_TILES = ""
    place(t, "28.100000", "112.900000")
    page = page_for(t.leader)
    urls, base, errors = watch(page)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#town-map[data-markers='1'][data-base='vector']")
    page.wait_for_selector("canvas.leaflet-tile.leaflet-tile-loaded")
    assert base and {status for _, status in base} == {206}, base
    page.screenshot(path=str(workbench.SCREENSHOTS / "gridcase-map-pmtiles-vector.png"))
    assert_local_only(page, urls, blobs=False)  # drawn on canvases
    assert errors == []
