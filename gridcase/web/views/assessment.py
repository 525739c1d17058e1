"""The assessment pages: the governance office runs a month or a quarter for its town, sees
every officer's figures and every case's status and reason, decides appeals, finalises and
downloads the payroll; the leader approves or sends the quarter back; each officer sees their
own statement and may appeal a case before the quarter is finalised.

Views are thin: the figures come from ``assessment.services.assess_period`` (a finalised
quarter's from its snapshot), every write is a service of ``assessment.quarter`` that checks
the role again. Scope: the town-wide readers (governance office, leader) see their town's
pages; an officer sees only their own statement; anything else is 404. A reader whose role
lacks an action gets 403 with the reason (the page does not offer the button). Writes are
POST-redirect-GET with the service's Chinese message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gridcase.assessment import exports
from gridcase.assessment import quarter as life
from gridcase.assessment.models import Appeal, QuarterAssessment
from gridcase.assessment.results import OfficerResult, PeriodResult
from gridcase.assessment.services import assess_period
from gridcase.cases import selectors as case_selectors
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.cases.models import Case
from gridcase.core import clock, periods
from gridcase.core.text import TextField
from gridcase.org.models import Role, Town, User
from gridcase.org.selectors import roles_in_force

OFFICE = Role.Kind.GOVERNANCE_OFFICE
LEADER = Role.Kind.LEADER
OFFICER = Role.Kind.OFFICER
READERS = frozenset({OFFICE, LEADER})


# How far back the period picker reaches (any other period can be typed into the URL).
PICKER_QUARTERS = 8
PICKER_MONTHS = 12

QUARTER_WORDS = {
    "draft": _("未定稿"),
    "finalised": _("已定稿,待领导审批"),
    "approved": _("已审批"),
}
APPEAL_WORDS = {
    Appeal.Status.PENDING: _("申诉待处理"),
    Appeal.Status.ACCEPTED: _("申诉已采纳"),
    Appeal.Status.REJECTED: _("申诉未采纳"),
}


# ---------------------------------------------------------------- small helpers


def yuan(amount: Decimal) -> str:
    """Amounts as people read them on the pay slip: two decimals and the unit."""
    return f"{Decimal(amount):.2f} 元"


def is_quarter(period: str) -> bool:
    return periods.is_quarter(period)


def months_of(period: str) -> list[str]:
    """The months of a period ("2026-Q4" or "2026-10"); anything else is no page (404)."""
    if periods.is_quarter(period):
        return clock.quarter_months(period)
    if periods.is_month(period):
        return [period]
    raise Http404("no such period")


def quarter_of_period(period: str) -> str:
    return period if is_quarter(period) else clock.quarter_of(clock.parse_month(period))


def check_quarter(quarter: str) -> str:
    if not periods.is_quarter(quarter):
        raise Http404("no such quarter")
    return quarter


def quarter_label(quarter: str) -> str:
    return _t("%(year)s年第%(n)s季度") % {
        "year": quarter[:4],
        "n": "一二三四"[int(quarter[-1]) - 1],
    }


def period_label(period: str) -> str:
    return quarter_label(period) if is_quarter(period) else exports.month_label(period)


def _previous_quarter(quarter: str) -> str:
    year, n = int(quarter[:4]), int(quarter[-1])
    return f"{year - 1}-Q4" if n == 1 else f"{year}-Q{n - 1}"


def recent_quarters(today: date, count: int = PICKER_QUARTERS) -> list[str]:
    quarters = [clock.quarter_of(today)]
    while len(quarters) < count:
        quarters.append(_previous_quarter(quarters[-1]))
    return quarters


def recent_months(today: date, count: int = PICKER_MONTHS) -> list[str]:
    months = []
    year, month = today.year, today.month
    for _i in range(count):
        months.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


# ---------------------------------------------------------------- who may see what


@dataclass(frozen=True)
class Access:
    """The person's standing in one town today: which of the assessment's roles they hold."""

    town: Town
    kinds: frozenset[str]
    towns: tuple[Town, ...]  # every town where they hold one of these roles
    today: date

    @property
    def office(self) -> bool:
        return OFFICE in self.kinds

    @property
    def leader(self) -> bool:
        return LEADER in self.kinds

    @property
    def reader(self) -> bool:
        return bool(READERS & self.kinds)

    @property
    def officer(self) -> bool:
        return OFFICER in self.kinds

    @property
    def query(self) -> str:
        """The town in links, only for people who work for several towns."""
        return f"?{urlencode({'town': self.town.pk})}" if len(self.towns) > 1 else ""


def get_access(request: HttpRequest, wanted: frozenset[str]) -> Access:
    """The town whose pages these are (``town`` in the query or form when there are several)
    and the person's roles there; no such role anywhere, or another town: 404."""
    towns: dict[int, Town] = {}
    kinds: dict[int, set[str]] = {}
    for role in roles_in_force(request.user):
        if role.kind not in wanted:
            continue
        towns.setdefault(role.town_id, role.town)
        kinds.setdefault(role.town_id, set()).add(role.kind)
    if not towns:
        raise Http404("no assessment role")
    wanted_town = request.POST.get("town") or request.GET.get("town")
    if wanted_town:
        town = next((t for t in towns.values() if str(t.pk) == wanted_town), None)
        if town is None:
            raise Http404("town outside scope")
    else:
        town = sorted(towns.values(), key=lambda t: t.name)[0]
    return Access(
        town=town,
        kinds=frozenset(kinds[town.pk]),
        towns=tuple(sorted(towns.values(), key=lambda t: t.name)),
        today=clock.today(town.timezone),
    )


