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
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from huey.contrib.djhuey import HUEY

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
from gridcase.assessment.services import assess_period, without_cycle_collection
from gridcase.cases.models import Case, TimelineEntry
from gridcase.core import clock
from gridcase.core.models import AuditEntry, ChainHead
from gridcase.org.models import PolicyVersion, Role, Town

from . import dashboard_selectors as ds

VERSION = 2  # of what is kept: a change of the figures' shape starts afresh
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
# (milliseconds); any change that could alter the figures makes a new key, so an exact read
# never returns a stale result and no service has to remember to drop an entry. An entry no
# longer matched is never read again and expires (ASSESSMENT_TIMEOUT). The period page's
# quarter panel and the office's padding signals are kept the same way, under the same stamp,
# read once per page (Stamp). A period with a finalised quarter is not kept: it is read from
# the quarter's frozen snapshot already.
#
# After a change, the first view of a big town's period would pay the whole assessment again
# (11–14 s for a quarter of a million cases). So a page (not a download: those are exact) may
# be shown the *last* value kept for the same town and period, with the time it was computed
# ("数据截至 …,正在重新计算"), while the worker computes the current one (`latest`) — only
# when the last computation took longer than a page may wait (GRIDCASE_ASSESSMENT_WAIT_MS)
# and the cache is shared with the worker (Redis); a small town, or one machine without Redis,
# always computes at once. Each kept value points to itself from its line (the same town,
# kind and period without the stamp or day): the last one written wins.
#
# The key holds the town, never the person who looks: who may see the town, and which
# officer's lines, is decided before and after (views/assessment/common.py,
# assessment.selectors.visible_result). A page reads only what it shows: the period page the
# result without its cases (`period_summary`), a statement one officer's part (`officer_part`,
# keyed by that officer); both are made from the kept result and kept beside it.
#
# The same process keeps the few values it last used as objects (_RECENT): unpickling a
# quarter of a big town's cases costs more than the page may. Such a copy is used only while
# the shared entry of its key still exists, so that clearing the cache clears it too.

ASSESSMENT_TIMEOUT = 24 * 3600  # seconds: an unmatched entry's backstop
# How long a request to the worker to compute a line's value stands before a later view may
# ask again although the worker has not answered (it died, the queue was lost): the time a big
# town's quarter takes, and more. One request per line at a time: a town that changes faster
# than its quarter is computed does not fill the queue with computations of stamps already
# gone; when the worker answers, the next view asks for the stamp of then.
ASKED_FOR = 10 * 60  # seconds
RECENT_SIZE = 4  # values kept as objects by each process
_RECENT: OrderedDict[str, Entry] = OrderedDict()
_RECENT_LOCK = threading.Lock()


@dataclass(frozen=True)
class Stamp:
    """A town's stamp for a period's quarters, read once per page (assessment_stamp)."""

    town_id: int
    quarters: tuple[str, ...]
    digest: str
    frozen: bool  # one of the quarters is finalised: nothing is kept (see `latest`)


@dataclass(frozen=True)
class Entry:
    """A kept value, when it was computed (the town's clock) and how long that took."""

    value: Any
    computed_at: datetime
    seconds: float


@dataclass(frozen=True)
class Shown:
    """What a page shows: the value, when it was computed, how long that took, and whether it
    is the current one (False: an earlier one, while the worker computes the current; see
    `latest`)."""

    value: Any
    computed_at: datetime
    seconds: float = 0.0
    current: bool = True


