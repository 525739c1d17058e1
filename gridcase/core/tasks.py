"""The worker's nightly backup and partitions (Huey periodic tasks; found by `gridcase worker`'s
autodiscovery).

Huey's crontab reads its clock in UTC; the night is the server's (TIME_ZONE, the towns'), so
the schedule is a predicate over local time rather than a crontab in UTC.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time

from django.conf import settings
from django.db import close_old_connections, connection
from huey.contrib.djhuey import HUEY

from . import clock, housekeeping, partitions
from .backup.folder import BackupError
from .backup.retention import nightly

logger = logging.getLogger(__name__)

BACKUP_AT = time(2, 30)
PARTITIONS_AT = time(2, 10)


def _is_minute(stamp: datetime, at: time) -> bool:
    """True in the minute of `at`, server time. Huey passes naive UTC (or naive local time
    when it runs with utc=False)."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC) if HUEY.utc else stamp.astimezone()
    local = stamp.astimezone(clock.zone(settings.TIME_ZONE))
    return (local.hour, local.minute) == (at.hour, at.minute)


def is_backup_minute(stamp: datetime) -> bool:
    return _is_minute(stamp, BACKUP_AT)


def is_partitions_minute(stamp: datetime) -> bool:
    return _is_minute(stamp, PARTITIONS_AT)


@HUEY.periodic_task(is_partitions_minute, name="core.partitions_ahead")
@HUEY.lock_task("core.partitions_ahead")
def partitions_ahead_task() -> None:
    """PostgreSQL: this month's and the next months' partitions exist before rows need them
    (core/partitions.py); nothing on SQLite. Several workers may run it: creating is
    idempotent."""
    close_old_connections()
    try:
        done = partitions.ensure_now(connection)
    finally:
        close_old_connections()
    if done.created:
        logger.info("partitions created: %s", ", ".join(done.created))
    if done.refused:
        logger.warning(
            "partitions not created, their rows are in the default partition: %s",
            ", ".join(done.refused),
        )


@HUEY.periodic_task(is_backup_minute, name="core.nightly_backup")
@HUEY.lock_task("core.nightly_backup")
def nightly_backup_task() -> None:
    close_old_connections()
    try:
        made = nightly()
    except BackupError as exc:
        logger.error("nightly backup failed: %s", exc.message)
        raise
    finally:
        close_old_connections()
    if made:
        logger.info("nightly backup: %s", made)


housekeeping.register("core.partitions_ahead", lambda: partitions.ensure_now(connection).created)
