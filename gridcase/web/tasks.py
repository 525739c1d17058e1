"""The web layer's worker tasks, imported here so that `gridcase worker` (Huey's autodiscovery
of each app's `tasks` module) registers them: the large exports of the case ledger and of the
payroll, and the dashboard's figures computed ahead."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridcase.core import housekeeping
from gridcase.web import dashboard_cache
from gridcase.web.views.assessment.downloads import export_payroll_task
from gridcase.web.views.ledger_export import export_cases_task

__all__ = ["export_cases_task", "export_payroll_task", "warm_dashboards_task"]

logger = logging.getLogger(__name__)


# Every ten minutes (the figures' age, GRIDCASE_DASHBOARD_MAX_AGE, by default): each town's
# default view is computed before the leader looks (only with a shared cache, i.e. Redis).
@db_periodic_task(crontab(minute="*/10"), name="web.warm_dashboards")
def warm_dashboards_task() -> None:
    towns = dashboard_cache.warm()
    if towns:
        logger.info("dashboard figures computed ahead for %d towns", towns)


housekeeping.register("web.warm_dashboards", dashboard_cache.warm)
