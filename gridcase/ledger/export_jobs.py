"""Large exports run by the worker: the job's row, its file in the data directory and its
progress. What is exported is the web layer's (views/ledger_export.py writes the case ledger,
views/assessment/downloads.py the payroll, each with the same code and the same scope check as
its direct download); this module only keeps the jobs, with core.jobs's bookkeeping.

The file lives in `$GRIDCASE_DATA_DIR/exports/`, never under a URL: the person who asked
downloads it through a view that checks it is theirs. Files older than KEEP are deleted when
the next export starts. A job still queued or running `GRIDCASE_JOB_TIME_LIMIT_MINUTES` after
it was asked for lost its worker: the worker's periodic sweep fails it (`expire_overdue`) and
deletes what it had written; a worker that comes back later finds its job ended and throws its
file away (`finish`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from gridcase.core import clock
from gridcase.core import jobs as bookkeeping
from gridcase.org.models import User

from .models import ExportJob

logger = logging.getLogger(__name__)

KEEP = timedelta(days=1)
TIMED_OUT = "导出超时,请重新导出"

State = ExportJob.State


def export_dir() -> Path:
    return ExportJob.folder()


def background_rows() -> int:
    """Cases of the case ledger above which the worker writes it."""
    return settings.GRIDCASE_EXPORT_JOB_ROWS


def background_payroll_cases() -> int:
    """Cases of the period above which the worker writes the payroll."""
    return settings.GRIDCASE_PAYROLL_JOB_CASES


def start(
    *, kind: str, by: User, params: list[list[str]], file_name: str
) -> tuple[ExportJob, bool]:
    """A queued job and True, or the same person's identical job still under way and False
    (a second click does not start a second export). The caller enqueues a new job's task
    after the transaction commits."""
    _drop_old()
    pending = (
        ExportJob.objects.filter(
            kind=kind, created_by=by, state__in=list(ExportJob.ACTIVE), params=params
        )
        .order_by("-pk")
        .first()
    )
    if pending is not None:
        return pending, False
    now = clock.now()
    job = ExportJob.objects.create(
        kind=kind,
        created_by=by,
        created_at=now,
        started_at=now,
        params=params,
        state=State.QUEUED,
        file_name=file_name,
    )
    return job, True


def begin(job_id: int) -> ExportJob | None:
    """Queued → running, once; the job and a fresh file name, or None."""
    name = ExportJob.objects.filter(pk=job_id).values_list("file_name", flat=True).first()
    if name is None:
        return None
    stored = bookkeeping.stored_name_for(name)
    if not ExportJob.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING, stored_name=stored
    ):
        return None
    export_dir().mkdir(parents=True, exist_ok=True)
    return ExportJob.objects.select_related("created_by").get(pk=job_id)


def path(job: ExportJob) -> Path | None:
    return job.path()


def report(job_id: int, rows: int, total: int, *, share: int = 100) -> None:
    """`rows` of `total` written; they fill `share` percent of the bar (the rest is what
    comes after them, such as saving the file)."""
    ExportJob.objects.filter(pk=job_id, state=State.RUNNING).update(
        rows=rows, total=total, progress=bookkeeping.percent(rows, total, share)
    )


def finish(job_id: int, rows: int) -> None:
    """Running → done. A job the sweep ended meanwhile stays failed, and its file goes."""
    if not bookkeeping.end(
        ExportJob, job_id, State.DONE, only_from=(State.RUNNING,), rows=rows, progress=100
    ):
        logger.warning("export job %s ended before its file was written", job_id)
        bookkeeping.delete_file(ExportJob, job_id)


def fail(job_id: int, error: str) -> bool:
    """End an active job as failed and delete what it wrote; False if it had ended."""
    moved = bookkeeping.end(
        ExportJob, job_id, State.FAILED, only_from=ExportJob.ACTIVE, error=error
    )
    if moved:
        bookkeeping.delete_file(ExportJob, job_id)
    return moved


def expire_overdue() -> list[int]:
    """Fail the exports still queued or running past the time limit (the worker's periodic
    sweep); their ids."""
    ended = []
    for pk, state in bookkeeping.overdue(ExportJob):
        if fail(pk, TIMED_OUT):
            logger.warning("export job %s timed out while %s", pk, state)
            ended.append(pk)
    return ended


def _drop_old() -> None:
    old = ExportJob.objects.filter(created_at__lt=clock.now() - KEEP).exclude(stored_name="")
    for pk in list(old.filter(state__in=[State.DONE, State.FAILED]).values_list("pk", flat=True)):
        bookkeeping.delete_file(ExportJob, pk)
