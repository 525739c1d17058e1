"""The schedule: deadline warnings, follow-up reminders and the morning digest.

Run every ten minutes by the worker (`tasks.scan_task`), for every town, in the town's own
time zone and working calendar (loaded once per town per run). Every warning is recorded in
`SentWarning` under a unique key (case, kind, level, due date) in the same transaction as its
notification, so it is sent once per deadline — whatever the number of runs or workers — and
a new deadline (an extension, a return, the next level) warns again.

- yellow: an open case whose current deadline is today or the next working day;
- red: an open case whose deadline has passed (told to the handlers and their supervisors);
  deadlines more than RED_LOOKBACK_DAYS old are left to the digest, so that importing an old
  ledger does not flood the robots;
- follow-up due / overdue: a closed dispute without a follow-up visit, whose follow-up date
  is today or the next working day / has passed (within FOLLOW_UP_LOOKBACK_DAYS);
- digest: from 08:00 local on each working day, once, to the governance office and the town
  center: overdue cases by level and village, what falls due next, overdue follow-ups.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import Exists, OuterRef, Value, When

from gridcase.cases.deadlines import TownDay, due_now_expr, due_of, town_day
from gridcase.cases.models import AWAITING_FOLLOW_UP, OPEN_STATES, Case, Category, Level
from gridcase.core import clock
from gridcase.org.models import Town

from . import outbox
from .models import DigestSent, SentWarning
from .recipients import Finder

logger = logging.getLogger(__name__)

RED_LOOKBACK_DAYS = 30
FOLLOW_UP_LOOKBACK_DAYS = 30
DIGEST_AT = time(8, 0)
DIGEST_FOLLOW_UP_DAYS = 90
LEVEL_ORDER = (Level.GRID, Level.VILLAGE, Level.TOWN, Level.DEPARTMENT)


def _warned(due_field: str) -> Exists:
    """Whether the row's warning (`warn_kind`) was already sent for its level and deadline."""
    return Exists(
        SentWarning.objects.filter(
            case=OuterRef("pk"),
            kind=OuterRef("warn_kind"),
            level=OuterRef("level"),
            due=OuterRef(due_field),
        )
    )


def _kind_by_date(field: str, today: date, before: str, from_today: str) -> SqlCase:
    return SqlCase(When(**{f"{field}__lt": today}, then=Value(before)), default=Value(from_today))


def _warn_once(case: Case, kind: str, due: date, send) -> bool:
    """Record the warning and send it, in one transaction; False if it was already sent."""
    try:
        with transaction.atomic():
            SentWarning.objects.create(case=case, kind=kind, level=case.level, due=due)
            send()
    except IntegrityError:
        return False
    return True


def scan_deadlines(day: TownDay, finder: Finder) -> Counter:
    """Yellow and red warnings for the open cases of one town: one query finds the new ones."""
    sent: Counter = Counter()
    candidates = (
        Case.objects.filter(town=day.town, state__in=OPEN_STATES)
        .annotate(due_now=due_now_expr())
        .filter(
            due_now__lte=day.next_working_day,
            due_now__gte=day.today - timedelta(RED_LOOKBACK_DAYS),
        )
        .annotate(warn_kind=_kind_by_date("due_now", day.today, "red", "yellow"))
        .exclude(_warned("due_now"))
        .select_related("town", "village", "grid", "department")
        .order_by("due_now", "id")
    )
    for case in candidates:
        due = due_of(case.state, case.accept_due, case.handle_due)
        kind = day.light(due)
        if kind != case.warn_kind:
            continue
        who = finder.handlers(case)
        if kind == "red":
            who = who | finder.supervisors(case)

        def send(case=case, kind=kind, who=who):
            outbox.emit(
                town=day.town, kind=kind, recipients=who, case=case, context={"today": day.today}
            )

        if _warn_once(case, kind, due, send):
            sent[kind] += 1
    return sent


