"""An officer's statement: their pay month by month and every case with its status, reason
and appeal."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _t

from gridcase.assessment import exports
from gridcase.assessment.models import Appeal, QuarterAssessment
from gridcase.org.models import Role, Town, User
from gridcase.web import dashboard_cache

from .common import (
    OFFICER,
    QUARTER_WORDS,
    READERS,
    appeals_url,
    get_access,
    kept_context,
    months_of,
    period_context,
    period_url,
    quarter_of_period,
    statement_url,
    waits,
    yuan,
)
from .forms import AppealForm
from .statement_rows import StatementRows


def _latest_appeals(town: Town, officer_id: int, quarter: str) -> dict[str, Appeal]:
    """case number -> the officer's latest appeal on that case in the quarter."""
    found: dict[str, Appeal] = {}
    rows = (
        Appeal.objects.filter(town=town, quarter=quarter, case__officer_id=officer_id)
        .select_related("case")
        .order_by("filed_at", "id")
    )
    for appeal in rows:
        found[appeal.case.number] = appeal
    return found


@login_required
def statement(request: HttpRequest, period: str, officer_id: int) -> HttpResponse:
    """One officer's pay, month by month, every case with its status, reason and appeal.

    The town's readers see any officer's; an officer only their own (others' are 404)."""
    return statement_page(request, period, officer_id)


def statement_page(
    request: HttpRequest,
    period: str,
    officer_id: int,
    *,
    refused: tuple[str, str, list[str]] | None = None,
) -> HttpResponse:
    """The statement; after a refused appeal (`refused`: the case's number, the reason as
    typed, the problems), that case's appeal form open with the reason kept and the problems
    next to it (400)."""
    access = get_access(request, READERS | {OFFICER})
    own = officer_id == request.user.pk and access.officer
    if not (access.reader or own):
        raise Http404("another officer's statement")
    months = months_of(period)
    quarter = quarter_of_period(period)
    # The period's months and totals, and this officer's part with its cases: a big town's
    # other officers' cases are not read back (dashboard_cache.period_summary, officer_part).
    wait = waits(request)
    stamp = dashboard_cache.stamp_of(access.town, months)
    shown = [
        dashboard_cache.period_summary(access.town, months, access.today, stamp, wait=wait),
        dashboard_cache.officer_part(
            access.town, months, access.today, officer_id, stamp, wait=wait
        ),
    ]
    result, officer = shown[0].value, shown[1].value
    if officer is None:
        # An officer of the town with nothing in this period still has a (empty) statement.
        is_officer = (
            own or Role.objects.filter(town=access.town, kind=OFFICER, user_id=officer_id).exists()
        )
        if not is_officer:
            raise Http404("not an officer of the town")
    draft = result.status == QuarterAssessment.Status.DRAFT
    rows = StatementRows(
        request,
        query=access.query,
        period=period,
        appeals=_latest_appeals(access.town, officer_id, quarter),
        may_appeal=own and draft,
        refused=refused,
        reason_max_length=AppealForm.base_fields["reason"].max_length,
    )
    month_rows = []
    for month in officer.months if officer else ():
        month_rows.append(
            {
                "month": month.month,
                "label": exports.month_label(month.month),
                "base_pay": yuan(month.base_pay),
                "deduction": yuan(month.deduction),
                "bonus": yuan(month.bonus),
                "total": yuan(month.total),
                "counted": month.counted,
                "nonconforming": month.nonconforming,
                "late": month.late,
                "pending": month.pending,
                "provisional": month.provisional,
                # The month's arithmetic with the policy's numbers, in the reader's
                # language like the per-case reasons: "why 80?" answered on the page.
                "explanation": month.shown_explanation,
                "cases": rows.month(month.cases) if month.cases else "",
            }
        )
    name = officer.officer if officer else (request.user.display_name or request.user.username)
    if officer is None and not own:
        other = User.objects.filter(pk=officer_id).first()
        name = (other.display_name or other.username) if other else str(officer_id)
    context = (
        period_context(access, period, result)
        | {
            "status_word": QUARTER_WORDS.get(result.status, result.status),
            "draft": draft,
            "own": own,
            "officer_id": officer_id,
            "name": name,
            "village": officer.village if officer else "",
            "total": yuan(officer.total) if officer else yuan(Decimal(0)),
            "adjustments": [
                {"quarter": a.quarter, "amount": yuan(a.amount), "reason": a.reason}
                for a in (officer.adjustments if officer else ())
            ],
            "month_rows": month_rows,
            "months": [
                (m, exports.month_label(m), statement_url(access, m, officer_id)) for m in months
            ],
            "quarter_url": statement_url(access, quarter, officer_id),
            "overview_url": period_url(access, period) if access.reader else "",
            "appeals_url": appeals_url(access, quarter) if access.reader else "",
            "column_labels": rows.labels,
            "legend": [
                (_t(exports.STATUS_LABELS[s]), _t(exports.STATUS_HELP[s]))
                for s in exports.STATUS_HELP
            ],
        }
        | kept_context(request, *shown)
    )
    with timezone.override(access.town.timezone):  # the figures' time is the town's
        return render(request, "web/assess/statement.html", context, status=400 if refused else 200)
