"""The web layer's worker tasks, imported here so that `gridcase worker` (Huey's autodiscovery
of each app's `tasks` module) registers them: the large exports of the case ledger and of the
payroll."""

from __future__ import annotations

from gridcase.web.views.assessment.downloads import export_payroll_task
from gridcase.web.views.ledger_export import export_cases_task

__all__ = ["export_cases_task", "export_payroll_task"]
