"""The dashboards' reads: a few set-based aggregate queries per page, whatever the number of
cases, villages or months (GROUP BY, never a query per village or per month).

Every date is the town's local date: months are cut with ``TruncMonth(..., tzinfo=the town's
zone)`` and days with ``TruncDate(..., tzinfo=...)``, so a case submitted at 23:30 on
31 October local time is an October case (domain.md, Deadlines).

On time, per level (what "按时" means on the dashboards)
-------------------------------------------------------
- **Local (grid + village station, 本级)**: the grid and the village station share one
  handling period (``Case.local_due``). A case counts in the period in which its local outcome
  was recorded (``local_outcome_at``: closed at grid/village, or escalated to the town) and is
  on time when the town-local date of ``local_outcome_at`` is on or before ``local_due``.
  A returned escalation clears the outcome, so only the outcome that stands is counted.
- **Town center (镇中心)**: cases closed at the town level (``closed_level = "town"``),
  counted in the period of ``closed_at``; on time when the local date of ``closed_at`` is on
  or before ``handle_due`` — the center's deadline at the moment it closed (for a case that
  came back from a department: the center's acceptance period to record the result).
- **Department (部门)**: the department's part ends with its report of the result; the case's
  ``handle_due`` is then overwritten with the center's period, so the department's deadline is
  read from the timeline: each ``report`` entry keeps ``data.due`` and ``data.late`` (the
  local date of the report after the department's deadline, extensions included). Counted in
  the period of the report. Report entries written before those fields existed are left out.

Overdue now (当前超期): open cases whose current deadline (``cases.deadlines.due_of``:
acceptance while pending, handling after) is before the town's today, by level and village.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncMonth

from gridcase.assessment.services import assess_period
from gridcase.cases.deadlines import due_now_expr
from gridcase.cases.models import OPEN_STATES, Case, Level, LocalOutcome, State, TimelineEntry
from gridcase.core import clock
from gridcase.org.models import Role, Town, Unit, User, Village
from gridcase.org.selectors import roles_in_force

TOWN_WIDE = frozenset(
    {
        Role.Kind.TOWN_CENTER,
        Role.Kind.GOVERNANCE_OFFICE,
        Role.Kind.LEADER,
        Role.Kind.ADMINISTRATOR,
    }
)
RATE_LEVELS = ("local", "town", "department")
ZERO = Decimal("0.00")


# ---------------------------------------------------------------- who, where, when


def dashboard_towns(user: User) -> list[Town]:
    """The towns whose dashboards the person may see: where they hold a town-wide role today
    (superusers: every town). Empty means: no dashboards (the pages answer 404)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return list(Town.objects.order_by("name"))
    towns: dict[int, Town] = {}
    for role in roles_in_force(user):
        if role.kind in TOWN_WIDE:
            towns[role.town_id] = role.town
    return sorted(towns.values(), key=lambda town: town.name)


@dataclass(frozen=True)
class Period:
    """Local dates [first, last], both included."""

    first: date
    last: date

    def months(self) -> list[str]:
        out, day = [], self.first.replace(day=1)
        while day <= self.last:
            out.append(clock.month_of(day))
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return out

    def quarters(self) -> list[str]:
        return list(dict.fromkeys(clock.quarter_of(clock.parse_month(m)) for m in self.months()))

    def bounds(self, tz: str):
        return clock.start_of_day(self.first, tz), clock.end_of_day(self.last, tz)


def default_period(today: date, months: int = 6) -> Period:
    """The last `months` months: from the first day of the month `months - 1` back, to today."""
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return Period(date(year, month, 1), today)


def _month_key(moment, tz: str) -> str:
    """TruncMonth's value (an aware datetime, or a date on some backends) as 'YYYY-MM'."""
    if hasattr(moment, "astimezone"):
        moment = moment.astimezone(clock.zone(tz))
    return f"{moment.year}-{moment.month:02d}"


# ---------------------------------------------------------------- cases by month and category


