"""The start page (the picker and the recent quarters with their status) and the town's month
or quarter: every officer's figures with the quarter's actions."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t

from gridcase.assessment import exports
from gridcase.assessment import quarter as life
from gridcase.assessment.models import Appeal, QuarterAssessment
from gridcase.assessment.results import OfficerResult
from gridcase.core import clock, periods
from gridcase.org.models import Role
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
    picker_context,
    quarter_label,
    quarter_of_period,
    reader_access,
    recent_quarters,
    statement_url,
    waits,
    yuan,
)
from .forms import AdjustmentForm, ApproveForm, FinaliseForm, ReopenForm


def waiting_for(status: str, possible_from: date, pending_appeals: int, today: date) -> str:
    """What a quarter waits for, in a few words: the step and who takes it, or why it cannot
    be taken yet (assessment.quarter.finalise_blocker, the service's own rule)."""
    if status == QuarterAssessment.Status.APPROVED:
        return _t("已审批,无需操作")
    if status == QuarterAssessment.Status.FINALISED:
        return _t("等待分管领导审批")
    blocker = life.finalise_blocker(
        today=today, possible_from=possible_from, pending_appeals=pending_appeals
    )
    return blocker or _t("等待综治办定稿")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Readers: the picker and the recent quarters with their status. Officers: their own
    statement of the current quarter."""
    access = get_access(request, READERS | {OFFICER})
    wanted = (request.GET.get("period") or "").strip().upper()
    if wanted:
        if not (periods.is_quarter(wanted) or periods.is_month(wanted)):
            messages.error(
                request, _t("考核期间应为季度 (如 2026-Q4) 或月份 (如 2026-10): “%s”") % wanted
            )
            return redirect(reverse("assess:index") + access.query)
        if access.reader:
            return redirect(period_url(access, wanted))
        return redirect(statement_url(access, wanted, request.user.pk))
    if not access.reader:
        return redirect(statement_url(access, clock.quarter_of(access.today), request.user.pk))

    recent = recent_quarters(access.today)
    statuses = dict(
        QuarterAssessment.objects.filter(town=access.town, quarter__in=recent).values_list(
            "quarter", "status"
        )
    )
    shown = dashboard_cache.quarter_facts(access.town, recent, wait=waits(request))
    facts = shown.value
    # The current quarter, and the others that hold cases or were finalised: an empty quarter
    # has nothing to assess.
    quarters = [q for i, q in enumerate(recent) if i == 0 or facts[q].cases or q in statuses]
    pending = dict(
        Appeal.objects.filter(town=access.town, quarter__in=quarters, status=Appeal.Status.PENDING)
        .values_list("quarter")
        .annotate(n=Count("id"))
        .values_list("quarter", "n")
    )
    rows = [
        {
            "quarter": q,
            "label": quarter_label(q),
            "status": statuses.get(q, "draft"),
            "status_word": QUARTER_WORDS[statuses.get(q, "draft")],
            "cases": facts[q].cases,
            "waiting": waiting_for(
                statuses.get(q, "draft"), facts[q].possible_from, pending.get(q, 0), access.today
            ),
            "pending_appeals": pending.get(q, 0),
            "url": period_url(access, q),
            "appeals_url": appeals_url(access, q),
            "months": [
                (m, exports.month_label(m), period_url(access, m)) for m in clock.quarter_months(q)
            ],
        }
        for q in quarters
    ]
    context = picker_context(access, None) | {"nav_section": "assess", "rows": rows}
    context |= kept_context(request, shown)
    with timezone.override(access.town.timezone):  # the figures' time is the town's
        return render(request, "web/assess/index.html", context)


def _month_cells(
    officer: OfficerResult, months: list[str], signals: dict[tuple[int, str], list] | None = None
) -> list[dict]:
    cells = []
    for month in months:
        found = officer.month(month)
        cell = {
            "label": exports.month_label(month),
            "found": found is not None,
            "signals": (signals or {}).get((officer.officer_id, month), []),
        }
        if found is not None:
            cell |= {
                "base_pay": yuan(found.base_pay),
                "deduction": yuan(found.deduction),
                "deducted": found.deduction > 0,
                "bonus": yuan(found.bonus),
                "total": yuan(found.total),
                "provisional": found.provisional,
                "explanation": found.shown_explanation,  # in the reader's language
            }
        cells.append(cell)
    return cells


def _padding_signals(
    access,
    months: list[str],
    stamp: dashboard_cache.Stamp,
    *,
    wait: bool,
) -> tuple[dict[tuple[int, str], list], list[dashboard_cache.Shown]]:
    """integrity.md: the padding signals next to the officer's month, for the governance office
    only (they suggest, they change no amount); and what was shown, for its time."""
    if not access.office:
        return {}, []
    first = clock.parse_month(months[0])
    # The last day of the last month: the first of the month after it, one day back.
    last = (clock.parse_month(months[-1]) + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    found: dict[tuple[int, str], list] = {}
    kept = dashboard_cache.padding_signals(access.town, months, first, last, stamp, wait=wait)
    for signal in kept.value:
        found.setdefault((signal.officer_id, signal.month), []).append(signal)
    return found, [kept]


@login_required
def period(request: HttpRequest, period: str) -> HttpResponse:
    """Every officer's figures for the month or quarter, with the quarter's actions."""
    return period_page(request, reader_access(request), period)


def officer_choices(town) -> list[tuple[int, str]]:
    """The town's officers (a role of officer there, as the adjustment's service asks), by
    name, each with their villages: the choices of the adjustment form."""
    villages: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    roles = Role.objects.filter(town=town, kind=Role.Kind.OFFICER).select_related("user", "village")
    for role in roles.order_by("user__display_name", "user__username", "pk"):
        names[role.user_id] = role.user.display_name or role.user.username
        if role.village is not None and role.village.name not in villages.get(role.user_id, []):
            villages.setdefault(role.user_id, []).append(role.village.name)
    return [
        (pk, f"{name}({'、'.join(villages[pk])})" if villages.get(pk) else name)
        for pk, name in names.items()
    ]


def period_page(
    request: HttpRequest, access, period: str, *, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    """The period's page; `bound`: a quarter action's form as sent, shown again with what is
    wrong next to its fields (one error path, issue 14) and its section open."""
    bound = bound or {}
    months = months_of(period)
    quarter = quarter_of_period(period)
    # What the page's kept figures are valid for, read once (web/dashboard_cache.py).
    stamp = dashboard_cache.stamp_of(access.town, months)
    wait = waits(request)
    shown = [
        dashboard_cache.period_summary(access.town, months, access.today, stamp, wait=wait),
        dashboard_cache.quarter_status(access.town, quarter, stamp, wait=wait),
    ]
    result, info = shown[0].value, shown[1].value
    signals, signals_shown = _padding_signals(access, months, stamp, wait=wait)
    kept = kept_context(request, *shown, *signals_shown)
    officers = [
        {
            "name": o.officer,
            "village": o.village or "—",
            "months": _month_cells(o, months, signals),
            "adjustment": yuan(o.adjustment_total) if o.adjustments else "",
            "total": yuan(o.total),
            "counted": sum(m.counted for m in o.months),
            "nonconforming": sum(m.nonconforming for m in o.months),
            "late": sum(m.late for m in o.months),
            "pending": sum(m.pending for m in o.months),
            "url": statement_url(access, period, o.officer_id),
            "officer_id": o.officer_id,
        }
        for o in result.officers
    ]
    month_totals = [
        yuan(sum((m.total for o in result.officers for m in o.months if m.month == month), 0))
        for month in months
    ]
    draft = info.status == QuarterAssessment.Status.DRAFT
    can_adjust = access.office and info.status == QuarterAssessment.Status.APPROVED
    context = (
        period_context(access, period, result)
        | {
            "quarter_url": period_url(access, quarter),
            "months": [(m, exports.month_label(m), period_url(access, m)) for m in months],
            "result": result,
            "officers": officers,
            "month_totals": month_totals,
            "with_adjustments": any(o.adjustments for o in result.officers),
            "grand_total": yuan(result.total),
            "info": info,
            "status_word": QUARTER_WORDS[info.status],
            # Why 定稿 is not possible today (the service's own rule), shown by a disabled button.
            # Nor while the page shows earlier figures: what is finalised is what was seen.
            "finalise_blocker": life.finalise_blocker(
                today=access.today,
                possible_from=info.possible_from,
                pending_appeals=info.pending_appeals,
            )
            or (_t("本页数据正在重新计算,请在最新结果上定稿。") if kept["kept_since"] else ""),
            "finalise_form": bound.get("finalise") or FinaliseForm(auto_id="finalise_%s"),
            "can_finalise": access.office and draft,
            "can_approve": access.leader and info.status == QuarterAssessment.Status.FINALISED,
            "can_adjust": can_adjust,
            # The town's officers are read only when the form is shown.
            "adjustment_form": bound.get("adjust")
            or (AdjustmentForm(officers=officer_choices(access.town)) if can_adjust else None),
            "approve_form": bound.get("approve") or ApproveForm(),
            "reopen_form": bound.get("reopen") or ReopenForm(),
            "failed": next(iter(bound), ""),
            "appeals_url": appeals_url(access, quarter),
            "xlsx_url": reverse("assess:payroll", args=[period]) + access.query,
            "json_url": reverse("assess:json", args=[period]) + access.query,
            "row": info.row,
        }
        | kept
    )
    with timezone.override(access.town.timezone):
        return render(request, "web/assess/period.html", context, status=status)
