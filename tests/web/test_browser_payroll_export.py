"""The payroll of a large period in a real browser: the click shows the progress bar (htmx
polls the job under the site's CSP), then the page reloads itself with the download link
(the launch, the skip without Chromium and the failure on CI are test_browser_workbench's).

The cases are in the quarter before today's, so no clock is frozen in the server.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from gridcase.core import clock
from gridcase.ledger import export_jobs
from gridcase.ledger.models import ExportJob
from gridcase.web.views.assessment import downloads
from tests.assessment.builders import closed_locally
from tests.factories import local
from tests.web.test_browser_assessment import previous_quarter
from tests.web.test_browser_csp import RECORD_VIOLATIONS
from tests.web.test_browser_workbench import SCREENSHOTS, browser, page_for, t  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _worker_in_process(worker_in_process, settings):
    settings.GRIDCASE_PAYROLL_JOB_CASES = 3


def test_the_payroll_of_a_large_period_shows_the_progress_then_the_link(
    page_for,  # noqa: F811
    t,  # noqa: F811
    live_server,
    monkeypatch,
):
    quarter = previous_quarter(clock.today(t.town.timezone))
    first_month = clock.quarter_months(quarter)[0]
    year, month = int(first_month[:4]), int(first_month[5:])
    for day in (5, 6, 7, 8):
        closed_locally(t, local(year, month, day, 9))
    closed_locally(t, local(year, month, 9, 9), by=t.other_officer)

    # The worker is busy: the job waits in the queue while the page polls.
    monkeypatch.setattr(downloads, "export_payroll_task", lambda job_id: None)
    page = page_for(t.office_user)
    page.context.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(f"{live_server.url}/assessment/{quarter}/")
    page.click("text=下载工资表 (XLSX)")
    page.wait_for_url("**/exports/*/")
    page.wait_for_selector("progress.ledger-progress")
    assert "排队等待导出" in page.content()
    job = ExportJob.objects.get()
    assert job.kind == "payroll" and job.created_by_id == t.office_user.pk

    # The worker starts and reports the first officer's sheet: the bar follows.
    running = export_jobs.begin(job.pk)
    export_jobs.report(job.pk, 1, 2)
    page.wait_for_selector("progress.ledger-progress[value='50']")
    assert "已写入 1 / 2 名网格专管员" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "gridcase-payroll-export-progress.png"), full_page=True)

    # It finishes: the next poll reloads the page with the link, and polling stops.
    downloads.write_payroll_job(running)
    page.wait_for_selector("a:has-text('下载')")
    assert "导出完成" in page.content()
    assert page.locator("progress").count() == 0
    assert page.locator("[hx-trigger]").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "gridcase-payroll-export-done.png"), full_page=True)
    with page.expect_download() as download:
        page.click(f"a:has-text('下载 {t.town.name}-考核-{quarter}.xlsx')")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()))["工资表"]
    assert sheet.max_row >= 5  # title, policy, header, two officers

    assert page.evaluate("window.__cspViolations") == []
    assert not [text for text in console if "Content Security Policy" in text]


def test_a_job_whose_worker_died_stops_polling_and_says_so(
    page_for,  # noqa: F811
    t,  # noqa: F811
    live_server,
):
    from datetime import timedelta

    from gridcase.ledger import tasks

    long_ago = clock.now() - timedelta(hours=2)
    job = ExportJob.objects.create(
        kind="payroll",
        created_by=t.office_user,
        created_at=long_ago,
        started_at=long_ago,
        params=[["period", "2026-Q3"], ["town", str(t.town.pk)]],
        state="running",
        progress=30,
        rows=3,
        total=10,
        file_name="长塘镇-考核-2026-Q3.xlsx",
    )
    page = page_for(t.office_user)
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/exports/{job.pk}/")
    page.wait_for_selector("progress.ledger-progress[value='30']")
    tasks.expire_overdue_jobs()  # the worker's periodic sweep
    page.wait_for_selector("text=导出超时,请重新导出")
    assert "导出失败" in page.content()
    assert page.locator("progress").count() == 0
    assert page.locator("[hx-trigger]").count() == 0
    assert page.evaluate("window.__cspViolations") == []
