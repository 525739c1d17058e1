"""Large exports run by the worker: the job's row, its file in the data directory and its
progress. What is exported is the web layer's (web/tasks.py writes the case ledger with the
same code as the direct download); this module only keeps the jobs.

The file lives in `$GRIDCASE_DATA_DIR/exports/`, never under a URL: the person who asked
downloads it through a view that checks it is theirs. Files older than KEEP are deleted when
the next export starts.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from gridcase.core import clock
from gridcase.org.models import User

from .models import ExportJob

KEEP = timedelta(days=1)

State = ExportJob.State


def export_dir() -> Path:
    return Path(settings.DATA_DIR) / "exports"


def background_rows() -> int:
    return settings.GRIDCASE_EXPORT_JOB_ROWS


def start(*, kind: str, by: User, params: list[list[str]], file_name: str) -> ExportJob:
    """A queued job; the caller enqueues its task after the transaction commits."""
    _drop_old()
    return ExportJob.objects.create(
        kind=kind,
        created_by=by,
        created_at=clock.now(),
        params=params,
        state=State.QUEUED,
        file_name=file_name,
    )


def begin(job_id: int) -> ExportJob | None:
    """Queued → running, once; the job and a fresh file name, or None."""
    name = ExportJob.objects.filter(pk=job_id).values_list("file_name", flat=True).first()
    if name is None:
        return None
    stored = f"{uuid.uuid4().hex}{Path(name).suffix}"
    if not ExportJob.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING, stored_name=stored
    ):
        return None
    export_dir().mkdir(parents=True, exist_ok=True)
    return ExportJob.objects.select_related("created_by").get(pk=job_id)


def path(job: ExportJob) -> Path | None:
    if not job.stored_name:
        return None
    found = export_dir() / job.stored_name
    return found if found.exists() else None


def report(job_id: int, rows: int, total: int) -> None:
    percent = min(99, int(100 * rows / total)) if total else 0
    ExportJob.objects.filter(pk=job_id).update(rows=rows, total=total, progress=percent)


def finish(job_id: int, rows: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        state=State.DONE, rows=rows, progress=100, finished_at=clock.now()
    )


def fail(job_id: int, error: str) -> None:
    stored = ExportJob.objects.filter(pk=job_id).values_list("stored_name", flat=True).first()
    if stored:
        (export_dir() / stored).unlink(missing_ok=True)
    ExportJob.objects.filter(pk=job_id).update(
        state=State.FAILED, error=error, stored_name="", finished_at=clock.now()
    )


def _drop_old() -> None:
    old = ExportJob.objects.filter(created_at__lt=clock.now() - KEEP).exclude(stored_name="")
    for pk, stored in list(old.values_list("pk", "stored_name")):
        (export_dir() / stored).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=pk).update(stored_name="")
