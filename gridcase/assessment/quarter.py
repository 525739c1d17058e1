"""The quarter's life: finalise, approve (or send back), appeals, adjustments.

Each step is a service: keyword-only, one transaction, an audit row in that transaction (the
case's timeline for an appeal, ``AssessmentEvent`` for the quarter), status changes by
compare-and-swap, and the role checked here (governance office finalises and decides appeals,
the leader approves, the case's officer appeals) — not only in the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from gridcase.assessment import rules
from gridcase.cases.errors import ActionNotAllowed, CaseError, Conflict
from gridcase.cases.models import Case, State
from gridcase.cases.services import record_event
from gridcase.core import audit, clock
from gridcase.org.models import Role, Town, User

from . import facts as facts_mod
from .common import (
    assessment_event,
    at_or_now,
    check_quarter,
    display_name,
    has_role,
    last_day,
    next_quarter,
    require_role,
    require_text,
)
from .models import Adjustment, Appeal, QuarterAssessment
from .policy_versions import policy_in_force
from .services import assess_period

STATUS_WORDS = {
    "draft": "暂定",
    "finalised": "已定稿",
    "approved": "已审批",
}

# ---------------------------------------------------------------- the quarter's life


def _quarter_row(town: Town, quarter: str, *, lock: bool = False) -> QuarterAssessment:
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


def finalise_possible_from(town: Town, quarter: str) -> date:
    """The first local day on which the quarter may be finalised: after its last day and
    after every handling deadline of its cases (and the acceptance deadline of any case
    still waiting to be accepted)."""
    quarter = check_quarter(quarter)
    months = clock.quarter_months(quarter)
    start, _ = clock.month_bounds(months[0], town.timezone)
    _, end = clock.month_bounds(months[-1], town.timezone)
    found = (
        Case.objects.filter(town=town, submitted_at__gte=start, submitted_at__lt=end)
        .exclude(state=State.VOIDED)
        .aggregate(
            local=Max("local_due"),
            accept=Max("accept_due", filter=Q(state=State.PENDING)),
        )
    )
    last = max(d for d in (last_day(months[-1]), found["local"], found["accept"]) if d)
    return last + timedelta(days=1)


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
    row = _quarter_row(town, quarter, lock=True)
    if row.status != QuarterAssessment.Status.DRAFT:
        raise Conflict(f"{quarter} 考核已{STATUS_WORDS[row.status]},不能再次定稿")
    possible = finalise_possible_from(town, quarter)
    if today < possible:
        raise CaseError(
            f"{quarter} 考核现在还不能定稿: 本季度事件的办理期限最晚到 "
            f"{possible - timedelta(days=1)}, 可于 {possible} 起定稿",
            {"quarter": [f"可于 {possible} 起定稿"]},
        )
    pending = Appeal.objects.filter(town=town, quarter=quarter, status=Appeal.Status.PENDING)
    if pending.exists():
        numbers = "、".join(pending.values_list("case__number", flat=True)[:10])
        raise CaseError(
            f"{quarter} 还有 {pending.count()} 件申诉未处理 ({numbers}), 请先处理申诉再定稿",
            {"quarter": ["有未处理的申诉"]},
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
    _tell_quarter_ready(town, quarter, by, today)
    return row


# The pages these notifications link to are the workbench's (gridcase/web/urls_assessment.py).
def _tell_quarter_ready(town: Town, quarter: str, by: User, today: date) -> None:
    """Issue 6: a finalised quarter is in the leaders' inbox (and the office's channels)."""
    from gridcase.notify import outbox, recipients

    finder = recipients.Finder(town, today)
    outbox.emit(
        town=town,
        kind="quarter_ready",
        recipients=(finder.leaders() | finder.office()).without_user(by.pk),
        context={"quarter": quarter, "link": f"/assessment/{quarter}/"},
    )


def _tell_appeal_decided(appeal: Appeal, by: User) -> None:
    """Issue 6: the officer learns the decision on their appeal, with a link to the statement."""
    from gridcase.notify import outbox, recipients

    if appeal.status == Appeal.Status.ACCEPTED:
        decision = f"已采纳, {appeal.get_override_display()}"
    else:
        decision = "未采纳"
    outbox.emit(
        town=appeal.town,
        kind="appeal_decided",
        recipients=recipients.people(users=[appeal.filed_by_id]),
        context={
            "quarter": appeal.quarter,
            "case_number": appeal.case.number,
            "decision": decision,
            "note": appeal.decision_note,
            "by": display_name(by),
            "link": f"/assessment/{appeal.quarter}/officers/{appeal.filed_by_id}/",
        },
    )


@transaction.atomic
def quarter_approve(
    *, town: Town, quarter: str, by: User, note: str = "", at: datetime | None = None
) -> QuarterAssessment:
    """审批: the leader approves the finalised quarter; its payroll is then final."""
    at = at_or_now(at)
    quarter = check_quarter(quarter)
    today = clock.local_date(at, town.timezone)
    require_role(by, town, {Role.Kind.LEADER}, "只有政法分管领导可以审批季度考核", today)
    row = _quarter_row(town, quarter, lock=True)
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
    row = _quarter_row(town, quarter, lock=True)
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
    return row


def case_quarter(case: Case) -> str:
    if case.submitted_at is None:
        raise CaseError("草稿尚未提交, 不参加考核", {"case": ["未提交"]})
    return clock.quarter_of(clock.local_date(case.submitted_at, case.town.timezone))


def case_assessment_status(case: Case, today: date | None = None) -> tuple[str, str]:
    """The case's status before the month's quota split, and its reason (for appeals)."""
    tz = case.town.timezone
    month = clock.month_of(clock.local_date(case.submitted_at, tz))
    return rules.case_status(
        facts_mod.case_fact(case), policy_in_force(case.town, month), today or clock.today(tz)
    )


@transaction.atomic
def appeal_file(*, case: Case, by: User, reason: str, at: datetime | None = None) -> Appeal:
    """申诉: the case's officer contests its status, before the quarter is finalised."""
    at = at_or_now(at)
    town = case.town
    today = clock.local_date(at, town.timezone)
    if case.officer_id != by.pk or not has_role(by, town, {Role.Kind.OFFICER}, today):
        raise ActionNotAllowed("只有录入该事件的网格专管员可以对其考核结果申诉")
    reason = require_text(reason, "reason", "申诉理由")
    quarter = case_quarter(case)
    row = _quarter_row(town, quarter, lock=True)
    if row.status != QuarterAssessment.Status.DRAFT:
        raise CaseError(
            f"{quarter} 考核已{STATUS_WORDS[row.status]}, 不能再申诉; "
            "如确有错误, 请联系综治办在下一季度调整",
            {"case": ["季度已定稿"]},
        )
    status, _ = case_assessment_status(case, today)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                town=town,
                case=case,
                quarter=quarter,
                filed_by=by,
                filed_at=at,
                reason=reason,
                status_at_filing=status,
            )
    except IntegrityError:
        raise CaseError("该事件已有待处理的申诉", {"case": ["已有待处理的申诉"]}) from None
    record_event(
        case=case,
        action="appeal",
        by=by,
        at=at,
        note=reason,
        data={"appeal": appeal.pk, "status": status, "quarter": quarter},
    )
    return appeal