@dataclass(frozen=True)
class _Derived:
    """A value made from another kept one (a part of the period's result), with what the
    whole cost: whether a page may wait for the part is whether it may wait for the whole."""

    value: Any
    seconds: float


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
    `latest`)."""

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


def _remembered(key: str, entry: Entry) -> None:
    with _RECENT_LOCK:
        _RECENT[key] = entry
        _RECENT.move_to_end(key)
        while len(_RECENT) > RECENT_SIZE:
            _RECENT.popitem(last=False)


def _found(key: str) -> Entry | None:
    """The entry kept under `key`: this process's object while the shared entry exists, else
    the shared entry."""
    with _RECENT_LOCK:
        recent = _RECENT.get(key)
        if recent is not None:
            _RECENT.move_to_end(key)
    if recent is not None and cache.has_key(key):
        return recent
    # Millions of objects for a big town's quarter: unpickled four times faster without the
    # cycle collector running over them again and again (none of them forms a cycle).
    with without_cycle_collection():
        found = cache.get(key)
    if not isinstance(found, Entry):
        return None
    _remembered(key, found)
    return found


def _line_key(kind: str, town: Town, line: str) -> str:
    return f"dash:v{VERSION}:{kind}:{town.pk}:{line}:last"


def _computed(key: str, line_key: str, compute: Callable[[], Any]) -> Entry:
    started = time.perf_counter()
    value = compute()
    seconds = time.perf_counter() - started
    if isinstance(value, _Derived):
        value, seconds = value.value, max(seconds, value.seconds)
    entry = Entry(value, clock.now(), seconds)
    cache.set(key, entry, timeout=ASSESSMENT_TIMEOUT)
    cache.set(line_key, key, timeout=ASSESSMENT_TIMEOUT)
    _remembered(key, entry)
    return entry


def latest(
    kind: str,
    town: Town,
    stamp: Stamp,
    what: str,
    compute: Callable[[], Any],
    *,
    line: str,
    ask: tuple[str, ...] | None = None,
    live_only: bool = False,
) -> Shown:
    """The value kept under (kind, town, what, the town's stamp), else computed now and kept.

    With `ask` (a page, not a download): when there is none for this stamp, the last one kept
    on the same `line` (the period without stamp or day) is shown instead, with its time, if
    computing it took longer than a page may wait and the worker shares the cache — and the
    worker is asked to compute the current one (`refresh_task(kind, town, *ask)`), once while
    it has not answered (ASKED_FOR).

    Not for a period with a finalised quarter: that is read from the quarter's frozen snapshot
    (assess_period), which is what it shows, as stored, and is not kept twice — unless the
    value is ``live_only``: read from the live rows whatever the quarter's status (the stamp's
    digest holds the status too)."""
    if stamp.town_id != town.pk:
        raise ValueError("the stamp of another town")
    if stamp.frozen and not live_only:
        value = compute()
        return Shown(value.value if isinstance(value, _Derived) else value, clock.now())
    key = f"dash:v{VERSION}:{kind}:{town.pk}:{what}:{stamp.digest}"
    found = _found(key)
    if found is not None:
        return Shown(found.value, found.computed_at, found.seconds)
    line_key = _line_key(kind, town, line)
    if ask is not None and shared():
        last_key = cache.get(line_key)
        last = _found(last_key) if isinstance(last_key, str) else None
        if last is not None and last.seconds * 1000 > settings.GRIDCASE_ASSESSMENT_WAIT_MS:
            asked = f"{line_key}:asked"
            if cache.add(asked, True, timeout=ASKED_FOR):
                refresh_task(kind, town.pk, *ask, asked=asked)
            return Shown(last.value, last.computed_at, last.seconds, current=False)
    entry = _computed(key, line_key, compute)
    return Shown(entry.value, entry.computed_at, entry.seconds)


def _quarters(months: list[str]) -> list[str]:
    return sorted({clock.quarter_of(clock.parse_month(m)) for m in months})


def period_result(
    town: Town,
    months: list[str],
    today: date,
    stamp: Stamp | None = None,
    *,
    wait: bool = True,
) -> Shown:
    """The town's assessment of the months judged on `today` (assess_period, its policy in
    force; a finalised quarter's from its snapshot), kept under an exact key; without `wait`
    perhaps the last one kept while the worker computes it (`latest`)."""
    period = ",".join(months)
    return latest(
        "assess",
        town,
        stamp or stamp_of(town, months),
        f"{period}:{today.isoformat()}",
        lambda: assess_period(town=town, months=months, today=today),
        line=period,
        ask=None if wait else (period, today.isoformat()),
    )


def _cut(
    kind: str,
    town: Town,
    months: list[str],
    today: date,
    stamp: Stamp | None,
    wait: bool,
    cut: Callable[[PeriodResult], Any],
    part: str = "",
) -> Shown:
    """A part of the period's result (`cut` from it), made from the kept result and kept
    beside it under the same stamp; `part` names which one (an officer) in its key."""
    period = ",".join(months)
    stamp = stamp or stamp_of(town, months)
    named = (part,) if part else ()

    def compute() -> _Derived:
        whole = period_result(town, months, today, stamp)
        return _Derived(cut(whole.value), whole.seconds)

    return latest(
        kind,
        town,
        stamp,
        ":".join((period, today.isoformat(), *named)),
        compute,
        line=":".join((period, *named)),
        ask=None if wait else (period, today.isoformat(), *named),
    )


def period_summary(
    town: Town,
    months: list[str],
    today: date,
    stamp: Stamp | None = None,
    *,
    wait: bool = True,
) -> Shown:
    """The period's result without its cases (PeriodResult.without_cases: the period page's
    months and totals): a page does not read back the megabytes of a big town's cases to show
    its officers' totals."""
    return _cut("summary", town, months, today, stamp, wait, PeriodResult.without_cases)