def scan_follow_ups(day: TownDay, finder: Finder) -> Counter:
    """Reminders for closed disputes that still need their follow-up visit."""
    sent: Counter = Counter()
    candidates = (
        Case.objects.filter(
            AWAITING_FOLLOW_UP,
            town=day.town,
            category=Category.DISPUTE,
            follow_up_due__gte=day.today - timedelta(FOLLOW_UP_LOOKBACK_DAYS),
            follow_up_due__lte=day.next_working_day,
        )
        .annotate(
            warn_kind=_kind_by_date(
                "follow_up_due", day.today, "follow_up_overdue", "follow_up_due"
            )
        )
        .exclude(_warned("follow_up_due"))
        .select_related("town", "village", "grid", "department")
        .order_by("follow_up_due", "id")
    )
    for case in candidates:
        kind = case.warn_kind

        def send(case=case, kind=kind):
            outbox.emit(
                town=day.town,
                kind=kind,
                recipients=finder.officers(case),
                case=case,
                context={"today": day.today},
            )

        if _warn_once(case, kind, case.follow_up_due, send):
            sent[kind] += 1
    return sent


def digest_counts(day: TownDay) -> dict:
    """Overdue cases by level and village, what is due next, overdue follow-ups: the digest's
    counts, worded by `messages.digest_lines` in each reader's language."""
    rows = (
        Case.objects.filter(town=day.town, state__in=OPEN_STATES)
        .annotate(due_now=due_now_expr())
        .values("level", "village__name", "department__name", "due_now")
    )
    overdue: dict[str, Counter] = defaultdict(Counter)
    soon = 0
    for row in rows:
        light = day.light(row["due_now"])
        if light == "red":
            where = (
                row["department__name"]
                if row["level"] == Level.DEPARTMENT and row["department__name"]
                else row["village__name"]
            )
            overdue[row["level"]][where] += 1
        elif light == "yellow":
            soon += 1
    follow_ups = Case.objects.filter(
        AWAITING_FOLLOW_UP,
        town=day.town,
        category=Category.DISPUTE,
        follow_up_due__lt=day.today,
        follow_up_due__gte=day.today - timedelta(DIGEST_FOLLOW_UP_DAYS),
    ).count()
    return {
        "total": sum(sum(c.values()) for c in overdue.values()),
        # [level, [[place, count], …]], the levels in their order, the places by name.
        "overdue": [
            [str(level), [[name, n] for name, n in sorted(overdue[level].items())]]
            for level in LEVEL_ORDER
            if overdue.get(level)
        ],
        "soon": soon,
        "follow_ups": follow_ups,
        "follow_up_days": DIGEST_FOLLOW_UP_DAYS,
    }


def send_digest(day: TownDay, finder: Finder) -> bool:
    """The morning digest, once per working day, from 08:00 local."""
    local_now = day.now.astimezone(clock.zone(day.town.timezone))
    if local_now.time() < DIGEST_AT or not day.calendar.is_working_day(day.today):
        return False
    if DigestSent.objects.filter(town=day.town, day=day.today).exists():
        return False
    try:
        with transaction.atomic():
            DigestSent.objects.create(town=day.town, day=day.today)
            outbox.emit(
                town=day.town,
                kind="digest",
                recipients=finder.office() | finder.center(),
                context={"day": day.today, "digest": digest_counts(day), "link": "/cases/"},
            )
    except IntegrityError:
        return False
    return True


def scan_town(town: Town, now: datetime | None = None) -> Counter:
    day = town_day(town, now or clock.now())  # cases.deadlines: today and calendar
    finder = Finder(town, day.today)
    sent = scan_deadlines(day, finder) + scan_follow_ups(day, finder)
    if send_digest(day, finder):
        sent["digest"] += 1
    return sent


def scan(now: datetime | None = None) -> Counter:
    """Every town's warnings, reminders and digest. Safe to run often and in parallel."""
    now = now or clock.now()
    total: Counter = Counter()
    for town in Town.objects.order_by("id"):
        try:
            total += scan_town(town, now)
        except Exception:  # one town's bad data must not stop the others' warnings
            logger.exception("notification scan failed for town %s", town.pk)
    return total
