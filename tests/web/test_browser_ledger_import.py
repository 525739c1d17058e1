"""The ledger import page in a real browser: upload, preview, confirm, the progress bar polled
by htmx under the site's CSP, then the result (the page reloads itself when the job ends)."""

from __future__ import annotations

import pytest

from gridcase.cases.models import Case
from gridcase.ledger import jobs, tasks
from gridcase.ledger.models import ImportJob
from tests.factories import make_town
from tests.ledger.conftest import csv_bytes, row
from tests.web.test_browser_workbench import SCREENSHOTS, browser, page_for  # noqa: F401

pytestmark = [
    pytest.mark.usefixtures("worker_in_process"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def t(transactional_db):
    return make_town()


def test_office_uploads_previews_confirms_and_watches_the_progress(
    page_for,  # noqa: F811
    t,
    tmp_path,
    monkeypatch,
):
    ledger = tmp_path / "三季度台账.csv"
    ledger.write_bytes(csv_bytes([row(f"P-{i:03d}") for i in range(40)], chinese=True, bom=True))
    errors: list[str] = []

    page = page_for(t.users["office_user"])
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.click("nav.mainnav >> text=台账导入")
    page.wait_for_url("**/ledger/import/*/")
    page.set_input_files("#id_file", str(ledger))
    page.click("button.primary")
    # The check ran (at once, in tests); the preview lists the counts and the first rows.
    page.wait_for_selector("text=检查结果(尚未写入任何数据)")
    assert "P-000" in page.content()
    assert Case.objects.count() == 0
    job = ImportJob.objects.get()

    # The import itself waits in the queue: the page shows the bar and polls.
    monkeypatch.setattr(tasks, "enqueue_run", lambda job_id: None)
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("progress.ledger-progress")
    jobs.set_progress(job.pk, 50, 20, 40)
    page.wait_for_selector("progress.ledger-progress[value='50']")
    assert "已写入 20 / 40 行" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "gridcase-ledger-import-progress.png"), full_page=True)

    # The worker finishes; the next poll reloads the page with the result.
    jobs.run(job.pk)
    page.wait_for_selector("h2:has-text('导入结果')")
    assert "导入完成" in page.content()
    assert page.locator("progress").count() == 0
    assert Case.objects.count() == 40
    assert not [e for e in errors if "Content Security Policy" in e], errors
