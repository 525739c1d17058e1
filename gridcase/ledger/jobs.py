"""Ledger imports started in the workbench: upload, check (a dry run), confirm, import.

The engine is `services.import_ledger`, the same as `gridcase import-cases`: a job only
stores the upload, calls it twice in the worker (first with `dry_run=True`, then for real
once a person confirms) and keeps what it reported. Both runs are all-or-nothing exactly as on
the command line.

The uploaded file lives in the data directory (`ledger-uploads/`, never under a URL) and is
deleted when the job ends: refused by the check, imported, failed, cancelled or timed out.
The row's bookkeeping (states ending once, the file, the time limit) is core.jobs's.

A job still checking or importing `GRIDCASE_JOB_TIME_LIMIT_MINUTES` after its step began lost
its worker: the worker's periodic sweep (`expire_overdue`) ends it. Nothing was written: the
check writes nothing, and the import commits its rows in one transaction together with the
job's move to "done", which is made only from "running" — a job the sweep has ended cannot
commit an import afterwards, however late its worker comes back.

Live progress cannot be a column of the job's row: the import writes in one transaction, which
other connections do not see until it commits (and on SQLite it holds the write lock). It
is kept in the worker's key-value store instead (Huey's storage: the SQLite queue file or
Redis, shared by the web processes and every worker); the row holds the state and the result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
from datetime import timedelta
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.db import transaction
from huey.contrib.djhuey import HUEY

from gridcase.cases.errors import Conflict
from gridcase.core import audit, clock
from gridcase.core import jobs as bookkeeping
from gridcase.core.errors import ServiceError
from gridcase.org.models import Role, Town, User
from gridcase.org.selectors import roles_in_force

from .models import ImportJob
from .readers import LedgerError, open_ledger
from .references import case_numbers
from .report import ImportReport
from .services import import_ledger

logger = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".json", ".txt", ".tsv")
FIRST_ROWS = 20  # rows of the ledger the preview shows
STALE_AFTER = timedelta(days=1)  # a checked upload nobody confirmed is dropped after this
IMPORTER_ROLES = frozenset({Role.Kind.GOVERNANCE_OFFICE, Role.Kind.ADMINISTRATOR})

State = ImportJob.State


# ---------------------------------------------------------------- who may import where


def importer_town_ids(user: User) -> set[int] | None:
    """The towns where the person is the governance office or an administrator today;
    None means every town (a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    return {r.town_id for r in roles_in_force(user) if r.kind in IMPORTER_ROLES}


def importer_towns(user: User) -> list[Town]:
    ids = importer_town_ids(user)
    if ids is None:
        return list(Town.objects.order_by("name"))
    towns = {r.town_id: r.town for r in roles_in_force(user) if r.town_id in ids}
    return sorted(towns.values(), key=lambda town: town.name)


def may_import(user: User, town_id: int) -> bool:
    ids = importer_town_ids(user)
    return ids is None or town_id in ids


# ---------------------------------------------------------------- the upload


def upload_dir() -> Path:
    return ImportJob.folder()


def max_bytes() -> int:
    return settings.GRIDCASE_LEDGER_MAX_BYTES


def start(*, town: Town, by: User, upload, create_missing: bool = False) -> ImportJob:
    """Store the upload and make a job waiting for its check. Raises ServiceError for a file
    that is too large, empty or not a ledger by its name. The caller enqueues the check."""
    name = PurePath(upload.name or "").name[:200] or "台账"
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ServiceError(
            f"文件“{name}”不是台账:请上传 CSV、XLSX 或 JSON Lines (.csv/.xlsx/.jsonl) 文件",
            {"file": ["文件类型不支持"]},
        )
    limit = max_bytes()
    if upload.size > limit:
        raise ServiceError(
            f"文件“{name}”过大({upload.size // 1024} KB),台账上限 {limit // 1024 // 1024} MB;"
            "请按月份或行政村拆分后分别导入",
            {"file": ["文件过大"]},
        )
    if not upload.size:
        raise ServiceError(f"文件“{name}”是空的", {"file": ["文件为空"]})
    _drop_stale(town)
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = bookkeeping.stored_name_for(name)
    with open(folder / stored, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    now = clock.now()
    return ImportJob.objects.create(
        town=town,
        created_by=by,
        created_at=now,
        started_at=now,
        file_name=name,
        stored_name=stored,
        size=upload.size,
        create_missing=create_missing,
        state=State.CHECKING,
    )


def confirm(job: ImportJob, *, by: User) -> None:
    """A checked job goes to the queue (once: a second click is refused)."""
    moved = ImportJob.objects.filter(pk=job.pk, state=State.CHECKED).update(
        state=State.QUEUED, confirmed_by=by, started_at=clock.now()
    )
    if not moved:
        raise Conflict("该台账已确认导入或已结束,不能再次确认")
    job.refresh_from_db()


def cancel(job: ImportJob) -> None:
    moved = bookkeeping.end(
        ImportJob, job.pk, State.CANCELLED, only_from=(State.CHECKED, State.REFUSED)
    )
    if not moved and job.state != State.CANCELLED:
        raise Conflict("该台账正在导入或已导入,不能取消")
    _delete_file(job.pk)
    job.refresh_from_db()


def _drop_stale(town: Town) -> None:
    """Checked uploads nobody confirmed for a day are cancelled and their files deleted."""
    stale = list(
        ImportJob.objects.filter(
            town=town, state=State.CHECKED, created_at__lt=clock.now() - STALE_AFTER
        ).values_list("pk", flat=True)
    )
    for pk in stale:
        bookkeeping.end(ImportJob, pk, State.CANCELLED, only_from=(State.CHECKED,))
        _delete_file(pk)


def _delete_file(job_id: int) -> None:
    bookkeeping.delete_file(ImportJob, job_id)


# ---------------------------------------------------------------- live progress


def _progress_key(job_id: int) -> str:
    return f"gridcase.ledger.import.{job_id}"


def set_progress(job_id: int, percent: int, done: int = 0, total: int = 0) -> None:
    try:
        HUEY.put(_progress_key(job_id), (percent, done, total))
    except Exception:  # progress is a courtesy: never fail an import for it
        logger.warning("could not store the progress of import job %s", job_id, exc_info=True)


def progress(job: ImportJob) -> tuple[int, int, int]:
    """(percent, rows written, rows) of a running job; the row's own figure otherwise."""
    if job.active:
        try:
            live = HUEY.get(_progress_key(job.pk), peek=True)
        except Exception:
            live = None
        if live:
            return live
    return (job.progress, 0, 0)


def _clear_progress(job_id: int) -> None:
    with contextlib.suppress(Exception):
        HUEY.get(_progress_key(job_id))  # reading without peek removes it


def _reporter(job_id: int, start: int, end: int):
    """progress(done, total) of the engine mapped to [start, end] percent of the bar."""

    def report(done: int, total: int) -> None:
        share = done / total if total else 1
        set_progress(job_id, start + int((end - start) * share), done, total)

    return report


# ---------------------------------------------------------------- the worker's two steps


def _as_dict(report: ImportReport) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data["lines"] = report.lines()
    return data


def check(job_id: int) -> None:
    """The dry run: what the import would do, every unreadable row; nothing is written."""
    job = ImportJob.objects.select_related("town", "created_by").filter(pk=job_id).first()
    if job is None or job.state != State.CHECKING:
        return
    path = job.path()
    if path is None:
        _end(job_id, State.REFUSED, error="上传的文件已不存在,请重新上传")
        return
    set_progress(job_id, 5)
    try:
        report = import_ledger(
            path_or_file=path,
            town_name=job.town.name,
            create_missing=job.create_missing,
            dry_run=True,
            by=job.created_by,
            file_name=job.file_name,
            progress=_reporter(job_id, 30, 95),
        )
        preview = _as_dict(report)
        if report.ok:
            preview["first_rows"] = first_rows(path, job.file_name, job.town)
    except (LedgerError, Conflict) as exc:
        _end(job_id, State.REFUSED, error=str(exc))
        return
    except Exception:
        logger.exception("ledger import job %s: the check failed", job_id)
        _end(job_id, State.REFUSED, error="检查台账时出错,未写入任何数据;请联系管理员查看日志")
        return
    if not report.ok:
        _end(job_id, State.REFUSED, preview=preview)
        return
    ImportJob.objects.filter(pk=job_id, state=State.CHECKING).update(
        state=State.CHECKED, preview=preview, progress=100
    )
    _clear_progress(job_id)


def run(job_id: int) -> None:
    """The confirmed import, all-or-nothing; its result and who confirmed it go on the audit
    trail in the import's own transaction."""
    if not ImportJob.objects.filter(pk=job_id, state=State.QUEUED).update(state=State.RUNNING):
        return
    job = ImportJob.objects.select_related("town", "confirmed_by").get(pk=job_id)
    path = job.path()
    if path is None:
        _end(job_id, State.FAILED, error="上传的文件已不存在,未导入任何数据;请重新上传")
        return
    set_progress(job_id, 5)
    at = clock.now()
    try:
        with transaction.atomic():
            report = import_ledger(
                path_or_file=path,
                town_name=job.town.name,
                create_missing=job.create_missing,
                by=job.confirmed_by,
                at=at,
                file_name=job.file_name,
                progress=_reporter(job_id, 20, 95),
            )
            if not report.ok:
                # Nothing was written (the engine writes only when every row reads): the
                # ledger changed between the check and the import, or the town did.
                raise _Refused(report)
            result = _as_dict(report)
            audit.record(
                town=job.town,
                by=job.confirmed_by,
                action="ledger.import",
                obj=("ledger.importjob", job.pk, f"台账导入 {job.file_name}"),
                before=None,
                after={
                    "file": job.file_name,
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "nonconforming": report.nonconforming,
                    "new_villages": report.new_villages,
                    "new_officers": report.new_officers,
                },
                at=at,
            )
            # Only from "running": if the sweep has ended the job meanwhile (its worker was
            # taken for dead), the import is rolled back with it, so the page's "nothing was
            # written" stays true.
            if not bookkeeping.end(
                ImportJob,
                job_id,
                State.DONE,
                only_from=(State.RUNNING,),
                result=result,
                progress=100,
            ):
                raise _Ended
    except _Ended:
        logger.warning("ledger import job %s ended before its import committed", job_id)
    except _Refused as refused:
        _end(job_id, State.FAILED, result=_as_dict(refused.report))
    except (LedgerError, Conflict) as exc:
        _end(job_id, State.FAILED, error=str(exc))
    except Exception:
        logger.exception("ledger import job %s failed", job_id)
        _end(job_id, State.FAILED, error="导入时出错,未写入任何数据;请联系管理员查看日志")
    finally:
        _delete_file(job_id)
        _clear_progress(job_id)


class _Refused(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("rows cannot be read")
        self.report = report


class _Ended(Exception):
    """The job was ended by someone else (the sweep) while the import ran."""


# The step a state belongs to: what ends it, unless the job has already ended.
_STEP = {
    State.REFUSED: (State.CHECKING,),
    State.FAILED: (State.QUEUED, State.RUNNING),
}


def _end(job_id: int, state: str, *, error: str = "", preview=None, result=None) -> bool:
    """End a job still in the step that `state` ends, delete its file and its live
    progress; False if it had ended already (its file is deleted all the same)."""
    values: dict[str, Any] = {"error": error}
    if preview is not None:
        values["preview"] = preview
    if result is not None:
        values["result"] = result
    moved = bookkeeping.end(ImportJob, job_id, state, only_from=_STEP[state], **values)
    _delete_file(job_id)
    _clear_progress(job_id)
    return moved


# ---------------------------------------------------------------- jobs whose worker died

TIMED_OUT = {
    # A check writes nothing; the person uploads again.
    State.CHECKING: (State.REFUSED, "检查超时,未写入任何数据;请重新上传"),
    # The import commits all its rows with the job's "done", or nothing (see run); the
    # state's own words say that nothing was written.
    State.QUEUED: (State.FAILED, "导入超时,请重新上传"),
    State.RUNNING: (State.FAILED, "导入超时,请重新上传"),
}


def expire_overdue() -> list[int]:
    """End the jobs still checking or importing past the time limit (the worker's periodic
    sweep); their ids."""
    ended = []
    for pk, state in bookkeeping.overdue(ImportJob):
        new_state, error = TIMED_OUT[state]
        # Only from the state it was found in: a check that has just finished keeps its
        # file for the import.
        if bookkeeping.end(ImportJob, pk, new_state, only_from=(state,), error=error):
            logger.warning("ledger import job %s timed out while %s", pk, state)
            _delete_file(pk)
            _clear_progress(pk)
            ended.append(pk)
    return ended


def first_rows(path: Path, file_name: str, town: Town) -> list[dict[str, Any]]:
    """The ledger's first rows as the preview shows them, each with what the import does to
    it: a new case, or an update of the imported case with that number (a row identical to
    the case changes nothing)."""
    ledger = open_ledger(path, name=file_name)
    known = case_numbers(town)
    shown = []
    try:
        for raw in itertools.islice(ledger.rows, FIRST_ROWS):
            cells = {k: "" if v is None else str(v).strip() for k, v in raw.cells.items()}
            shown.append(
                {
                    "line": raw.line,
                    "case_no": cells.get("case_no", ""),
                    "village": cells.get("village", ""),
                    "officer": cells.get("officer", ""),
                    "category": cells.get("category", ""),
                    "submitted_at": cells.get("submitted_at", ""),
                    "closed_at": cells.get("closed_at", ""),
                    "new": cells.get("case_no", "") not in known,
                }
            )
    finally:
        close = getattr(ledger.rows, "close", None)
        if close is not None:
            close()
    return shown
