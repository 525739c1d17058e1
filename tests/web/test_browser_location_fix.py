"""The entry page's "获取当前位置" in a real browser: the fix's accuracy goes with the point into
the hidden field, and a typed coordinate clears it (the padding signal reads it)."""

from __future__ import annotations

import pytest

from gridcase.cases.models import Case
from tests.web.test_browser_workbench import browser, page_for, t  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fix_carries_its_accuracy_and_typing_clears_it(page_for, t):  # noqa: F811
    page = page_for(t.officer, phone=True)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 28.123456, "longitude": 112.654321, "accuracy": 0})
    page.goto(page.url + "cases/new/")
    page.select_option("#id_category", "security_hazard")
    page.click("[data-locate]")
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert page.input_value("#id_latitude") == "28.123456"
    assert page.input_value("#id_location_accuracy") == "0.00"
    with page.expect_navigation():
        page.locator(".action-bar button[value=save]").click()
    case = Case.objects.get()
    assert (case.location_accuracy, case.location_mock) == (0, False)

    # Typing over the point: no fix any more, so no accuracy.
    page.goto(page.url.split("/cases/")[0] + f"/cases/{case.number}/edit/")
    assert page.input_value("#id_location_accuracy") == "0.00"
    page.fill("#id_longitude", "112.654400")
    assert page.input_value("#id_location_accuracy") == ""
