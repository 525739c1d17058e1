"""The worker's tasks (Huey): send a delivery, sweep due deliveries, scan the schedule.

Retries are not Huey's: each delivery's attempts, back-off and failure live in its database
row (`delivery.py`), so they survive restarts and show to the administrator. The periodic
tasks run in every consumer whose scheduler is on; all of them are safe to run in parallel.

`register(huey)` binds the tasks to a Huey instance: the settings' one here (what `gridcase
worker` consumes), another in tests (a private Redis queue). The outbox hands due deliveries to
`put_on_queue`; it does not import this module, which sits above it (tasks → schedule → outbox).
"""

from __future__ import annotations

import logging
from functools import wraps
from types import SimpleNamespace

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import HUEY

from . import delivery, schedule

logger = logging.getLogger(__name__)

# Deliveries go before the scans when the queue is busy (PriorityRedisHuey honours this).
DELIVER_PRIORITY = 10


# The tasks return nothing: Huey would keep every return value in its result store forever.


def _deliver(delivery_id: int) -> None:
    outcome = delivery.deliver(delivery_id)
    logger.debug("delivery %s: %s", delivery_id, outcome)


def _deliver_due() -> None:
    """Every minute: retries whose back-off has passed, pushes held by the quiet hours, and
    anything whose enqueueing failed or whose worker died."""
    outcomes = delivery.deliver_due()
    if outcomes:
        logger.info("sweep: %s", outcomes)


def _scan() -> None:
    """Every ten minutes: yellow/red warnings, follow-up reminders, the morning digest."""
    sent = dict(schedule.scan())
    if sent:
        logger.info("scan: %s", sent)


def register(huey) -> SimpleNamespace:
    def closing(fn):
        # As djhuey's db_task: a worker thread must not keep a broken or stale connection.
        @wraps(fn)
        def inner(*args, **kwargs):
            if not huey.immediate:
                close_old_connections()
            try:
                return fn(*args, **kwargs)
            finally:
                if not huey.immediate:
                    close_old_connections()

        return inner

    return SimpleNamespace(
        deliver_task=huey.task(priority=DELIVER_PRIORITY, name="notify.deliver")(closing(_deliver)),
        deliver_due_task=huey.periodic_task(
            crontab(minute="*"), priority=DELIVER_PRIORITY, name="notify.deliver_due"
        )(closing(_deliver_due)),
        scan_task=huey.periodic_task(crontab(minute="*/10"), name="notify.scan")(closing(_scan)),
    )


_tasks = register(HUEY)
deliver_task = _tasks.deliver_task
deliver_due_task = _tasks.deliver_due_task
scan_task = _tasks.scan_task


def put_on_queue(delivery_id: int) -> None:
    """What the outbox calls after commit (bound in NotifyConfig.ready). It looks up
    `deliver_task` when called, so a test may point it at another queue."""
    deliver_task(delivery_id)
