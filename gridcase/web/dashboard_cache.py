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

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from gridcase.assessment import integrity
from gridcase.assessment import quarter as life
from gridcase.assessment.models import (
    Adjustment,
    Appeal,
    AssessmentEvent,
    PhotoHash,
    QuarterAssessment,
)
from gridcase.assessment.results import PeriodResult
from gridcase.assessment.services import assess_period
from gridcase.cases.models import Case, TimelineEntry
from gridcase.core import clock
from gridcase.core.models import AuditEntry, ChainHead
from gridcase.org.models import PolicyVersion, Role, Town

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


# ---------------------------------------------------------------- the assessment's result
#
# The period page and an officer's statement assess the town's period on each view
# (assessment.services.assess_period: seconds at a million cases; bench/README.md). Their
# result is kept here under an exact key: the town, the period, the local day (late and
# pending are judged on it) and a stamp of everything in the town that changes a result — the
# newest change of any of its cases (`updated_at`, index case_town_updated) and the head of its
# timeline (every action on a case appends to it, also those that do not save the row), its
# appeals, adjustments, quarters (finalised, approved, sent back), assessment events, policy
# versions, officer roles, audit entries (people) and photo hashes (which the worker adds after
# the case was saved, for the padding signals). Reading the stamp is one query of index reads
# (milliseconds); any change that could alter the figures makes a new key, so a view never
# shows a stale result and no service has to remember to drop an entry (nothing to show
# "数据截至" for either). An entry no longer matched is never read again and expires
# (ASSESSMENT_TIMEOUT). The period page's quarter panel and the office's padding signals are
# kept the same way, under the same stamp, read once per page (Stamp). A period with a
# finalised quarter is not kept: it is read from the quarter's frozen snapshot already.
#
# The key holds the town, never a person: who may see the town, and which officer's lines, is
# decided before and after (views/assessment/common.py, assessment.selectors.visible_result).
#
# The same process keeps the few results it last used as objects (_RECENT): unpickling a
# quarter of a big town's cases costs more than the page may. Such a copy is used only while
# the shared entry of its key still exists, so that clearing the cache clears it too.

ASSESSMENT_TIMEOUT = 24 * 3600  # seconds: an unmatched entry's backstop
RECENT_SIZE = 4  # results kept as objects by each process
_RECENT: OrderedDict[str, Any] = OrderedDict()
_RECENT_LOCK = threading.Lock()


@dataclass(frozen=True)
class Stamp:
    """A town's stamp for a period's quarters, read once per page (assessment_stamp)."""

    town_id: int
    quarters: tuple[str, ...]
    digest: str
    frozen: bool  # one of the quarters is finalised: nothing is kept (see `exact`)


def stamp_of(town: Town, months: list[str]) -> Stamp:
    quarters = _quarters(months)
    digest, frozen = assessment_stamp(town, quarters)
    return Stamp(town.pk, tuple(quarters), digest, frozen)


def assessment_stamp(town: Town, quarters: list[str]) -> tuple[str, bool]:
    """What a town's assessment result depends on besides its period and day, in one query of
    index reads (see above): the newest change of its cases, the head of its timeline (every
    action on a case and on its appeals), its newest adjustment, assessment event (the
    quarter's life, policy uploads), policy version, officer role and audit entry (people and
    roles granted, changed, ended). The town's own name and zone are in it too: both are on
    the result. And whether one of `quarters` is finalised (then nothing is kept: see
    `exact`)."""

    def newest(rows: QuerySet, field: str) -> Subquery:
        return Subquery(rows.order_by(f"-{field}").values(field)[:1])

    mine = {"town_id": OuterRef("pk")}
    head = ChainHead.objects.filter(key=TimelineEntry.chain.key({"town_id": town.pk}))
    found = (
        Town.objects.filter(pk=town.pk)
        .annotate(
            case_changed=newest(Case.objects.filter(**mine), "updated_at"),
            timeline=newest(head, "seq"),
            appeal=newest(Appeal.objects.filter(**mine), "id"),
            decided=newest(Appeal.objects.filter(**mine, decided_at__isnull=False), "decided_at"),
            adjustment=newest(Adjustment.objects.filter(**mine), "id"),
            event=newest(AssessmentEvent.objects.filter(**mine), "id"),
            policy=newest(PolicyVersion.objects.filter(**mine), "id"),
            role=newest(Role.objects.filter(**mine), "id"),
            audit=newest(AuditEntry.objects.filter(**mine), "seq"),
            photo=newest(PhotoHash.objects.filter(case__town_id=OuterRef("pk")), "id"),
            frozen=Exists(
                QuarterAssessment.objects.filter(**mine, quarter__in=quarters).exclude(
                    status=QuarterAssessment.Status.DRAFT
                )
            ),
        )
        .values_list(
            "name",
            "timezone",
            "case_changed",
            "timeline",
            "appeal",
            "decided",
            "adjustment",
            "event",
            "policy",
            "role",
            "audit",
            "photo",
            "frozen",
        )
        .first()
    )
    return hashlib.sha256(repr(found).encode()).hexdigest()[:32], bool(found and found[-1])