# What an accepted appeal corrects, judged from the status it contested.
_DEFAULT_OVERRIDE = {"nonconforming": Appeal.Override.CONFORMING, "late": Appeal.Override.ON_TIME}


@transaction.atomic
def appeal_decide(
    *,
    appeal: Appeal,
    by: User,
    accept: bool,
    note: str = "",
    override: str | None = None,
    at: datetime | None = None,
) -> Appeal:
    """The governance office decides an appeal. Accepted, it records a correction
    (``override``: "conforming" or "on_time"; by default the one the contested status calls
    for) that the assessment honours; either way the decision is on the case's timeline."""
    at = at_or_now(at)
    town = appeal.town
    case = appeal.case
    today = clock.local_date(at, town.timezone)
    require_role(by, town, {Role.Kind.GOVERNANCE_OFFICE}, "只有镇政法综治办可以处理申诉", today)
    note = (note or "").strip()
    if not accept:
        note = require_text(note, "note", "不予采纳的理由")
    chosen = ""
    if accept:
        chosen = override or _DEFAULT_OVERRIDE.get(appeal.status_at_filing, "")
        if chosen not in (Appeal.Override.CONFORMING, Appeal.Override.ON_TIME):
            raise CaseError(
                "请选择采纳后的更正: 按质量合格计 (conforming) 或 按按时结案或上报计 (on_time)",
                {"override": ["请选择更正方式"]},
            )
        if chosen == Appeal.Override.ON_TIME and not case.local_outcome:
            raise CaseError(
                "该事件尚未在本级结案或上报, 不能按按时办结更正", {"override": ["尚无办理结果"]}
            )
    row = _quarter_row(town, appeal.quarter, lock=True)
    if row.status != QuarterAssessment.Status.DRAFT:
        raise CaseError(
            f"{appeal.quarter} 考核已{STATUS_WORDS[row.status]}, 不能再处理申诉; "
            "请退回定稿后处理, 或在下一季度调整",
            {"appeal": ["季度已定稿"]},
        )
    status = Appeal.Status.ACCEPTED if accept else Appeal.Status.REJECTED
    updated = Appeal.objects.filter(pk=appeal.pk, status=Appeal.Status.PENDING).update(
        status=status, override=chosen, decided_by=by, decided_at=at, decision_note=note
    )
    if updated != 1:
        raise Conflict("该申诉刚刚已被他人处理,您的操作未执行")
    appeal.refresh_from_db()
    record_event(
        case=case,
        action="appeal_decided",
        by=by,
        at=at,
        note=note,
        data={"appeal": appeal.pk, "accepted": accept, "override": chosen},
    )
    _tell_appeal_decided(appeal, by)
    return appeal


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or amount == 0 or amount != amount.quantize(Decimal("0.01")):
        raise CaseError(
            f"调整金额应为非零的元数, 最多两位小数 (扣减用负数, 如 -10): “{value}”",
            {"amount": ["应为非零金额, 最多两位小数"]},
        )
    if abs(amount) > Decimal("100000"):
        raise CaseError("调整金额过大", {"amount": ["调整金额过大"]})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def adjustment_add(
    *,
    town: Town,
    officer: User,
    quarter: str,
    amount,
    reason: str,
    by: User,
    at: datetime | None = None,
) -> Adjustment:
    """A correction of an approved quarter, paid (or deducted) in the first later quarter
    that is not yet finalised, where it appears with its reason."""
    at = at_or_now(at)
    quarter = check_quarter(quarter)
    today = clock.local_date(at, town.timezone)
    require_role(by, town, {Role.Kind.GOVERNANCE_OFFICE}, "只有镇政法综治办可以录入考核调整", today)
    amount = _amount(amount)
    reason = require_text(reason, "reason", "调整原因")
    if not Role.objects.filter(town=town, kind=Role.Kind.OFFICER, user=officer).exists():
        raise CaseError(
            f"{display_name(officer)} 不是{town.name}的网格专管员",
            {"officer": ["不是本镇网格专管员"]},
        )
    row = _quarter_row(town, quarter, lock=True)
    if row.status != QuarterAssessment.Status.APPROVED:
        raise CaseError(
            f"{quarter} 考核为“{STATUS_WORDS[row.status]}”; 调整只用于已审批的季度, "
            "未定稿的季度请直接更正事件或申诉",
            {"quarter": ["尚未审批"]},
        )
    frozen = set(
        QuarterAssessment.objects.filter(town=town, quarter__gt=quarter)
        .exclude(status=QuarterAssessment.Status.DRAFT)
        .values_list("quarter", flat=True)
    )
    applies_to = next_quarter(quarter)
    while applies_to in frozen:
        applies_to = next_quarter(applies_to)
    adjustment = Adjustment.objects.create(
        town=town,
        officer=officer,
        quarter=quarter,
        applies_to=applies_to,
        amount=amount,
        reason=reason,
        created_by=by,
        created_at=at,
    )
    assessment_event(
        town,
        applies_to,
        at,
        by,
        "adjust",
        note=reason,
        data={
            "adjustment": adjustment.pk,
            "officer": officer.pk,
            "quarter": quarter,
            "amount": str(amount),
        },
    )
    audit.record(
        town=town,
        by=by,
        action="quarter.adjust",
        obj=adjustment,
        before=None,
        after={
            "officer": officer.pk,
            "quarter": quarter,
            "applies_to": applies_to,
            "amount": amount,
            "reason": reason,
        },
        at=at,
    )
    return adjustment
