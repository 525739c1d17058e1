"""附近 on an officer's phone (Chromium, a phone's viewport, geolocation granted): the map
outlines their grid, and "附近" draws and lists the open cases they may see within 300 m of
where they stand, nearest first — everything asked of this site alone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from gridcase.cases import filing
from gridcase.core import clock
from tests.factories import complete_data
from tests.web import test_browser_csp as csp
from tests.web import test_browser_workbench as workbench

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = workbench.browser
t = workbench.t

HERE = (28.1, 112.9)
PHONE = {
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def phone(browser, live_server):
    """A signed-in phone at HERE, geolocation granted, on http://127.0.0.1:<port> (the live
    server answers there too: every request is checked to go to that host alone)."""
    base = urlsplit(live_server.url)._replace(netloc=f"127.0.0.1:{urlsplit(live_server.url).port}")
    base_url = base.geturl()
    contexts = []

    def _phone(user):
        context = browser.new_context(
            **PHONE,
            geolocation={"latitude": HERE[0], "longitude": HERE[1], "accuracy": 10},
            permissions=["geolocation"],
        )
        contexts.append(context)
        context.add_init_script(csp.RECORD_VIOLATIONS)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.urls = []
        page.on("request", lambda request: page.urls.append(request.url))
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/")
        return page, base_url

    yield _phone
    for context in contexts:
        context.close()


def place(t, lat: str, lon: str, *, by=None, title="路灯损坏", **place):
    # The live server answers at the machine's time: the cases are placed relative to it.
    by = by or t.officer
    at = clock.now() - timedelta(days=2)
    data = complete_data(at, latitude=Decimal(lat), longitude=Decimal(lon), title=title, **place)
    case = filing.case_create_draft(town=t.town, by=by, data=data, at=at)
    return filing.case_submit(case=case, by=by, at=at)


def test_the_officer_sees_their_grid_and_the_open_cases_near_where_they_stand(phone, t, settings):
    from gridcase.org.models import Grid

    settings.GRIDCASE_MAP_TILES = ""
    ring = [[112.89, 28.09], [112.91, 28.09], [112.91, 28.11], [112.89, 28.11], [112.89, 28.09]]
    Grid.objects.filter(pk=t.grid.pk).update(boundary={"type": "Polygon", "coordinates": [ring]})
    nearer = place(t, "28.100900", "112.900000", title="井盖缺失")  # 100 m north
    near = place(t, "28.102000", "112.900000", title="占道经营")  # 222 m north
    place(t, "28.110000", "112.900000")  # 1.1 km: on the map, not near
    # Not the officer's: filed by the other village's officer, in their village by hand (the
    # point lies in this grid, which a point alone would not let them file in).
    hidden = place(t, "28.100500", "112.900000", by=t.other_officer, village=t.other_village)

    page, base_url = phone(t.officer)
    page.goto(f"{base_url}/map/")
    page.wait_for_selector("#town-map[data-markers]")
    assert page.locator("path.map-grid").count() == 1  # their grid, outlined

    page.click("#map-near")
    page.wait_for_selector("#town-map[data-near-markers]")
    assert page.get_attribute("#town-map", "data-near-markers") == "2"
    items = page.locator("#near-list li")
    assert items.count() == 2
    assert nearer.number in items.nth(0).inner_text() and "约100米" in items.nth(0).inner_text()
    assert near.number in items.nth(1).inner_text() and "约222米" in items.nth(1).inner_text()
    assert hidden.number not in page.inner_text("#near-cases")
    assert "300米内、近30天共2件未办结事件。" in page.inner_text("#near-status")
    assert page.locator("path.near-circle").count() == 1
    assert page.locator("path.near-marker").count() == 2
    assert items.nth(0).locator("a").get_attribute("href") == f"/cases/{nearer.number}/"
    page.screenshot(path=str(workbench.SCREENSHOTS / "gridcase-map-near-phone.png"))

    page.wait_for_timeout(300)  # a violation is reported asynchronously
    assert page.evaluate("window.__cspViolations") == []
    hosts = {urlsplit(url).hostname for url in page.urls}
    assert hosts == {"127.0.0.1"}, hosts
    assert any("/map/near.json?lat=28.100000&lon=112.900000" in url for url in page.urls)


def test_the_map_opens_on_a_cases_neighbourhood(phone, t):
    here = place(t, "28.100000", "112.900000")
    other = place(t, "28.101000", "112.900000")
    page, base_url = phone(t.officer)
    page.goto(f"{base_url}/map/?near={here.number}")
    page.wait_for_selector("#town-map[data-near-markers]")
    assert page.get_attribute("#town-map", "data-near-markers") == "1"
    assert other.number in page.inner_text("#near-list")
    assert here.number not in page.inner_text("#near-list")
    assert {urlsplit(url).hostname for url in page.urls} == {"127.0.0.1"}
