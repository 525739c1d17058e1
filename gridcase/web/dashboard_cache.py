"""The dashboard's figures, kept for a few minutes and shown with their time (issue 15).

A town's figures are aggregates over its cases (web/dashboard_selectors.py): a few GROUP BY
queries, and for the pay panel the assessment of each open quarter. With a million cases in a
town they take seconds, which no page may. So the figures of a town and period are computed
once and kept in Django's cache for `GRIDCASE_DASHBOARD_MAX_AGE` seconds (10 minutes), and
every page says when they were computed ("数据截至 10:32"); the person may ask for them again
at once (更新), paying the computation.

With Redis (REDIS_URL) the cache is shared by every web and worker process, and the worker
computes each town's default view (the last six months) ahead, every ten minutes, so the
leader's first look is as fast as the next. Without it (one machine, SQLite) each web
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


def warm() -> int:
    """Compute every town's default view now (the worker, every ten minutes, when the cache
    is shared). Returns the number of towns."""
    if not shared():
        return 0
    towns = list(Town.objects.all())
    for town in towns:
        period = ds.default_period(clock.today(town.timezone))
        town_figures(town, period, refresh=True)
        pay_figures(town, period, refresh=True)
    return len(towns)
