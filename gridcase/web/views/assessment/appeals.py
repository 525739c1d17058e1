"""Appeals: the quarter's list where the office decides each, and the officer's filing from
their statement."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from gridcase.assessment import appeals as appeal_services
from gridcase.assessment import exports
from gridcase.assessment.models import Appeal, QuarterAssessment
from gridcase.cases import selectors as case_selectors
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.cases.models import Case, Quality
from gridcase.core import periods

from .common import (
    APPEAL_WORDS,
    OFFICER,
    QUARTER_WORDS,
    appeals_url,
    check_quarter,
    forbidden,
    get_access,
    period_url,
    quarter_label,
    reader_access,
    statement_url,
)
from .forms import AppealForm, DecideForm, form_error
from .statement import statement_page


def appeal_row(appeal: Appeal) -> dict:
    return {
        "appeal": appeal,
        "number": appeal.case.number,
        "case_url": reverse("web:case_detail", args=[appeal.case.number]),
        "officer": appeal.filed_by.display_name or appeal.filed_by.username,
        "status_at_filing": _t(
            exports.STATUS_LABELS.get(appeal.status_at_filing, appeal.status_at_filing)
        ),
        # Why the case was judged nonconforming, where the office said so: what the appeal
        # answers, next to it.
        "quality_note": (
            appeal.case.quality_note if appeal.case.quality == Quality.NONCONFORMING else ""
        ),
        "values": {},
        "error": "",
        "errors": {},
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
    return _appeals_page(request, reader_access(request), quarter)


def _appeals_page(
    request: HttpRequest,
    access,
    quarter: str,
    *,
    failed: Appeal | None = None,
    form: DecideForm | None = None,
    error: str = "",
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """The page; after a refused decision, with what was chosen and typed for that appeal
    kept in its form and the reason next to it."""
    check_quarter(quarter)
    status = (
        QuarterAssessment.objects.filter(town=access.town, quarter=quarter)
        .values_list("status", flat=True)
        .first()
    ) or QuarterAssessment.Status.DRAFT
    rows = [
        appeal_row(a)
        for a in Appeal.objects.filter(town=access.town, quarter=quarter)
        .select_related("case", "filed_by", "decided_by")
        .order_by("filed_at", "id")
    ]
    for row in rows:
        row["decide_url"] = decide_url(row["appeal"], access)
        if failed is not None and form is not None and row["appeal"].pk == failed.pk:
            row["values"] = kept_values(form)
            row["error"] = error
            row["errors"] = errors or {}
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
        status_code = 400 if (error or errors) else 200
        return render(request, "web/assess/appeals.html", context, status=status_code)


def decide_url(appeal: Appeal, access) -> str:
    """Where the appeals page's decide form posts (the town in the query, as every link)."""
    return reverse("assess:appeal_decide", args=[appeal.pk]) + access.query


def get_appeal_or_404(access, pk: int) -> Appeal:
    """One appeal of the person's town; any other is no page (404)."""
    try:
        return Appeal.objects.select_related("case", "case__town", "town").get(
            pk=pk, town=access.town
        )
    except Appeal.DoesNotExist:
        raise Http404("no such appeal") from None


@dataclass
class Decision:
    """What came of a posted decision: the success message, or what is wrong with the input
    (shown next to the appeal's form, with what was chosen kept), or a refusal of the role."""

    form: DecideForm | None
    message: str = ""
    error: str = ""  # over the form: what belongs to no field
    refusal: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)  # next to each field

    @property
    def failed(self) -> bool:
        return bool(self.error or self.errors)


def decide(request: HttpRequest, access, appeal: Appeal) -> Decision:
    """Read the decide form and call the decision service: shared by the appeals page and the
    office's start page (web.views.start), so both take the same decision the same way."""
    if not access.office:
        return Decision(None, refusal=_t("只有镇政法综治办可以处理申诉"))
    form = DecideForm(request.POST)
    if not form.is_valid():
        # Every problem at once, each next to its field.
        return Decision(form, errors={k: [str(m) for m in v] for k, v in form.errors.items()})
    accept = form.cleaned_data["decision"] == "accept"
    try:
        appeal_services.appeal_decide(
            appeal=appeal,
            by=request.user,
            accept=accept,
            note=form.cleaned_data["note"],
            override=form.cleaned_data["override"] or None,
        )
    except ActionNotAllowed as exc:
        return Decision(form, refusal=exc.message)
    except CaseError as exc:
        beside = {k: v for k, v in exc.fields.items() if k in DECIDE_FIELDS}
        if beside:
            return Decision(form, errors=beside)
        return Decision(form, error=exc.message)
    if accept:
        message = _t("%(n)s 的申诉已采纳,考核结果已更正。") % {"n": appeal.case.number}
    else:
        message = _t("%(n)s 的申诉未予采纳。") % {"n": appeal.case.number}
    return Decision(form, message=message)


DECIDE_FIELDS = ("decision", "override", "note")


def kept_values(form: DecideForm | None) -> dict[str, str]:
    """What was chosen and typed in a refused decision, to show it again."""
    if form is None:
        return {}
    return {k: form.data.get(k, "") for k in DECIDE_FIELDS}


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    access = reader_access(request)
    appeal = get_appeal_or_404(access, pk)
    back = appeals_url(access, appeal.quarter)
    decision = decide(request, access, appeal)
    if decision.refusal:
        return forbidden(request, decision.refusal, back=back)
    if decision.failed:
        return _appeals_page(
            request,
            access,
            appeal.quarter,
            failed=appeal,
            form=decision.form,
            error=decision.error,
            errors=decision.errors,
        )
    messages.success(request, decision.message)
    return redirect(back)


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
        wanted = appeal_services.case_quarter(case)
    back = statement_url(access, wanted, request.user.pk) + f"#case-{case.number}"
    if case.officer_id != request.user.pk:
        return forbidden(request, _t("只有录入该事件的网格专管员可以对其考核结果申诉"), back=back)
    form = AppealForm(request.POST)

    def refused(problems: list[str]) -> HttpResponse:
        # The statement again, the reason kept, the problems next to it (the case page's own
        # appeal form posts to web.views.case_actions.appeal).
        typed = request.POST.get("reason", "")
        return statement_page(
            request, wanted, request.user.pk, refused=(case.number, typed, problems)
        )

    if not form.is_valid():
        return refused([str(m) for m in form.errors.get("reason", [])] or [form_error(form)])
    try:
        appeal_services.appeal_file(case=case, by=request.user, reason=form.cleaned_data["reason"])
    except ActionNotAllowed as exc:
        return forbidden(request, exc.message, back=back)
    except CaseError as exc:
        if "reason" in exc.fields:
            return refused(exc.fields["reason"])
        # About the case, not what was typed (an appeal already pending): over the page.
        messages.error(request, f"{case.number}: {exc.message}")
        return redirect(back)
    messages.success(request, _t("%(n)s 的申诉已提交,等待综治办处理。") % {"n": case.number})
    return redirect(back)