def cases_by_month(town: Town, period: Period) -> dict[tuple[str, str], int]:
    """{(month, category): number of cases submitted} — one query. Voided cases (not a real
    matter) and drafts (not handed in) are left out."""
    start, end = period.bounds(town.timezone)
    rows = (
        Case.objects.filter(town=town, submitted_at__gte=start, submitted_at__lt=end)
        .exclude(state__in=[State.DRAFT, State.VOIDED])
        .annotate(month=TruncMonth("submitted_at", tzinfo=clock.zone(town.timezone)))
        .values("month", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        counts[(_month_key(row["month"], town.timezone), row["category"])] += row["n"]
    return dict(counts)


# ---------------------------------------------------------------- on-time rates


@dataclass
class Rate:
    total: int = 0
    on_time: int = 0

    def add(self, total: int, on_time: int) -> None:
        self.total += total
        self.on_time += on_time

    @property
    def late(self) -> int:
        return self.total - self.on_time

    @property
    def percent(self) -> float | None:
        """On-time share in percent, one decimal; None when nothing was due."""
        if not self.total:
            return None
        return round(100.0 * self.on_time / self.total, 1)


@dataclass
class OnTime:
    """On-time counts by level, and within each level by village and by month."""

    levels: dict[str, Rate] = field(default_factory=lambda: {k: Rate() for k in RATE_LEVELS})
    by_village: dict[tuple[str, int], Rate] = field(default_factory=lambda: defaultdict(Rate))
    by_month: dict[tuple[str, str], Rate] = field(default_factory=lambda: defaultdict(Rate))
    by_department: dict[int, Rate] = field(default_factory=lambda: defaultdict(Rate))

    def take(self, level: str, village_id: int, month: str, total: int, on_time: int) -> None:
        self.levels[level].add(total, on_time)
        self.by_village[(level, village_id)].add(total, on_time)
        self.by_month[(level, month)].add(total, on_time)

    def village(self, level: str, village_id: int) -> Rate:
        return self.by_village.get((level, village_id)) or Rate()

    def month(self, level: str, month: str) -> Rate:
        return self.by_month.get((level, month)) or Rate()


def on_time(town: Town, period: Period) -> OnTime:
    """The three levels' on-time counts (see the module's docstring): three GROUP BY queries,
    each by village and local month."""
    tz = clock.zone(town.timezone)
    start, end = period.bounds(town.timezone)
    result = OnTime()

    local = (
        Case.objects.filter(
            town=town,
            local_outcome__in=[LocalOutcome.CLOSED, LocalOutcome.ESCALATED],
            local_outcome_at__gte=start,
            local_outcome_at__lt=end,
        )
        .annotate(
            day=TruncDate("local_outcome_at", tzinfo=tz),
            month=TruncMonth("local_outcome_at", tzinfo=tz),
        )
        .values("village_id", "month")
        .annotate(
            total=Count("pk"),
            ok=Count("pk", filter=Q(local_due__isnull=False, day__lte=F("local_due"))),
        )
        .order_by()
    )
    for row in local:
        month = _month_key(row["month"], town.timezone)
        result.take("local", row["village_id"], month, row["total"], row["ok"])

    center = (
        Case.objects.filter(
            town=town, closed_level=Level.TOWN, closed_at__gte=start, closed_at__lt=end
        )
        .annotate(day=TruncDate("closed_at", tzinfo=tz), month=TruncMonth("closed_at", tzinfo=tz))
        .values("village_id", "month")
        .annotate(
            total=Count("pk"),
            ok=Count("pk", filter=Q(handle_due__isnull=False, day__lte=F("handle_due"))),
        )
        .order_by()
    )
    for row in center:
        month = _month_key(row["month"], town.timezone)
        result.take("town", row["village_id"], month, row["total"], row["ok"])

    reports = (
        TimelineEntry.objects.filter(
            case__town=town,
            action="report",
            from_level=Level.DEPARTMENT,
            at__gte=start,
            at__lt=end,
            data__has_key="late",
        )
        .annotate(month=TruncMonth("at", tzinfo=tz))
        .values("case__village_id", "case__department_id", "month")
        .annotate(total=Count("pk"), ok=Count("pk", filter=Q(data__late=False)))
        .order_by()
    )
    for row in reports:
        month = _month_key(row["month"], town.timezone)
        result.take("department", row["case__village_id"], month, row["total"], row["ok"])
        if row["case__department_id"] is not None:
            result.by_department[row["case__department_id"]].add(row["total"], row["ok"])
    return result


# ---------------------------------------------------------------- overdue now


@dataclass
class Overdue:
    by_level_village: dict[tuple[str, int], int]
    by_department: dict[int, int]
    today: date

    @property
    def total(self) -> int:
        return sum(self.by_level_village.values())

    def level(self, level: str) -> int:
        return sum(n for (lvl, _), n in self.by_level_village.items() if lvl == level)

    def village(self, village_id: int) -> int:
        return sum(n for (_, v), n in self.by_level_village.items() if v == village_id)


def overdue_now(town: Town) -> Overdue:
    """Open cases past their current deadline (before the town's today): one query."""
    today = clock.today(town.timezone)
    rows = (
        Case.objects.filter(town=town, state__in=OPEN_STATES)
        .annotate(due=due_now_expr())
        .filter(due__lt=today)
        .values("level", "village_id", "department_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_level_village: dict[tuple[str, int], int] = defaultdict(int)
    by_department: dict[int, int] = defaultdict(int)
    for row in rows:
        by_level_village[(row["level"], row["village_id"])] += row["n"]
        if row["level"] == Level.DEPARTMENT and row["department_id"] is not None:
            by_department[row["department_id"]] += row["n"]
    return Overdue(dict(by_level_village), dict(by_department), today)


# ---------------------------------------------------------------- pay per village and quarter


@dataclass(frozen=True)
class QuarterPay:
    quarter: str
    status: str  # draft | finalised | approved (of the quarter's assessment)
    provisional: bool  # figures may still change (quarter not over, or cases pending)
    by_village: dict[str, Decimal]
    officers: int

    @property
    def total(self) -> Decimal:
        return sum(self.by_village.values(), ZERO)


NO_VILLAGE = "—"


def pay_by_village(town: Town, period: Period, today: date | None = None) -> list[QuarterPay]:
    """Each begun quarter of the period: the officers' pay summed by their village.

    From ``assessment.services.assess_period``, which reads a finalised quarter from its frozen
    snapshot and computes an open one live; a handful of queries per quarter, whatever the
    number of cases and officers. An officer in several villages counts under all of them,
    joined ("长塘村、石门村"), as the assessment names them.
    """
    today = today or clock.today(town.timezone)
    out = []
    for quarter in period.quarters():
        months = clock.quarter_months(quarter)
        if clock.parse_month(months[0]) > today:
            continue
        result = assess_period(town=town, months=months, today=today)
        by_village: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for officer in result.officers:
            by_village[officer.village or NO_VILLAGE] += officer.total
        out.append(
            QuarterPay(
                quarter=quarter,
                status=result.status,
                provisional=result.provisional,
                by_village=dict(by_village),
                officers=len(result.officers),
            )
        )
    return out


# ---------------------------------------------------------------- the town's names


def villages_of(town: Town) -> list[Village]:
    return list(Village.objects.filter(town=town).order_by("name"))


def departments_of(town: Town) -> list[Unit]:
    return list(Unit.objects.filter(town=town, kind=Unit.Kind.DEPARTMENT).order_by("name"))
