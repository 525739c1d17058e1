"""The quarter's life: where it stands, finalise, approve (or send back).

Each step is a service: keyword-only, one transaction, an audit row in that transaction
(``AssessmentEvent`` and the audit trail), status changes by compare-and-swap, and the role
checked here (governance office finalises, the leader approves or sends back) — not only in
the pages. Appeals are in ``appeals.py``; corrections of an approved quarter in
``adjustments.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _t

from gridcase.cases.errors import CaseError, Conflict
from gridcase.cases.models import Case, State
from gridcase.core import audit, clock
from gridcase.notify import assessment_news
from gridcase.org.models import Role, Town, User

from .common import assessment_event, at_or_now, check_quarter, last_day, require_role, require_text
from .models import Appeal, QuarterAssessment
from .services import assess_period

STATUS_WORDS = {
    "draft": "暂定",
    "finalised": "已定稿",
    "approved": "已审批",
}


# ---------------------------------------------------------------- the quarter's life


def quarter_row(town: Town, quarter: str, *, lock: bool = False) -> QuarterAssessment:
    """The quarter's row (created as a draft on first use), locked for the transaction."""
    try:
        with transaction.atomic():
            QuarterAssessment.objects.get_or_create(town=town, quarter=quarter)
    except IntegrityError:
        pass  # created by a concurrent transaction
    rows = QuarterAssessment.objects.filter(town=town, quarter=quarter)
    if lock:
        rows = rows.select_for_update()
    return rows.get()


@dataclass(frozen=True)
class QuarterFacts:
    cases: int  # the cases submitted in it, voided ones aside
    possible_from: date  # the first local day on which it may be finalised


def quarter_facts(town: Town, quarters: list[str]) -> dict[str, QuarterFacts]:
    """For each quarter, in one query: how many cases it holds and the first local day on
    which it may be finalised — after its last day and after every handling deadline of its
    cases (and the acceptance deadline of any case still waiting to be accepted)."""
    quarters = [check_quarter(q) for q in quarters]
    if not quarters:
        return {}
    aggregates = {}
    bounds = []
    for i, quarter in enumerate(quarters):
        months = clock.quarter_months(quarter)
        start, _ = clock.month_bounds(months[0], town.timezone)
        _, end = clock.month_bounds(months[-1], town.timezone)
        bounds += [start, end]
        inside = Q(submitted_at__gte=start, submitted_at__lt=end)
        aggregates[f"n{i}"] = Count("pk", filter=inside)
        aggregates[f"local{i}"] = Max("local_due", filter=inside)
        aggregates[f"accept{i}"] = Max("accept_due", filter=inside & Q(state=State.PENDING))
    found = (
        Case.objects.filter(town=town, submitted_at__gte=min(bounds), submitted_at__lt=max(bounds))
        .exclude(state=State.VOIDED)
        .aggregate(**aggregates)
    )
    facts = {}
    for i, quarter in enumerate(quarters):
        ends = (
            last_day(clock.quarter_months(quarter)[-1]),
            found[f"local{i}"],
            found[f"accept{i}"],
        )
        last = max(d for d in ends if d)
        facts[quarter] = QuarterFacts(cases=found[f"n{i}"], possible_from=last + timedelta(days=1))
    return facts


def finalise_possible_from(town: Town, quarter: str) -> date:
    """The first local day on which the quarter may be finalised (see `quarter_facts`)."""
    return quarter_facts(town, [quarter])[check_quarter(quarter)].possible_from


def finalise_blocker(*, today: date, possible_from: date, pending_appeals: int) -> str:
    """Why the quarter cannot be finalised today, in words, or "": the one rule that both the
    service (quarter_finalise) and the period page (a disabled 定稿 with the reason) ask."""
    if today < possible_from:
        last = possible_from - timedelta(days=1)
        return _t("本季度事件的办理期限最晚到 %(last)s,可于 %(day)s 起定稿") % {
            "last": last,
            "day": possible_from,
        }
    if pending_appeals:
        return _t("还有 %(n)s 件申诉未处理,请先处理申诉再定稿") % {"n": pending_appeals}
    return ""


@dataclass(frozen=True)
class QuarterInfo:
    quarter: str
    status: str  # draft | finalised | approved
    possible_from: date  # the first day it may be finalised
    pending_appeals: int
    row: QuarterAssessment | None

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]


def quarter_status(*, town: Town, quarter: str) -> QuarterInfo:
    quarter = check_quarter(quarter)
    row = QuarterAssessment.objects.filter(town=town, quarter=quarter).first()
    return QuarterInfo(
        quarter=quarter,
        status=row.status if row else QuarterAssessment.Status.DRAFT,
        possible_from=finalise_possible_from(town, quarter),
        pending_appeals=Appeal.objects.filter(
            town=town, quarter=quarter, status=Appeal.Status.PENDING
        ).count(),
        row=row,
    )


def _audited(row: QuarterAssessment) -> dict:
    """The quarter's state as the audit trail keeps it (the snapshot stays on the row and in
    the assessment's own event log)."""
    return {
        "status": row.status,
        "policy_code": row.policy_code,
        "finalised_at": row.finalised_at,
        "finalised_by": row.finalised_by_id,
        "approved_at": row.approved_at,
        "approved_by": row.approved_by_id,
    }


def _audit_quarter(action: str, row: QuarterAssessment, by: User, before: dict, at, **extra):
    after = {**_audited(row), **extra}
    audit.record(town=row.town_id, by=by, action=action, obj=row, before=before, after=after, at=at)


