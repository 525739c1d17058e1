"""The worker's periodic sweeps, named and callable in one place.

Each app registers its own sweep where it schedules it (its `tasks` module, which the worker
loads at start): ledger ends jobs past their time limit, api forgets idempotency keys past
their lifetime, core makes the coming months' partitions. `gridcase worker --once` (for cron,
or to check a deployment) runs every registered sweep besides the notifications' scan and
sends, so nothing the long-running worker does on a schedule is left out of a single pass;
the worker itself lives below the apps that register here, which it must not import.
The nightly backup is not a sweep: it has its own command (`gridcase backup`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

SWEEPS: dict[str, Callable[[], object]] = {}


def register(name: str, sweep: Callable[[], object]) -> None:
    SWEEPS[name] = sweep


def run_all() -> dict[str, str]:
    """Run every sweep once; one that fails is logged and reported, the others still run."""
    done = {}
    for name, sweep in sorted(SWEEPS.items()):
        try:
            result = sweep()
        except Exception as exc:  # a sweep's failure must not stop the next one
            logger.exception("sweep %s failed", name)
            done[name] = f"失败 (failed): {exc}"
        else:
            done[name] = "完成 (done)" if result is None else str(result)
    return done
