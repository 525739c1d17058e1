"""The assessment of many towns on several cores: one process per core, the towns shared out.

A province's quarter (thousands of towns, millions of cases) is too much work for one core,
and the towns are independent: each is assessed whole by one worker process, with its own
database connection, towns sent largest first so that the workers finish together. Memory is
one town's per worker. What each worker sends back is ``each(result)`` — a summary, the JSON,
a written file's name — so that the towns' full results are not copied between processes.

The workers are forked: this is for a command or a batch job (bench/bench_province.py), not
for a web request's thread. Python's cycle collector is paused for the whole run, not only
within each town (``services.without_cycle_collection``): switched back on between towns, it
walked each town's result twice more as the objects aged (5 µs a case, a sixth of the work);
a full collection every ``COLLECT_EVERY`` towns frees whatever cycles the towns left, and sets
aside what survived it (``_collect``).

With one process — or inside a transaction, or on SQLite in memory, which other processes
cannot share — it is the same loop as ``services.assess_county``, in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from django.db import connection, connections
from django.db.models import Count

from gridcase.cases.models import Case
from gridcase.core import clock
from gridcase.org.models import Town

from .results import PeriodResult
from .services import run_assessor, without_cycle_collection

Each = Callable[[PeriodResult], Any]
COLLECT_EVERY = 200  # towns between two full collections of a run (each walks every object)

# Set in each worker by _start (inherited through fork, never pickled): how it assesses a
# town (services.run_assessor), and what it sends back of each.
_job: tuple[Callable[[Town], PeriodResult], Each] | None = None


def summary(result: PeriodResult) -> dict[str, Any]:
    """The default of what a worker sends back: the town's figures, not its cases."""
    return {
        "town_id": result.town_id,
        "town": result.town,
        "officers": len(result.officers),
        "cases": sum(len(m.cases) for o in result.officers for m in o.months),
        "total": str(result.total),
    }


def largest_first(towns: list[Town], months: list[str]) -> list[Town]:
    """The towns by their number of cases in the months, the largest first (one query)."""
    start, _ = clock.month_bounds(months[0], "Asia/Shanghai")
    _, end = clock.month_bounds(months[-1], "Asia/Shanghai")
    # A day's margin each side: the order only balances the work, a zone's hours do not matter.
    sizes = dict(
        Case.objects.filter(
            submitted_at__gte=start - timedelta(days=1),
            submitted_at__lt=end + timedelta(days=1),
        )
        .order_by()
        .values_list("town_id")
        .annotate(n=Count("id"))
        .values_list("town_id", "n")
    )
    return sorted(towns, key=lambda t: (-sizes.get(t.id, 0), t.name))


def _shareable() -> bool:
    """Whether other processes can read what this one sees: not inside a transaction (they
    would not see its writes, and closing the connection would end it), not SQLite in
    memory."""
    if connection.in_atomic_block:
        return False
    if connection.vendor != "sqlite":
        return True
    name = str(connection.settings_dict["NAME"])
    return not (name == ":memory:" or "mode=memory" in name)


def assess_towns(
    *,
    months: list[str],
    towns: Iterable[Town] | None = None,
    today: date | None = None,
    processes: int | None = 1,
    each: Each = summary,
) -> Iterator[Any]:
    """``each(result)`` for every town's assessment of ``months``: with one process in the
    towns' order, with several in the order they finish. ``processes=None``: one per core."""
    chosen = list(towns if towns is not None else Town.objects.order_by("name"))
    count = processes or os.cpu_count() or 1
    # Asked here, before any worker starts: a query that failed in a worker's start would
    # have the pool start the worker again and again.
    assess = run_assessor(months, today)
    if count <= 1 or len(chosen) <= 1 or not _shareable():
        # What this run sets aside is the process's again after it, unless the process had set
        # objects aside itself (gc.freeze() after its start): those are left as they are.
        own = gc.get_freeze_count() == 0
        try:
            with without_cycle_collection():
                for done, town in enumerate(chosen, 1):
                    yield each(assess(town))
                    if done % COLLECT_EVERY == 0:
                        _collect(freeze=own)
        finally:
            if own:
                gc.unfreeze()
        return
    # The towns themselves are sent (a few hundred bytes each), not their ids to read again.
    order = largest_first(chosen, months)
    # The workers are forked: an open connection must not be shared with them.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(min(count, len(order)), _start, (assess, each)) as pool:
        yield from pool.imap_unordered(_assess_one, order, chunksize=1)


def _start(assess: Callable[[Town], PeriodResult], each: Each) -> None:
    global _job
    _job = (assess, each)
    gc.disable()  # the worker's whole life is the run (COLLECT_EVERY)


_assessed = 0  # towns this worker has assessed


def _assess_one(town: Town) -> Any:
    global _assessed
    assert _job is not None
    assess, each = _job
    found = each(assess(town))
    _assessed += 1
    if _assessed % COLLECT_EVERY == 0:
        _collect(freeze=True)
    return found


def _collect(*, freeze: bool) -> None:
    """A full collection, then (``freeze``) every object that survived it set aside
    (``gc.freeze``), so that the next one walks only the objects made since. A run's memories
    (the kinds', judgements', splits' and sentences': half a million objects) were walked again
    by every full collection, 0.4–0.5 s each, 2–3 ms a town (bench/README.md). The towns leave
    no cycles (none collected in 600 towns, nor after the objects set aside were put back):
    an object set aside is freed as before when its last reference goes; only a cycle it came
    to be part of would be kept."""
    gc.collect()
    if freeze:
        gc.freeze()