def reader_access(request: HttpRequest) -> Access:
    return get_access(request, READERS)


def forbidden(request: HttpRequest, message: str, *, back: str) -> HttpResponse:
    """The role lacks the action: say why (403), with the way back."""
    return render(
        request,
        "web/assess/forbidden.html",
        {"message": message, "back": back, "nav_section": "assess"},
        status=403,
    )


def period_url(access: Access, period: str) -> str:
    return reverse("assess:period", args=[period]) + access.query


def statement_url(access: Access, period: str, officer_id: int) -> str:
    return reverse("assess:statement", args=[period, officer_id]) + access.query


def appeals_url(access: Access, quarter: str) -> str:
    return reverse("assess:appeals", args=[quarter]) + access.query


# ---------------------------------------------------------------- forms


class ApproveForm(forms.Form):
    note = TextField(label=_("审批意见"), required=False, max_length=2000)


class ReopenForm(forms.Form):
    reason = TextField(
        label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AppealForm(forms.Form):
    reason = TextField(
        label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("accept", _("采纳")), ("reject", _("不予采纳"))],
        widget=forms.RadioSelect,
    )
    override = forms.ChoiceField(
        label=_("采纳后的更正"),
        required=False,
        choices=[
            ("", _("按申诉时的状态自动选择")),
            (Appeal.Override.CONFORMING, _("按质量合格计")),
            (Appeal.Override.ON_TIME, _("按按时结案或上报计")),
        ],
    )
    note = TextField(
        label=_("处理意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("不予采纳时必须填写理由"),
    )


class AdjustmentForm(forms.Form):
    officer = forms.IntegerField(label=_("网格专管员"))
    # Text, not a DecimalField: the service says in words what a valid amount is.
    amount = TextField(
        label=_("调整金额(元)"), max_length=20, help_text=_("补发用正数, 扣减用负数, 如 -10")
    )
    reason = TextField(
        label=_("调整原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


def _form_error(form: forms.Form) -> str:
    """The form's first problem in words, for the message after the redirect."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return _t("提交的内容有误")


# ---------------------------------------------------------------- the picker and the index


def picker_context(access: Access, period: str | None) -> dict:
    quarters = recent_quarters(access.today)
    months = recent_months(access.today)
    return {
        "picker_quarters": [(q, quarter_label(q)) for q in quarters],
        "picker_months": [(m, exports.month_label(m)) for m in months],
        "picker_value": period,
        "access": access,
    }


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

    quarters = recent_quarters(access.today)
    statuses = dict(
        QuarterAssessment.objects.filter(town=access.town, quarter__in=quarters).values_list(
            "quarter", "status"
        )
    )
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
    return render(request, "web/assess/index.html", context)


# ---------------------------------------------------------------- the town's period


def _month_cells(officer: OfficerResult, months: list[str]) -> list[dict]:
    cells = []
    for month in months:
        found = officer.month(month)
        cell = {"label": exports.month_label(month), "found": found is not None}
        if found is not None:
            cell |= {
                "base_pay": yuan(found.base_pay),
                "deduction": yuan(found.deduction),
                "deducted": found.deduction > 0,
                "bonus": yuan(found.bonus),
                "total": yuan(found.total),
                "provisional": found.provisional,
            }
        cells.append(cell)
    return cells


def _result(access: Access, period: str) -> PeriodResult:
    return assess_period(town=access.town, months=months_of(period), today=access.today)


@login_required
def period(request: HttpRequest, period: str) -> HttpResponse:
    """Every officer's figures for the month or quarter, with the quarter's actions."""
    access = reader_access(request)
    months = months_of(period)
    quarter = quarter_of_period(period)
    result = _result(access, period)
    info = life.quarter_status(town=access.town, quarter=quarter)
    officers = [
        {
            "name": o.officer,
            "village": o.village or "—",
            "months": _month_cells(o, months),
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
    context = picker_context(access, period) | {
        "nav_section": "assess",
        "period": period,
        "period_label": period_label(period),
        "is_quarter": is_quarter(period),
        "quarter": quarter,
        "quarter_label": quarter_label(quarter),
        "quarter_url": period_url(access, quarter),
        "months": [(m, exports.month_label(m), period_url(access, m)) for m in months],
        "result": result,
        "state_words": exports.state_words(result),
        "officers": officers,
        "month_totals": month_totals,
        "with_adjustments": any(o.adjustments for o in result.officers),
        "grand_total": yuan(result.total),
        "info": info,
        "status_word": QUARTER_WORDS[info.status],
        "finalise_ready": access.today >= info.possible_from,
        "can_finalise": access.office and draft,
        "can_approve": access.leader and info.status == QuarterAssessment.Status.FINALISED,
        "can_adjust": access.office and info.status == QuarterAssessment.Status.APPROVED,
        "adjustment_form": AdjustmentForm(),
        "approve_form": ApproveForm(),
        "reopen_form": ReopenForm(),
        "appeals_url": appeals_url(access, quarter),
        "xlsx_url": reverse("assess:payroll", args=[period]) + access.query,
        "json_url": reverse("assess:json", args=[period]) + access.query,
        "row": info.row,
    }
    with timezone.override(access.town.timezone):
        return render(request, "web/assess/period.html", context)


def _filename(access: Access, period: str, ext: str) -> str:
    return f"{access.town.name}-考核-{period}.{ext}"


@login_required
def payroll(request: HttpRequest, period: str) -> HttpResponse:
    """The payroll workbook (工资表 and one sheet per officer); a finalised quarter's comes
    from its snapshot, a draft one is marked provisional in its title."""
    access = reader_access(request)
    result = _result(access, period)
    response = HttpResponse(
        exports.render_xlsx(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, _filename(access, period, "xlsx")
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def result_json(request: HttpRequest, period: str) -> HttpResponse:
    """The result as the JSON of assessment.md, for machines."""
    access = reader_access(request)
    result = _result(access, period)
    response = HttpResponse(exports.to_json(result), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, _filename(access, period, "json")
    )
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the quarter's life


def _quarter_action(request: HttpRequest, quarter: str, run, *, allowed: bool, refusal: str):
    """Run one quarter action for the readers of the town (others: 404): a role without the
    action gets 403 with the reason; the service's refusal comes back as a message."""
    access = reader_access(request)
    check_quarter(quarter)
    back = period_url(access, quarter)
    if not allowed(access):
        return forbidden(request, refusal, back=back)
    try:
        message = run(access)
    except ActionNotAllowed as exc:
        return forbidden(request, exc.message, back=back)
    except CaseError as exc:  # also Conflict: someone acted first
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect(back)


@login_required
@require_POST
def finalise(request: HttpRequest, quarter: str) -> HttpResponse:
    def run(access: Access) -> str:
        life.quarter_finalise(town=access.town, quarter=quarter, by=request.user)
        return _t("%(q)s 考核已定稿,已冻结快照,等待分管领导审批。") % {"q": quarter}

    return _quarter_action(
        request,
        quarter,
        run,
        allowed=lambda a: a.office,
        refusal=_t("只有镇政法综治办可以定稿季度考核"),
    )


@login_required
@require_POST
def approve(request: HttpRequest, quarter: str) -> HttpResponse:
    form = ApproveForm(request.POST)

    def run(access: Access) -> str:
        note = form.cleaned_data["note"] if form.is_valid() else ""
        life.quarter_approve(town=access.town, quarter=quarter, by=request.user, note=note)
        return _t("%(q)s 考核已审批,工资表为最终结果。") % {"q": quarter}

    return _quarter_action(
        request,
        quarter,
        run,
        allowed=lambda a: a.leader,
        refusal=_t("只有政法分管领导可以审批季度考核"),
    )


@login_required
@require_POST
def reopen(request: HttpRequest, quarter: str) -> HttpResponse:
    form = ReopenForm(request.POST)

    def run(access: Access) -> str:
        if not form.is_valid():
            raise CaseError(_form_error(form))
        life.quarter_reopen(
            town=access.town, quarter=quarter, by=request.user, reason=form.cleaned_data["reason"]
        )
        return _t("%(q)s 考核已退回综治办更正。") % {"q": quarter}

    return _quarter_action(
        request,
        quarter,
        run,
        allowed=lambda a: a.leader,
        refusal=_t("只有政法分管领导可以退回季度考核"),
    )


@login_required
@require_POST
def adjust(request: HttpRequest, quarter: str) -> HttpResponse:
    """A correction of an approved quarter, paid in the next quarter not yet finalised."""
    form = AdjustmentForm(request.POST)

    def run(access: Access) -> str:
        if not form.is_valid():
            raise CaseError(_form_error(form))
        officer = User.objects.filter(pk=form.cleaned_data["officer"]).first()
        if officer is None:
            raise CaseError(_t("请选择网格专管员"))
        adjustment = life.adjustment_add(
            town=access.town,
            officer=officer,
            quarter=quarter,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        return _t("已录入 %(name)s 的调整 %(amount)s,计入 %(q)s。") % {
            "name": officer.display_name or officer.username,
            "amount": yuan(adjustment.amount),
            "q": adjustment.applies_to,
        }

    return _quarter_action(
        request,
        quarter,
        run,
        allowed=lambda a: a.office,
        refusal=_t("只有镇政法综治办可以录入考核调整"),
    )


# ---------------------------------------------------------------- appeals


def _appeal_row(appeal: Appeal) -> dict:
    return {
        "appeal": appeal,
        "number": appeal.case.number,
        "case_url": reverse("web:case_detail", args=[appeal.case.number]),
        "officer": appeal.filed_by.display_name or appeal.filed_by.username,
        "status_at_filing": exports.STATUS_LABELS.get(
            appeal.status_at_filing, appeal.status_at_filing
        ),
        "state": APPEAL_WORDS.get(appeal.status, appeal.status),
        "override": appeal.get_override_display() if appeal.override else "",
        "decided_by": (
            (appeal.decided_by.display_name or appeal.decided_by.username)
            if appeal.decided_by
            else ""
        ),
    }


@login_required
def appeals(request: HttpRequest, quarter: str) -> HttpResponse:
    """The quarter's appeals, pending first; the office decides each with a note."""
    access = reader_access(request)
    check_quarter(quarter)
    status = (
        QuarterAssessment.objects.filter(town=access.town, quarter=quarter)
        .values_list("status", flat=True)
        .first()
    ) or QuarterAssessment.Status.DRAFT
    rows = [
        _appeal_row(a)
        for a in Appeal.objects.filter(town=access.town, quarter=quarter)
        .select_related("case", "filed_by", "decided_by")
        .order_by("filed_at", "id")
    ]
    pending = [r for r in rows if r["appeal"].status == Appeal.Status.PENDING]
    decided = [r for r in rows if r["appeal"].status != Appeal.Status.PENDING]
    context = {
        "nav_section": "assess",
        "access": access,
        "quarter": quarter,
        "quarter_label": quarter_label(quarter),
        "quarter_url": period_url(access, quarter),
        "status_word": QUARTER_WORDS[status],
        "pending": pending,
        "decided": decided,
        "can_decide": access.office and status == QuarterAssessment.Status.DRAFT,
        "decide_form": DecideForm(),
    }
    with timezone.override(access.town.timezone):
        return render(request, "web/assess/appeals.html", context)


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    access = reader_access(request)
    try:
        appeal = Appeal.objects.select_related("case", "case__town", "town").get(
            pk=pk, town=access.town
        )
    except Appeal.DoesNotExist:
        raise Http404("no such appeal") from None
    back = appeals_url(access, appeal.quarter)
    if not access.office:
        return forbidden(request, _t("只有镇政法综治办可以处理申诉"), back=back)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{appeal.case.number}: {_form_error(form)}")
        return redirect(back)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        life.appeal_decide(
            appeal=appeal,
            by=request.user,
            accept=accept,
            note=form.cleaned_data["note"],
            override=form.cleaned_data["override"] or None,
        )
    except ActionNotAllowed as exc:
        return forbidden(request, exc.message, back=back)
    except CaseError as exc:
        messages.error(request, f"{appeal.case.number}: {exc.message}")
        return redirect(back)
    if accept:
        messages.success(
            request, _t("%(n)s 的申诉已采纳,考核结果已更正。") % {"n": appeal.case.number}
        )
    else:
        messages.success(request, _t("%(n)s 的申诉未予采纳。") % {"n": appeal.case.number})
    return redirect(back)


# ---------------------------------------------------------------- an officer's statement


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
    access = get_access(request, READERS | {OFFICER})
    own = officer_id == request.user.pk and access.officer
    if not (access.reader or own):
        raise Http404("another officer's statement")
    months = months_of(period)
    quarter = quarter_of_period(period)
    result = _result(access, period)
    officer = result.officer(officer_id)
    if officer is None:
        # An officer of the town with nothing in this period still has a (empty) statement.
        is_officer = (
            own or Role.objects.filter(town=access.town, kind=OFFICER, user_id=officer_id).exists()
        )
        if not is_officer:
            raise Http404("not an officer of the town")
    appeals_by_case = _latest_appeals(access.town, officer_id, quarter)
    draft = result.status == QuarterAssessment.Status.DRAFT
    month_rows = []
    for month in officer.months if officer else ():
        cases = []
        for case in month.cases:
            appeal = appeals_by_case.get(case.case_no)
            cases.append(
                {
                    "number": case.case_no,
                    "url": reverse("web:case_detail", args=[case.case_no]),
                    "category": exports.category_label(case.category),
                    "status": case.status,
                    "status_word": exports.STATUS_LABELS.get(case.status, case.status),
                    "amount": yuan(case.amount),
                    "reason": case.reason,
                    "appeal": appeal,
                    "appeal_word": APPEAL_WORDS.get(appeal.status, "") if appeal else "",
                    "can_appeal": own
                    and draft
                    and not (appeal and appeal.status == Appeal.Status.PENDING),
                }
            )
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
                "cases": cases,
            }
        )
    name = officer.officer if officer else (request.user.display_name or request.user.username)
    if officer is None and not own:
        other = User.objects.filter(pk=officer_id).first()
        name = (other.display_name or other.username) if other else str(officer_id)
    context = picker_context(access, period) | {
        "nav_section": "assess",
        "period": period,
        "period_label": period_label(period),
        "quarter": quarter,
        "quarter_label": quarter_label(quarter),
        "is_quarter": is_quarter(period),
        "state_words": exports.state_words(result),
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
        "appeal_form": AppealForm(),
        "legend": [(exports.STATUS_LABELS[s], exports.STATUS_HELP[s]) for s in exports.STATUS_HELP],
    }
    return render(request, "web/assess/statement.html", context)


@login_required
@require_POST
def appeal_file(request: HttpRequest, number: str) -> HttpResponse:
    """The officer appeals one of their cases; back to their statement."""
    access = get_access(request, frozenset({OFFICER}))
    try:
        case = case_selectors.get_case(request.user, number=number)
    except (Case.DoesNotExist, Case.MultipleObjectsReturned):
        raise Http404("no such case") from None
    if case.town_id != access.town.pk or case.submitted_at is None:
        raise Http404("no such case in the assessment")
    wanted = (request.POST.get("period") or "").strip().upper()
    if not (periods.is_quarter(wanted) or periods.is_month(wanted)):
        wanted = life.case_quarter(case)
    back = statement_url(access, wanted, request.user.pk) + f"#case-{case.number}"
    if case.officer_id != request.user.pk:
        return forbidden(request, _t("只有录入该事件的网格专管员可以对其考核结果申诉"), back=back)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{case.number}: {_form_error(form)}")
        return redirect(back)
    try:
        life.appeal_file(case=case, by=request.user, reason=form.cleaned_data["reason"])
    except ActionNotAllowed as exc:
        return forbidden(request, exc.message, back=back)
    except CaseError as exc:
        messages.error(request, f"{case.number}: {exc.message}")
        return redirect(back)
    messages.success(request, _t("%(n)s 的申诉已提交,等待综治办处理。") % {"n": case.number})
    return redirect(back)
