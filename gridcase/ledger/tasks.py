"""The worker's side of the workbench's ledger import (Huey; found by `gridcase worker`'s
autodiscovery): the check (a dry run) and the confirmed import, see jobs.py; and the sweep
that ends the imports and exports whose worker died (past `GRIDCASE_JOB_TIME_LIMIT_MINUTES`).

Both are enqueued after the web request's transaction commits, so the worker always finds
the job's row. Huey does not retry them: a failed import is reported on the page and the
person uploads again; the tasks return nothing (Huey would keep results forever).
"""

from __future__ import annotations

import logging

from django.db import close_old_connections, transaction
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from gridcase.core import housekeeping

from . import export_jobs, jobs

logger = logging.getLogger(__name__)


def _closing(fn, job_id: int) -> None:
    # As djhuey's db_task: a worker thread must not keep a broken or stale connection.
    if not HUEY.immediate:
        close_old_connections()
    try:
        fn(job_id)
    finally:
        if not HUEY.immediate:
            close_old_connections()


@HUEY.task(name="ledger.check_import")
def check_task(job_id: int) -> None:
    _closing(jobs.check, job_id)


@HUEY.task(name="ledger.run_import")
def run_task(job_id: int) -> None:
    _closing(jobs.run, job_id)


def enqueue_check(job_id: int) -> None:
    transaction.on_commit(lambda: check_task(job_id))


def enqueue_run(job_id: int) -> None:
    transaction.on_commit(lambda: run_task(job_id))


def expire_overdue_jobs() -> None:
    """End every import and export still active past the time limit, each with its words
    (导入超时 / 导出超时) and its files deleted; the pages polling them stop and say so."""
    for sweep in (jobs.expire_overdue, export_jobs.expire_overdue):
        try:
            ended = sweep()
        except Exception:  # SQLite busy under a long import: the next sweep tries again
            logger.exception("the sweep of overdue jobs failed")
            continue
        if ended:
            logger.info("ended %d overdue jobs: %s", len(ended), ended)


# Every five minutes: a job is ended at most five minutes after its limit. Safe to run in
# several workers at once (each end is a conditional update).
@db_periodic_task(crontab(minute="*/5"), name="ledger.expire_overdue_jobs")
def expire_overdue_jobs_task() -> None:
    expire_overdue_jobs()


housekeeping.register("ledger.expire_overdue_jobs", expire_overdue_jobs)