def officer_part(
    town: Town,
    months: list[str],
    today: date,
    officer_id: int,
    stamp: Stamp | None = None,
    *,
    wait: bool = True,
) -> Shown:
    """One officer's part of the period's result (an OfficerResult, or None when they have
    nothing in it: a statement)."""
    return _cut(
        "officer",
        town,
        months,
        today,
        stamp,
        wait,
        lambda result: result.officer(officer_id),
        str(officer_id),
    )


def quarter_facts(town: Town, quarters: list[str], *, wait: bool = True) -> Shown:
    """The quarters' case counts and the days they may be finalised (`/assessment/`: one
    aggregate over two years of the town's cases, 0.9 s at a million), kept like the result,
    finalised quarters included: the counts are the live cases', never the snapshot's."""
    stamp = stamp_of(town, [clock.quarter_months(q)[0] for q in quarters])
    named = ",".join(quarters)
    return latest(
        "quarter_facts",
        town,
        stamp,
        named,
        lambda: life.quarter_facts(town, quarters),
        line=named,
        ask=None if wait else (named,),
        live_only=True,
    )


def quarter_status(
    town: Town, quarter: str, stamp: Stamp | None = None, *, wait: bool = True
) -> Shown:
    """The quarter's status, the day it may be finalised and its pending appeals (the period
    page's panel: three reads), kept like the result: a month's page after its quarter's reads
    none of them."""
    return latest(
        "quarter",
        town,
        stamp or stamp_of(town, clock.quarter_months(quarter)),
        quarter,
        lambda: life.quarter_status(town=town, quarter=quarter),
        line=quarter,
        ask=None if wait else (quarter,),
    )


def padding_signals(
    town: Town,
    months: list[str],
    first: date,
    last: date,
    stamp: Stamp | None = None,
    *,
    wait: bool = True,
) -> Shown:
    """The padding signals of the months (integrity.signals_in_period: five reads of the
    period's cases, their photos' hashes and the year before's counts; the office's period
    page), kept like the result. The photos' hashes, which the worker adds after the case was
    saved, are in the stamp."""
    span = f"{first.isoformat()}:{last.isoformat()}"
    return latest(
        "signals",
        town,
        stamp or stamp_of(town, months),
        span,
        lambda: integrity.signals_in_period(town, first, last),
        line=span,
        ask=None if wait else (",".join(months), first.isoformat(), last.isoformat()),
    )


def refresh(kind: str, town: Town, *args: str) -> None:
    """Compute the current value of `kind` that a page asked for (`latest`), with the
    arguments it gave: the worker's side."""
    if kind == "assess":
        period_result(town, args[0].split(","), date.fromisoformat(args[1]))
    elif kind == "summary":
        period_summary(town, args[0].split(","), date.fromisoformat(args[1]))
    elif kind == "officer":
        officer_part(town, args[0].split(","), date.fromisoformat(args[1]), int(args[2]))
    elif kind == "quarter_facts":
        quarter_facts(town, args[0].split(","))
    elif kind == "quarter":
        quarter_status(town, args[0])
    elif kind == "signals":
        first, last = date.fromisoformat(args[1]), date.fromisoformat(args[2])
        padding_signals(town, args[0].split(","), first, last)
    else:
        raise ValueError(f"nothing kept of kind {kind!r}")


@HUEY.task(name="web.refresh_kept")
def refresh_task(kind: str, town_id: int, *args: str, asked: str = "") -> None:
    """The worker computes what a page asked for, then lets the next view ask again
    (`asked`: the line's request, see ASKED_FOR)."""
    # As djhuey's db_task: a worker thread must not keep a broken or stale connection.
    if not HUEY.immediate:
        close_old_connections()
    try:
        town = Town.objects.filter(pk=town_id).first()
        if town is not None:
            refresh(kind, town, *args)
    finally:
        if asked:
            cache.delete(asked)
        if not HUEY.immediate:
            close_old_connections()
