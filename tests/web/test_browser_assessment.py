"""The office finalises a quarter in a real browser, downloads the payroll, and the leader
approves it (Debian's Chromium driven by Playwright; the launch, the skip without Chromium
and the failure on CI are those of test_browser_workbench).

The cases are dated in the first month of the quarter before today's, so that every deadline
has passed by the time the test runs, whatever the date: no clock is frozen in the server.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from gridcase.assessment.models import QuarterAssessment
from gridcase.assessment.services import assess_period
from gridcase.core import clock
from tests.assessment.builders import closed_locally, escalated_to_town
from tests.factories import local
from tests.web.test_browser_workbench import SCREENSHOTS, browser, page_for, t  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def previous_quarter(today) -> str:
    first_of_quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return clock.quarter_of(first_of_quarter - timedelta(days=1))


def test_the_office_finalises_the_quarter_and_the_leader_approves(page_for, t, live_server):  # noqa: F811
    quarter = previous_quarter(clock.today(t.town.timezone))
    first_month = clock.quarter_months(quarter)[0]
    year, month = int(first_month[:4]), int(first_month[5:])
    for day in (5, 6, 7, 8, 9):
        closed_locally(t, local(year, month, day, 9))
    escalated_to_town(t, local(year, month, 12, 9))
    closed_locally(t, local(year, month, 13, 9), by=t.other_officer)
    expected = assess_period(town=t.town, months=clock.quarter_months(quarter))

    page = page_for(t.office_user)
    page.click(".mainnav >> text=考核")
    page.wait_for_url("**/assessment/")
    page.select_option("#period-select", quarter)
    page.click("form.filters-form button[type=submit]")
    page.wait_for_url(f"**/assessment/{quarter}/")
    table = page.locator("#officers").inner_text()
    for officer in expected.officers:
        assert officer.officer in table
        assert f"{officer.total:.2f} 元" in table
    assert page.locator("#grand-total").inner_text().strip() == f"{expected.total:.2f} 元"
    assert "未定稿" in page.content()

    page.check("#finalise_confirm")  # irreversible: the tick names what will happen
    page.click("#finalise-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert "已定稿" in page.locator(".msg-success").inner_text()
    row = QuarterAssessment.objects.get(town=t.town, quarter=quarter)
    assert (row.status, row.finalised_by_id) == ("finalised", t.office_user.pk)
    assert page.locator("#finalise-form").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "gridcase-assessment-finalised.png"), full_page=True)

    with page.expect_download() as download:
        page.click("text=下载工资表 (XLSX)")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(f"{quarter}.xlsx")
    sheet = load_workbook(io.BytesIO(path.read_bytes()))["工资表"]  # the path has no suffix
    assert "已定稿" in sheet["A1"].value
    names = {sheet.cell(row=r, column=3).value: sheet.cell(row=r, column=7).value for r in (4, 5)}
    assert names == {o.officer: o.total for o in expected.officers}

    leader = page_for(t.leader)
    leader.goto(f"{live_server.url}/assessment/{quarter}/")
    assert leader.locator("#finalise-form").count() == 0
    leader.fill("#id_note", "同意")
    leader.check("#id_confirm")
    leader.click("#approve-form button[type=submit]")
    leader.wait_for_selector(".msg-success")
    assert "已审批" in leader.locator(".msg-success").inner_text()
    row.refresh_from_db()
    assert (row.status, row.approved_by_id) == ("approved", t.leader.pk)
    assert leader.locator("#approve-form").count() == 0
    leader.screenshot(path=str(SCREENSHOTS / "gridcase-assessment-approved.png"), full_page=True)