def _swap_status(row: QuarterAssessment, old: str, changes: dict) -> None:
    updated = QuarterAssessment.objects.filter(pk=row.pk, status=old).update(**changes)
    if updated != 1:
        current = QuarterAssessment.objects.filter(pk=row.pk).values_list("status", flat=True)
        word = STATUS_WORDS.get(current.first() or "", "")
        raise Conflict(f"{row.quarter} 考核的状态刚刚已被他人改为“{word}”,您的操作未执行")
    for name, value in changes.items():
        setattr(row, name, value)


@transaction.atomic
def quarter_finalise(
    *, town: Town, quarter: str, by: User, at: datetime | None = None
) -> QuarterAssessment:
    """定稿: freeze the quarter's result (policy versions, every officer's months, every
    case's status, amount and reason) once every handling deadline has passed."""
    at = at_or_now(at)
    quarter = check_quarter(quarter)
    today = clock.local_date(at, town.timezone)
    require_role(by, town, {Role.Kind.GOVERNANCE_OFFICE}, "只有镇政法综治办可以定稿季度考核", today)
    row = quarter_row(town, quarter, lock=True)
    if row.status != QuarterAssessment.Status.DRAFT:
        raise Conflict(f"{quarter} 考核已{STATUS_WORDS[row.status]},不能再次定稿")
    possible = finalise_possible_from(town, quarter)
    pending = Appeal.objects.filter(town=town, quarter=quarter, status=Appeal.Status.PENDING)
    blocker = finalise_blocker(today=today, possible_from=possible, pending_appeals=pending.count())
    if blocker:
        numbers = "、".join(pending.values_list("case__number", flat=True)[:10])
        raise CaseError(
            f"{quarter} 考核现在还不能定稿: {blocker}" + (f" ({numbers})" if numbers else ""),
            {"quarter": [blocker]},
        )
    result = assess_period(town=town, months=clock.quarter_months(quarter), today=today, live=True)
    codes = list(dict.fromkeys(p.code for p in result.month_policies.values()))
    before = _audited(row)
    _swap_status(
        row,
        QuarterAssessment.Status.DRAFT,
        {
            "status": QuarterAssessment.Status.FINALISED,
            "snapshot": result.to_snapshot(),
            "policy_code": ", ".join(codes),
            "finalised_at": at,
            "finalised_by": by,
        },
    )
    assessment_event(
        town,
        quarter,
        at,
        by,
        "finalise",
        data={"officers": len(result.officers), "total": str(result.total)},
    )
    _audit_quarter(
        "quarter.finalise",
        row,
        by,
        before,
        at,
        officers=len(result.officers),
        total=str(result.total),
    )
    # Issue 6: the leaders must approve it (notify.assessment_news says who is told).
    assessment_news.quarter_finalised(town=town, quarter=quarter, by=by, on=today)
    return row


@transaction.atomic
def quarter_approve(
    *, town: Town, quarter: str, by: User, note: str = "", at: datetime | None = None
) -> QuarterAssessment:
    """审批: the leader approves the finalised quarter; its payroll is then final."""
    at = at_or_now(at)
    quarter = check_quarter(quarter)
    today = clock.local_date(at, town.timezone)
    require_role(by, town, {Role.Kind.LEADER}, "只有政法分管领导可以审批季度考核", today)
    row = quarter_row(town, quarter, lock=True)
    if row.status == QuarterAssessment.Status.DRAFT:
        raise CaseError(f"{quarter} 考核尚未定稿, 请综治办先定稿再审批", {"quarter": ["尚未定稿"]})
    if row.status == QuarterAssessment.Status.APPROVED:
        raise Conflict(f"{quarter} 考核已审批,不能重复审批")
    before = _audited(row)
    _swap_status(
        row,
        QuarterAssessment.Status.FINALISED,
        {"status": QuarterAssessment.Status.APPROVED, "approved_at": at, "approved_by": by},
    )
    assessment_event(town, quarter, at, by, "approve", note=(note or "").strip())
    _audit_quarter("quarter.approve", row, by, before, at, note=(note or "").strip())
    assessment_news.quarter_approved(
        town=town, quarter=quarter, by=by, on=today, note=(note or "").strip()
    )
    return row


@transaction.atomic
def quarter_reopen(
    *, town: Town, quarter: str, by: User, reason: str, at: datetime | None = None
) -> QuarterAssessment:
    """退回: the leader sends a finalised (not yet approved) quarter back to be corrected.
    The old snapshot is kept in the audit row."""
    at = at_or_now(at)
    quarter = check_quarter(quarter)
    today = clock.local_date(at, town.timezone)
    require_role(by, town, {Role.Kind.LEADER}, "只有政法分管领导可以退回季度考核", today)
    reason = require_text(reason, "reason", "退回原因")
    row = quarter_row(town, quarter, lock=True)
    if row.status != QuarterAssessment.Status.FINALISED:
        raise CaseError(
            f"{quarter} 考核为“{STATUS_WORDS[row.status]}”, 只有已定稿未审批的季度可以退回",
            {"quarter": ["不能退回"]},
        )
    old = {"snapshot": row.snapshot, "finalised_at": row.finalised_at.isoformat()}
    before = _audited(row)
    _swap_status(
        row,
        QuarterAssessment.Status.FINALISED,
        {
            "status": QuarterAssessment.Status.DRAFT,
            "snapshot": None,
            "policy_code": "",
            "finalised_at": None,
            "finalised_by": None,
        },
    )
    assessment_event(town, quarter, at, by, "reopen", note=reason, data=old)
    _audit_quarter("quarter.reopen", row, by, before, at, reason=reason)
    assessment_news.quarter_reopened(town=town, quarter=quarter, by=by, on=today, reason=reason)
    return row
