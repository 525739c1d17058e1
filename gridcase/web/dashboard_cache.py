"""The dashboard's figures, kept for a few minutes and shown with their time (issue 15).

A town's figures are aggregates over its cases (web/dashboard_selectors.py): a few GROUP BY
queries, and for the pay panel the assessment of each open quarter. With a million cases in a
town they take seconds, which no page may. So the figures of a town and period are computed
once and kept in Django's cache for `GRIDCASE_DASHBOARD_MAX_AGE` seconds (10 minutes), and
every page says when they were computed ("数据截至 10:32"); the person may ask for them again
at once (更新), paying the computation.

With Redis (REDIS_URL) the cache is shared by every web and worker process, and the worker
computes the default view (the last six months) ahead, every ten minutes, of each town whose
dashboard someone looked at in the last hour (WARM_FOR), so that the leader's next look is as
fast as the last. Only those: a province's 2,000 towns of a million cases each would cost
the worker hours of the database every ten minutes, for figures nobody reads; a town nobody
looked at lately computes on its first look (seconds at a million cases) and is warm from
then on. Without it (one machine, SQLite) each web
process keeps its own (Django's local-memory cache) and the first look of ten minutes
computes; a town on one machine is small enough for that.

Who may see a town is checked before its figures are read (dashboard_selectors.
dashboard_towns): the cache is keyed by town, never by person, and never widens a scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache

from gridcase.core import clock
from gridcase.org.models import Town

from . import dashboard_selectors as ds

VERSION = 1  # of what is kept: a change of the figures' shape starts afresh
# How long after a look at a town's dashboard the worker keeps its figures computed ahead.
WARM_FOR = timedelta(hours=1)


@dataclass(frozen=True)
class Fresh:
    """Figures and the moment they were computed."""

    value: Any
    computed_at: datetime

    @property
    def minutes(self) -> int:
        return max(1, settings.GRIDCASE_DASHBOARD_MAX_AGE // 60)


@dataclass(frozen=True)
class TownFigures:
    cases: dict
    on_time: ds.OnTime
    overdue: ds.Overdue


def _key(kind: str, town: Town, period: ds.Period) -> str:
    return f"dash:v{VERSION}:{kind}:{town.pk}:{period.first}:{period.last}"


def kept(key: str, compute: Callable[[], Any], *, refresh: bool = False) -> Fresh:
    """The kept figures if younger than the maximum age (by the town's clock), else computed
    now and kept."""
    max_age = timedelta(seconds=settings.GRIDCASE_DASHBOARD_MAX_AGE)
    now = clock.now()
    found = None if refresh else cache.get(key)
    if isinstance(found, Fresh) and timedelta(0) <= now - found.computed_at < max_age:
        return found
    fresh = Fresh(compute(), now)
    # The cache's own expiry is a backstop (its clock is the machine's): the age above decides.
    cache.set(key, fresh, timeout=settings.GRIDCASE_DASHBOARD_MAX_AGE * 2)
    return fresh


def town_figures(town: Town, period: ds.Period, *, refresh: bool = False) -> Fresh:
    def compute() -> TownFigures:
        return TownFigures(
            cases=ds.cases_by_month(town, period),
            on_time=ds.on_time(town, period),
            overdue=ds.overdue_now(town),
        )

    return kept(_key("town", town, period), compute, refresh=refresh)


def pay_figures(town: Town, period: ds.Period, *, refresh: bool = False) -> Fresh:
    return kept(
        _key("pay", town, period),
        lambda: ds.pay_by_village(town, period, clock.today(town.timezone)),
        refresh=refresh,
    )


def shared() -> bool:
    """Whether the cache is one for every process (Redis): only then is computing ahead of
    use worth it."""
    return "LocMemCache" not in settings.CACHES["default"]["BACKEND"]


def _viewed_key(town_id: int) -> str:
    return f"dash:v{VERSION}:viewed:{town_id}"


def note_viewed(town: Town) -> None:
    """Remember that someone looked at the town's dashboard now (one key per town, expiring:
    no list to update concurrently, nothing left behind)."""
    if shared():
        cache.set(_viewed_key(town.pk), clock.now(), timeout=int(WARM_FOR.total_seconds()) + 60)


def viewed_towns(batch: int = 500) -> list[Town]:
    """The towns whose dashboard was looked at within WARM_FOR (by the town's clock; the
    cache's expiry is a backstop). Reads one key per town, `batch` at a time (one MGET each
    on Redis): milliseconds for thousands of towns."""
    now = clock.now()
    ids = list(Town.objects.order_by("pk").values_list("pk", flat=True))
    recent: list[int] = []
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        found = cache.get_many([_viewed_key(pk) for pk in chunk])
        for pk in chunk:
            seen = found.get(_viewed_key(pk))
            if isinstance(seen, datetime) and timedelta(0) <= now - seen < WARM_FOR:
                recent.append(pk)
    return list(Town.objects.filter(pk__in=recent).order_by("pk"))


def warm() -> int:
    """Compute the default view of each town looked at lately (viewed_towns) now: the worker,
    every ten minutes, when the cache is shared. Returns the number of towns."""
    if not shared():
        return 0
    towns = viewed_towns()
    for town in towns:
        period = ds.default_period(clock.today(town.timezone))
        town_figures(town, period, refresh=True)
        pay_figures(town, period, refresh=True)
    return len(towns)