def exact(
    kind: str,
    town: Town,
    stamp: Stamp,
    what: str,
    compute: Callable[[], Any],
    *,
    live_only: bool = False,
) -> Any:
    """The value kept under (kind, town, what, the town's stamp), else computed now and kept.

    Not for a period with a finalised quarter: that is read from the quarter's frozen snapshot
    (assess_period), which is what it shows, as stored, and is not kept twice — unless the
    value is ``live_only``: read from the live rows whatever the quarter's status (the stamp's
    digest holds the status too)."""
    if stamp.town_id != town.pk:
        raise ValueError("the stamp of another town")
    if stamp.frozen and not live_only:
        return compute()
    key = f"dash:v{VERSION}:{kind}:{town.pk}:{what}:{stamp.digest}"
    with _RECENT_LOCK:
        recent = _RECENT.get(key)
        if recent is not None:
            _RECENT.move_to_end(key)
    if recent is not None and cache.has_key(key):
        return recent
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, timeout=ASSESSMENT_TIMEOUT)
    with _RECENT_LOCK:
        _RECENT[key] = found
        _RECENT.move_to_end(key)
        while len(_RECENT) > RECENT_SIZE:
            _RECENT.popitem(last=False)
    return found


def _quarters(months: list[str]) -> list[str]:
    return sorted({clock.quarter_of(clock.parse_month(m)) for m in months})


def period_result(
    town: Town, months: list[str], today: date, stamp: Stamp | None = None
) -> PeriodResult:
    """The town's assessment of the months judged on `today` (assess_period, its policy in
    force; a finalised quarter's from its snapshot), kept under an exact key."""
    return exact(
        "assess",
        town,
        stamp or stamp_of(town, months),
        f"{','.join(months)}:{today.isoformat()}",
        lambda: assess_period(town=town, months=months, today=today),
    )


def quarter_facts(town: Town, quarters: list[str]) -> dict[str, life.QuarterFacts]:
    """The quarters' case counts and the days they may be finalised (`/assessment/`: one
    aggregate over two years of the town's cases, 0.9 s at a million), kept like the result,
    finalised quarters included: the counts are the live cases', never the snapshot's."""
    stamp = stamp_of(town, [clock.quarter_months(q)[0] for q in quarters])
    return exact(
        "quarter_facts",
        town,
        stamp,
        ",".join(quarters),
        lambda: life.quarter_facts(town, quarters),
        live_only=True,
    )


def quarter_status(town: Town, quarter: str, stamp: Stamp | None = None) -> life.QuarterInfo:
    """The quarter's status, the day it may be finalised and its pending appeals (the period
    page's panel: three reads), kept like the result: a month's page after its quarter's reads
    none of them."""
    stamp = stamp or stamp_of(town, clock.quarter_months(quarter))
    return exact(
        "quarter", town, stamp, quarter, lambda: life.quarter_status(town=town, quarter=quarter)
    )


def padding_signals(
    town: Town, months: list[str], first: date, last: date, stamp: Stamp | None = None
) -> list:
    """The padding signals of the months (integrity.signals_in_period: five reads of the
    period's cases, their photos' hashes and the year before's counts; the office's period
    page), kept like the result. The photos' hashes, which the worker adds after the case was
    saved, are in the stamp."""
    return exact(
        "signals",
        town,
        stamp or stamp_of(town, months),
        f"{first.isoformat()}:{last.isoformat()}",
        lambda: integrity.signals_in_period(town, first, last),
    )
