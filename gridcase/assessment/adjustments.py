"""Adjustments: a correction of an approved quarter, paid (or deducted) in the first later
quarter not yet finalised, where it appears with its reason. A service of the governance
office: one transaction, on the assessment's event log and in the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from gridcase.cases.errors import CaseError
from gridcase.core import audit, clock, periods
from gridcase.org.models import Role, Town, User

from .common import (
    assessment_event,
    at_or_now,
    check_quarter,
    display_name,
    require_role,
    require_text,
)
from .models import Adjustment, QuarterAssessment
from .quarter import STATUS_WORDS, quarter_row


def clean_amount(value) -> Decimal:
    """The amount in yuan, or CaseError on `amount` (also run by the workbench's form, so that
    it is listed with the form's other problems)."""
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
    amount = clean_amount(amount)
    reason = require_text(reason, "reason", "调整原因")
    if not Role.objects.filter(town=town, kind=Role.Kind.OFFICER, user=officer).exists():
        raise CaseError(
            f"{display_name(officer)} 不是{town.name}的网格专管员",
            {"officer": ["不是本镇网格专管员"]},
        )
    row = quarter_row(town, quarter, lock=True)
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
    applies_to = periods.quarter_after(quarter)
    while applies_to in frozen:
        applies_to = periods.quarter_after(applies_to)
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
