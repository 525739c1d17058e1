"""The entry page's "位置属于" in a real browser (locate.js): the phone's fix, and a point typed
in another coordinate system, each said as a place and chosen in the village and grid."""

from __future__ import annotations

import pytest

from gridcase.cases.models import Case
from gridcase.core import coords
from tests.org import geo_town
from tests.org.geo_town import IN_EAST_SECOND, OUTSIDE
from tests.web.test_browser_workbench import browser, page_for, t  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fix_and_a_typed_point_are_placed_before_saving(page_for, t):  # noqa: F811
    second = geo_town.map_town(t)
    page = page_for(t.officer, phone=True)
    page.context.grant_permissions(["geolocation"])
    lat, lon = IN_EAST_SECOND
    page.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 8})
    page.goto(page.url + "cases/new/")
    page.select_option("#id_crs", "bd09")  # chosen for typing; the fix is WGS-84 regardless
    page.click("[data-locate]")
    status = page.locator("#place-status")
    status.filter(has_text="位置属于:东村 · 第二网格").wait_for()
    assert page.input_value("#id_crs") == "wgs84"
    assert page.input_value("#id_village") == str(t.village.pk)
    assert page.input_value("#id_grid") == str(second.pk)

    # Typed outside every grid: said so, and the choices stay for the officer to make.
    out_lat, out_lon = OUTSIDE
    page.fill("#id_latitude", f"{out_lat:.6f}")
    page.fill("#id_longitude", f"{out_lon:.6f}")
    page.locator("#id_longitude").blur()
    status.filter(has_text="该位置不在本镇任何行政村和网格的边界内").wait_for()
    assert (page.input_value("#id_village"), page.input_value("#id_grid")) == ("", "")

    # Typed in GCJ-02, as copied from a map app: converted, placed, saved in WGS-84.
    glat, glon = coords.wgs84_to_gcj02(*IN_EAST_SECOND)
    page.select_option("#id_crs", "gcj02")
    page.fill("#id_latitude", f"{glat:.6f}")
    page.fill("#id_longitude", f"{glon:.6f}")
    page.locator("#id_longitude").blur()
    status.filter(has_text="位置属于:东村 · 第二网格").wait_for()
    with page.expect_navigation():
        page.locator(".action-bar button[value=save]").click()
    case = Case.objects.get()
    assert case.grid == second
    assert coords.distance_m(float(case.latitude), float(case.longitude), lat, lon) < 2
