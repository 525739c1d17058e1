"""Jobs whose worker died (issue 11): the worker's periodic sweep ends every import and export
still active past GRIDCASE_JOB_TIME_LIMIT_MINUTES after its step began, with the reason, and
deletes its files; the page stops polling and says so. An import ended so wrote nothing."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connections
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from gridcase.cases.models import Case
from gridcase.core import clock
from gridcase.core import jobs as bookkeeping
from gridcase.ledger import export_jobs, jobs, tasks
from gridcase.ledger.models import ExportJob, ImportJob
from tests.factories import local, make_town
from tests.ledger.conftest import csv_bytes, row

pytestmark = pytest.mark.django_db

START = local(2026, 10, 14, 10)
LIMIT = timedelta(minutes=60)


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _data_dir(worker_in_process, settings):
    settings.GRIDCASE_JOB_TIME_LIMIT_MINUTES = 60


def import_job(t, state, *, content: bytes = b"x", started=None) -> ImportJob:
    folder = ImportJob.folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = bookkeeping.stored_name_for("台账.csv")
    (folder / stored).write_bytes(content)
    return ImportJob.objects.create(
        town=t.town,
        created_by=t.office_user,
        confirmed_by=t.office_user if state in ("queued", "running") else None,
        created_at=clock.now(),
        started_at=started or clock.now(),
        file_name="台账.csv",
        stored_name=stored,
        size=len(content),
        state=state,
    )


def export_job(t, state, *, started=None) -> ExportJob:
    folder = ExportJob.folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = ""
    if state == "running":  # a queued export has written nothing yet
        stored = bookkeeping.stored_name_for("事件台账.xlsx")
        (folder / stored).write_bytes(b"half a file")
    return ExportJob.objects.create(
        kind="cases",
        created_by=t.center_user,
        created_at=clock.now(),
        started_at=started or clock.now(),
        state=state,
        file_name="事件台账.xlsx",
        stored_name=stored,
        rows=1000,
        total=9000,
        progress=11,
    )


def files(model) -> list[str]:
    folder = model.folder()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_sweep_is_a_periodic_task_of_the_worker_every_five_minutes():
    assert HUEY.utc  # Huey hands its periodic tasks naive UTC
    for minute, due in ((0, True), (5, True), (3, False)):
        names = [task.name for task in HUEY.read_periodic(datetime(2026, 10, 14, 2, minute))]
        assert ("ledger.expire_overdue_jobs" in names) is due


def test_jobs_past_the_limit_end_with_the_reason_and_lose_their_files(t, frozen):
    checking = import_job(t, "checking")
    queued = import_job(t, "queued")
    running = import_job(t, "running")
    checked = import_job(t, "checked")  # waits for a person, not for a worker
    exporting = export_job(t, "running")
    waiting = export_job(t, "queued")
    jobs.set_progress(running.pk, 40, 400, 1000)

    frozen.shift(LIMIT - timedelta(minutes=1))
    tasks.expire_overdue_jobs()
    assert set(ImportJob.objects.values_list("state", flat=True)) == {
        "checking",
        "queued",
        "running",
        "checked",
    }
    assert ExportJob.objects.filter(state__in=["queued", "running"]).count() == 2

    frozen.shift(timedelta(minutes=2))
    tasks.expire_overdue_jobs()
    for job in (checking, queued, running, checked, exporting, waiting):
        job.refresh_from_db()
    assert (checking.state, checking.error) == ("refused", "检查超时,未写入任何数据;请重新上传")
    assert (queued.state, queued.error) == ("failed", "导入超时,请重新上传")
    assert (running.state, running.error) == ("failed", "导入超时,请重新上传")
    assert (exporting.state, exporting.error) == ("failed", "导出超时,请重新导出")
    assert (waiting.state, waiting.error) == ("failed", "导出超时,请重新导出")
    for job in (checking, queued, running, exporting, waiting):
        assert job.finished_at == clock.now() and job.stored_name == ""
    # The upload nobody has confirmed yet keeps its file; the rest are gone.
    assert checked.state == "checked" and files(ImportJob) == [checked.stored_name]
    assert files(ExportJob) == []
    assert jobs.progress(running) == (0, 0, 0)  # the live progress is cleared too


def test_an_import_counts_from_its_confirmation_not_its_upload(t, frozen):
    job = import_job(t, "checked")
    frozen.shift(timedelta(hours=5))  # confirmed five hours after the upload
    jobs.confirm(job, by=t.office_user)
    tasks.expire_overdue_jobs()
    job.refresh_from_db()
    assert job.state == "queued" and job.started_at == clock.now()
    frozen.shift(LIMIT + timedelta(minutes=1))
    tasks.expire_overdue_jobs()
    job.refresh_from_db()
    assert job.state == "failed"


def test_the_page_stops_polling_and_says_why(t, frozen, login):
    export = export_job(t, "running")
    imported = import_job(t, "running")
    frozen.shift(LIMIT + timedelta(minutes=5))
    tasks.expire_overdue_jobs()

    client = login(t.center_user)
    status = client.get(reverse("web:export_status", args=[export.pk]) + "?was=active")
    assert status.status_code == 204 and status["HX-Refresh"] == "true"
    page = client.get(reverse("web:export_job", args=[export.pk])).content.decode()
    assert "导出超时,请重新导出" in page and "hx-trigger" not in page
    assert reverse("web:export_download", args=[export.pk]) not in page

    client = login(t.office_user)
    status = client.get(reverse("web:ledger_status", args=[imported.pk]) + "?was=active")
    assert status.status_code == 204 and status["HX-Refresh"] == "true"
    page = client.get(reverse("web:ledger_job", args=[imported.pk])).content.decode()
    assert "导入失败,未写入任何数据" in page and "导入超时,请重新上传" in page
    assert "hx-trigger" not in page


def test_a_worker_that_comes_back_after_the_sweep_changes_nothing(t, frozen):
    # An export: its late file is thrown away, the job stays failed.
    export = export_job(t, "running")
    frozen.shift(LIMIT + timedelta(minutes=1))
    tasks.expire_overdue_jobs()
    (ExportJob.folder() / "late.xlsx").write_bytes(b"written late")
    ExportJob.objects.filter(pk=export.pk).update(stored_name="late.xlsx")
    export_jobs.report(export.pk, 9000, 9000)
    export_jobs.finish(export.pk, 9000)
    export.refresh_from_db()
    assert (export.state, export.progress, export.stored_name) == ("failed", 11, "")
    assert files(ExportJob) == []
    # A queued import the sweep ended is not run when its task finally arrives.
    job = import_job(t, "queued", content=csv_bytes([row("S-1")]))
    frozen.shift(LIMIT + timedelta(minutes=1))
    tasks.expire_overdue_jobs()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and Case.objects.count() == 0


def test_an_import_ended_while_it_ran_commits_nothing(t, frozen, monkeypatch):
    """The import's rows commit with the job's move to done, made only from running: if the
    job has ended meanwhile, everything is rolled back. (The sweep runs in another process;
    here it is played inside the import, which has the same effect on that move.)"""
    job = import_job(t, "queued", content=csv_bytes([row("S-1"), row("S-2")]))
    real = jobs.import_ledger

    def import_then_swept(**kwargs):
        report = real(**kwargs)
        assert Case.objects.count() == 2  # written, not yet committed
        ImportJob.objects.filter(pk=job.pk).update(state="failed", error="导入超时,请重新上传")
        return report

    monkeypatch.setattr(jobs, "import_ledger", import_then_swept)
    jobs.run(job.pk)
    assert Case.objects.count() == 0
    job.refresh_from_db()
    assert job.state != "done" and job.stored_name == ""
    assert files(ImportJob) == []


def test_ended_jobs_files_are_cleaned_as_before(t, frozen):
    # A finished export's file is kept for a day, then deleted at the next large export.
    done = export_job(t, "running")
    export_jobs.finish(done.pk, 9000)
    done.refresh_from_db()
    assert done.state == "done" and files(ExportJob) == [done.stored_name]
    frozen.shift(timedelta(days=1, minutes=1))
    export_jobs.start(kind="cases", by=t.center_user, params=[], file_name="x.xlsx")
    done.refresh_from_db()
    assert done.stored_name == "" and files(ExportJob) == []


needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: set DATABASE_URL (the sweep and the import on their own connections)",
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_the_sweep_ends_from_another_connection_commits_nothing(monkeypatch):
    """The import has written its rows (not yet committed) when the sweep, on its own
    connection, ends the job: the import's move to done finds it ended and rolls back."""
    t = make_town()
    long_ago = clock.now() - 2 * LIMIT
    job = import_job(t, "queued", content=csv_bytes([row("R-1"), row("R-2")]), started=long_ago)
    written, swept = threading.Event(), threading.Event()
    real = jobs.import_ledger

    def import_then_wait(**kwargs):
        report = real(**kwargs)
        written.set()
        assert swept.wait(timeout=20)
        return report

    monkeypatch.setattr(jobs, "import_ledger", import_then_wait)

    def worker():
        try:
            jobs.run(job.pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    assert written.wait(timeout=30)
    assert jobs.expire_overdue() == [job.pk]  # committed on this thread's connection
    swept.set()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert Case.objects.count() == 0
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "导入超时,请重新上传")
    assert files(ImportJob) == []


def test_the_worker_run_once_sweeps_overdue_jobs_too(t, frozen, capsys):
    """`gridcase worker --once` (cron, a deployment's check) runs every app's sweep, not only
    the notifications': here, a job past its limit is ended."""
    from django.core.management import call_command

    from gridcase.core import housekeeping

    running = import_job(t, "running")
    frozen.shift(LIMIT + timedelta(minutes=1))
    call_command("worker", "--once")
    running.refresh_from_db()
    assert running.state == "failed"
    out = capsys.readouterr().out
    assert set(housekeeping.SWEEPS) == {
        "api.purge_idempotency_keys",
        "core.partitions_ahead",
        "ledger.expire_overdue_jobs",
        "web.warm_dashboards",
    }
    for name in housekeeping.SWEEPS:
        assert f"{name}: " in out and "失败" not in out
