"""The worker's nightly backup (Huey periodic task; found by `gridcase worker`'s autodiscovery).

Huey's crontab reads its clock in UTC; the night is the server's (TIME_ZONE, the towns'), so
the schedule is a predicate over local time rather than a crontab in UTC.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time

from django.conf import settings
from django.db import close_old_connections
from huey.contrib.djhuey import HUEY

from . import clock
from .backup.folder import BackupError
from .backup.retention import nightly

logger = logging.getLogger(__name__)

BACKUP_AT = time(2, 30)


def is_backup_minute(stamp: datetime) -> bool:
    """True in the minute of BACKUP_AT, server time. Huey passes naive UTC (or naive local
    time when it runs with utc=False)."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC) if HUEY.utc else stamp.astimezone()
    local = stamp.astimezone(clock.zone(settings.TIME_ZONE))
    return (local.hour, local.minute) == (BACKUP_AT.hour, BACKUP_AT.minute)


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
