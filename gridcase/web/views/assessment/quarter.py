"""The quarter's life from the town's period page: finalise, approve, send back, adjust.

Each action is a POST for the town's readers (others: 404); a role without the action gets
403 with the reason, and the service's own refusal comes back as a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from gridcase.assessment import quarter as life
from gridcase.assessment.adjustments import adjustment_add
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.org.models import User

from .common import (
    Access,
    check_quarter,
    forbidden,
    period_url,
    reader_access,
    yuan,
)
from .forms import AdjustmentForm, ApproveForm, FinaliseForm, ReopenForm, form_error


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
    form = FinaliseForm(request.POST)

    def run(access: Access) -> str:
        if not form.is_valid():
            raise CaseError(form_error(form))
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
        if not form.is_valid():
            raise CaseError(form_error(form))
        note = form.cleaned_data["note"]
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
            raise CaseError(form_error(form))
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
            raise CaseError(form_error(form))
        officer = User.objects.filter(pk=form.cleaned_data["officer"]).first()
        if officer is None:
            raise CaseError(_t("请选择网格专管员"))
        adjustment = adjustment_add(
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
