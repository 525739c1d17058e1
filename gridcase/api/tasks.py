"""The API's periodic work (Huey): forget idempotency keys past their lifetime."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridcase.core import housekeeping

from .idempotency import purge_expired

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="17"), name="api.purge_idempotency_keys")
def purge_idempotency_keys() -> None:
    """Hourly. Returns nothing: Huey would keep a return value in its result store."""
    deleted = purge_expired()
    if deleted:
        logger.info("purged %d expired idempotency keys", deleted)


housekeeping.register("api.purge_idempotency_keys", purge_expired)
