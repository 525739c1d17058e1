"""The payroll workbook of a large period runs in the worker (issue 11): the click starts a
job, the page shows the progress, then a download link for the person who asked only; the
scope is the direct download's; a small period still downloads at once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gridcase.core import clock
from gridcase.ledger import export_jobs
from gridcase.ledger.models import ExportJob
from gridcase.web.views.assessment import downloads
from tests.web.test_assessment_pages import Q4, later, q4  # noqa: F401

pytestmark = pytest.mark.django_db

PAYROLL = f"/assessment/{Q4}/payroll.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def large(settings, worker_in_process):
    """Every period with more than 2 cases is large (q4 has 5)."""
    settings.GRIDCASE_PAYROLL_JOB_CASES = 2


@pytest.fixture
def no_worker(monkeypatch):
    """The job stays queued: nobody runs its task."""
    started = []
    monkeypatch.setattr(downloads, "export_payroll_task", started.append)
    return started


def book(data: bytes):
    return load_workbook(io.BytesIO(data))


def payroll_rows(data: bytes) -> list[tuple]:
    return [row[:7] for row in book(data)["工资表"].iter_rows(min_row=3, values_only=True)]


def test_a_small_period_downloads_at_once(login, t, q4, worker_in_process):  # noqa: F811
    response = login(t.office_user).get(PAYROLL)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "工资表" in book(response.content).sheetnames
    assert not ExportJob.objects.exists()


def test_a_large_period_runs_in_the_worker_then_the_asker_downloads_it(
    login,
    t,
    q4,  # noqa: F811
    settings,
    large,
    django_capture_on_commit_callbacks,
):
    client = login(t.office_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(PAYROLL)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:export_job", args=[job.pk])
    job.refresh_from_db()
    assert (job.kind, job.state, job.progress) == ("payroll", "done", 100)
    assert (job.rows, job.total) == (2, 2)  # two officers' sheets
    assert job.file_name == f"长塘镇-考核-{Q4}.xlsx"
    assert job.params == [["period", Q4], ["town", str(t.town.pk)]]

    page = client.get(response["Location"]).content.decode()
    download = reverse("web:export_download", args=[job.pk])
    assert download in page and "导出完成" in page and "考核工资表" in page
    # The way back is the period page it came from.
    assert f'href="/assessment/{Q4}/?town={t.town.pk}"' in page
    got = client.get(download)
    assert got["Content-Type"] == XLSX
    assert f"{Q4}.xlsx" in got["Content-Disposition"]
    data = b"".join(got.streaming_content)
    # The same workbook as the direct download.
    settings.GRIDCASE_PAYROLL_JOB_CASES = 5000
    direct = client.get(PAYROLL)
    assert direct.status_code == 200
    assert payroll_rows(data) == payroll_rows(direct.content)
    assert book(data).sheetnames == book(direct.content).sheetnames
    # In the data directory, not under a URL of its own.
    assert [p.name for p in (settings.DATA_DIR / "exports").iterdir()] == [job.stored_name]


def test_only_the_person_who_asked_sees_the_job_and_its_file(
    login,
    t,
    other_town,
    q4,  # noqa: F811
    large,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        login(t.office_user).get(PAYROLL)
    job = ExportJob.objects.get()
    urls = [
        reverse("web:export_job", args=[job.pk]),
        reverse("web:export_status", args=[job.pk]),
        reverse("web:export_download", args=[job.pk]),
    ]
    # The town's leader reads the same payroll, but this job is not theirs.
    for user in (t.leader, other_town.office_user, t.officer):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_the_scope_is_the_direct_downloads(
    login,
    t,
    other_town,
    q4,  # noqa: F811
    large,
    no_worker,
):
    # Roles outside the assessment, and another town's office asking for this town: 404,
    # and no job.
    for user in (t.officer, t.station_user, t.center_user, t.admin_user):
        assert login(user).get(PAYROLL).status_code == 404, user
    office = login(other_town.office_user)
    assert office.get(f"{PAYROLL}?town={t.town.pk}").status_code == 404
    assert login(t.office_user).get("/assessment/2026-Q5/payroll.xlsx").status_code == 404
    assert not ExportJob.objects.exists()
    # The other town's office gets its own town's payroll (its cases are too few for a job).
    assert login(other_town.office_user).get(PAYROLL).status_code == 200
    assert not ExportJob.objects.exists()
    # The leader reads the payroll too.
    assert login(t.leader).get(PAYROLL).status_code == 302


def test_a_second_click_while_it_runs_shows_the_same_job(
    login,
    t,
    q4,  # noqa: F811
    large,
    no_worker,
    django_capture_on_commit_callbacks,
):
    client = login(t.office_user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(PAYROLL)
        second = client.get(PAYROLL)
    assert first["Location"] == second["Location"]
    job = ExportJob.objects.get()
    assert no_worker == [job.pk]  # enqueued once
    fragment = client.get(reverse("web:export_status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "排队等待导出" in fragment


def test_the_progress_counts_the_officers(login, t, q4, large, no_worker):  # noqa: F811
    client = login(t.office_user)
    client.get(PAYROLL)
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(state="running", rows=1, total=2, progress=50)
    fragment = client.get(reverse("web:export_status", args=[job.pk]) + "?was=active")
    text = fragment.content.decode()
    assert 'value="50"' in text and "已写入 1 / 2 名网格专管员" in text
    # The officers' sheets fill 60 % of the bar; saving the workbook the rest.
    export_jobs.report(job.pk, 2, 2, share=downloads.SHEETS_SHARE)
    fragment = client.get(reverse("web:export_status", args=[job.pk]) + "?was=active")
    text = fragment.content.decode()
    assert 'value="60"' in text and "已全部写入,正在保存文件" in text


def test_a_role_that_ended_gets_no_file(
    login,
    t,
    q4,  # noqa: F811
    large,
    no_worker,
):
    client = login(t.office_user)
    client.get(PAYROLL)
    first = ExportJob.objects.get()
    downloads.run_payroll_export(first.pk)
    first.refresh_from_db()
    assert first.state == "done"
    download = reverse("web:export_download", args=[first.pk])
    assert client.get(download).status_code == 200

    client.get(PAYROLL)  # the first has ended: a second job
    second = ExportJob.objects.exclude(pk=first.pk).get()
    t.office_user.roles.update(active_until=clock.today(t.town.timezone) - timedelta(days=1))
    # The file already written is not given any more; the job not yet run writes nothing.
    assert client.get(download).status_code == 404
    downloads.run_payroll_export(second.pk)
    second.refresh_from_db()
    assert second.state == "failed" and "没有查看考核的权限" in second.error
    assert not second.stored_name


def test_a_failure_in_the_worker_is_told_on_the_page(
    login,
    t,
    q4,  # noqa: F811
    large,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    def broken(result, progress=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(downloads.exports, "render_xlsx", broken)
    client = login(t.office_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(PAYROLL)
    job = ExportJob.objects.get()
    assert job.state == "failed" and not job.stored_name
    page = client.get(response["Location"]).content.decode()
    assert "导出失败" in page and "导出时出错" in page
    assert "hx-trigger" not in page
