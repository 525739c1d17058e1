"""Appeals: the case's officer contests its status before the quarter is finalised; the
governance office accepts (a correction the assessment honours) or rejects with a reason.

Each is a service: keyword-only, one transaction, on the case's timeline in that transaction,
decided by compare-and-swap, the role checked here — not only in the pages.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _t

from gridcase.assessment import rules
from gridcase.cases.changes import record_event
from gridcase.cases.errors import ActionNotAllowed, CaseError, Conflict
from gridcase.cases.models import Case
from gridcase.core import clock
from gridcase.notify import assessment_news
from gridcase.org.models import Role, User

from . import facts as facts_mod
from .common import at_or_now, has_role, require_role, require_text
from .models import Appeal, QuarterAssessment
from .policy_versions import policy_in_force
from .quarter import STATUS_WORDS, quarter_row


def case_quarter(case: Case) -> str:
    if case.submitted_at is None:
        raise CaseError(_t("草稿尚未提交, 不参加考核"), {"case": [_t("未提交")]})
    return clock.quarter_of(clock.local_date(case.submitted_at, case.town.timezone))


def case_assessment_status(case: Case, today: date | None = None) -> tuple[str, str]:
    """The case's status before the month's quota split, and its reason (for appeals)."""
    tz = case.town.timezone
    month = clock.month_of(clock.local_date(case.submitted_at, tz))
    return rules.case_status(
        facts_mod.case_fact(case), policy_in_force(case.town, month), today or clock.today(tz)
    )


def appeal_refusal(case: Case, by: User, at: datetime | None = None) -> str:
    """Why this person cannot appeal the case now, in words, or "" when they can: the
    checks of appeal_file that need no input, for pages that offer the appeal (the case
    page's 申诉) to show it only when it would be taken. Two queries for the case's officer,
    none for anyone else."""
    if case.officer_id != by.pk or case.submitted_at is None:
        return "只有录入该事件的网格专管员可以对其考核结果申诉"
    today = clock.local_date(at_or_now(at), case.town.timezone)
    if not has_role(by, case.town, {Role.Kind.OFFICER}, today):
        return "只有录入该事件的网格专管员可以对其考核结果申诉"
    quarter = case_quarter(case)
    row = QuarterAssessment.objects.filter(town_id=case.town_id, quarter=quarter).first()
    if row is not None and row.status != QuarterAssessment.Status.DRAFT:
        return f"{quarter} 考核已{STATUS_WORDS[row.status]}, 不能再申诉"
    if Appeal.objects.filter(case=case, status=Appeal.Status.PENDING).exists():
        return "该事件已有待处理的申诉"
    return ""


@transaction.atomic
def appeal_file(*, case: Case, by: User, reason: str, at: datetime | None = None) -> Appeal:
    """申诉: the case's officer contests its status, before the quarter is finalised."""
    at = at_or_now(at)
    town = case.town
    today = clock.local_date(at, town.timezone)
    if case.officer_id != by.pk or not has_role(by, town, {Role.Kind.OFFICER}, today):
        raise ActionNotAllowed(_t("只有录入该事件的网格专管员可以对其考核结果申诉"))
    reason = require_text(reason, "reason", _t("申诉理由"))
    quarter = case_quarter(case)
    row = quarter_row(town, quarter, lock=True)
    if row.status != QuarterAssessment.Status.DRAFT:
        raise CaseError(
            _t("%(q)s 考核已%(status)s, 不能再申诉; 如确有错误, 请联系综治办在下一季度调整")
            % {"q": quarter, "status": _t(STATUS_WORDS[row.status])},
            {"case": [_t("季度已定稿")]},
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
        raise CaseError(_t("该事件已有待处理的申诉"), {"case": [_t("已有待处理的申诉")]}) from None
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
    require_role(by, town, {Role.Kind.GOVERNANCE_OFFICE}, _t("只有镇政法综治办可以处理申诉"), today)
    note = (note or "").strip()
    if not accept:
        note = require_text(note, "note", _t("不予采纳的理由"))
    chosen = ""
    if accept:
        chosen = override or _DEFAULT_OVERRIDE.get(appeal.status_at_filing, "")
        if chosen not in (Appeal.Override.CONFORMING, Appeal.Override.ON_TIME):
            raise CaseError(
                _t("请选择采纳后的更正: 按质量合格计 (conforming) 或 按按时结案或上报计 (on_time)"),
                {"override": [_t("请选择更正方式")]},
            )
        if chosen == Appeal.Override.ON_TIME and not case.local_outcome:
            raise CaseError(
                _t("该事件尚未在本级结案或上报, 不能按按时办结更正"),
                {"override": [_t("尚无办理结果")]},
            )
    row = quarter_row(town, appeal.quarter, lock=True)
    if row.status != QuarterAssessment.Status.DRAFT:
        raise CaseError(
            _t("%(q)s 考核已%(status)s, 不能再处理申诉; 请退回定稿后处理, 或在下一季度调整")
            % {"q": appeal.quarter, "status": _t(STATUS_WORDS[row.status])},
            {"appeal": [_t("季度已定稿")]},
        )
    status = Appeal.Status.ACCEPTED if accept else Appeal.Status.REJECTED
    updated = Appeal.objects.filter(pk=appeal.pk, status=Appeal.Status.PENDING).update(
        status=status, override=chosen, decided_by=by, decided_at=at, decision_note=note
    )
    if updated != 1:
        raise Conflict(_t("该申诉刚刚已被他人处理,您的操作未执行"))
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


def _tell_appeal_decided(appeal: Appeal, by: User) -> None:
    """Issue 6: the officer learns the decision on their appeal (who is told: notify)."""
    if appeal.status == Appeal.Status.ACCEPTED:
        decision = f"已采纳, {appeal.get_override_display()}"
    else:
        decision = "未采纳"
    assessment_news.appeal_decided(
        town=appeal.town,
        officer_id=appeal.filed_by_id,
        quarter=appeal.quarter,
        case_number=appeal.case.number,
        decision=decision,
        note=appeal.decision_note,
        by=by,
    )
