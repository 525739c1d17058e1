"""The worker's side of the workbench's ledger import (Huey; found by `gridcase worker`'s
autodiscovery): the check (a dry run) and the confirmed import, see jobs.py.

Both are enqueued after the web request's transaction commits, so the worker always finds
the job's row. Huey does not retry them: a failed import is reported on the page and the
person uploads again; the tasks return nothing (Huey would keep results forever).
"""

from __future__ import annotations

from django.db import close_old_connections, transaction
from huey.contrib.djhuey import HUEY

from . import jobs


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
