"""The web layer's worker tasks, imported here so that `gridcase worker` (Huey's autodiscovery
of each app's `tasks` module) registers them: the case ledger's large exports."""

from __future__ import annotations

from gridcase.web.views.ledger_export import export_cases_task

__all__ = ["export_cases_task"]
