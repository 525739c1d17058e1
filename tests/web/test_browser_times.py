"""The issue's own path: a browser's date-time field, mistyped to year 0006 (or a year ahead),
sends it and the workbench names the field instead of saving it (core/times.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gridcase.cases.models import Case

from .test_browser_workbench import browser, page_for, t  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _entered(page, url: str, occurred_at: str) -> str:
    page.goto(f"{url}/cases/new/")
    page.select_option("#id_category", "other")
    page.fill("#id_location", "东村3组")
    page.fill("#id_occurred_at", occurred_at)
    page.locator(".action-bar button[value=save]").click()
    page.wait_for_load_state()
    return page.content()


def test_a_mistyped_year_is_named_at_its_field_and_nothing_is_saved(page_for, t, live_server):  # noqa: F811
    page = page_for(t.officer, phone=True)
    page.goto(f"{live_server.url}/cases/new/")
    assert page.locator("#id_occurred_at").get_attribute("min") == "2000-01-01T00:00"

    html = _entered(page, live_server.url, "0006-11-30T09:00")
    assert "发生时间不能早于2000年1月1日" in page.locator("#case-form").inner_text()
    assert page.input_value("#id_location") == "东村3组"  # what was typed is kept
    assert not Case.objects.exists(), html[:200]

    next_year = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=366)
    _entered(page, live_server.url, next_year.strftime("%Y-%m-%dT%H:%M"))
    assert "发生时间不能晚于现在" in page.locator("#case-form").inner_text()
    assert not Case.objects.exists()

    yesterday = datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)
    _entered(page, live_server.url, yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.wait_for_url(lambda url: "/cases/new/" not in url)
    assert Case.objects.get().occurred_at is not None
