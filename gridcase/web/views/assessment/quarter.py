"""The quarter's life from the town's period page: finalise, approve, send back, adjust.

Each action is a POST for the town's readers (others: 404); a role without the action gets
403 with the reason. What is wrong with the form, or what the service refuses about one of
its fields, comes back on the period page with the form as sent, each message next to its
field (400, one error path: issue 14); a refusal about the quarter itself (someone acted
first, not possible yet) comes back as a message over the page as it is now."""

from __future__ import annotations

from django import forms
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
from .forms import AdjustmentForm, ApproveForm, FinaliseForm, ReopenForm
from .overview import officer_choices, period_page


def _quarter_action(
    request: HttpRequest,
    quarter: str,
    name: str,
    make_form,
    run,
    *,
    allowed,
    refusal: str,
):
    """Run one quarter action for the readers of the town (others: 404): a role without the
    action gets 403 with the reason; a form with problems, or a refusal the service names a
    field of, is the period page again with the form as sent (400)."""
    access = reader_access(request)
    check_quarter(quarter)
    back = period_url(access, quarter)
    if not allowed(access):
        return forbidden(request, refusal, back=back)
    form: forms.Form = make_form(access)
    if not form.is_valid():
        return period_page(request, access, quarter, bound={name: form}, status=400)
    try:
        message = run(access, form.cleaned_data)
    except ActionNotAllowed as exc:
        return forbidden(request, exc.message, back=back)
    except CaseError as exc:  # also Conflict: someone acted first
        if any(field in form.fields for field in exc.fields):
            for field, problems in exc.fields.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            return period_page(request, access, quarter, bound={name: form}, status=400)
        # About the quarter, not what was typed: said over the page as it is now.
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect(back)


@login_required
@require_POST
def finalise(request: HttpRequest, quarter: str) -> HttpResponse:
    def run(access: Access, data: dict) -> str:
        life.quarter_finalise(town=access.town, quarter=quarter, by=request.user)
        return _t("%(q)s 考核已定稿,已冻结快照,等待分管领导审批。") % {"q": quarter}

    return _quarter_action(
        request,
        quarter,
        "finalise",
        lambda access: FinaliseForm(request.POST, auto_id="finalise_%s"),
        run,
        allowed=lambda a: a.office,
        refusal=_t("只有镇政法综治办可以定稿季度考核"),
    )


@login_required
@require_POST
def approve(request: HttpRequest, quarter: str) -> HttpResponse:
    def run(access: Access, data: dict) -> str:
        life.quarter_approve(town=access.town, quarter=quarter, by=request.user, note=data["note"])
        return _t("%(q)s 考核已审批,工资表为最终结果。") % {"q": quarter}

    return _quarter_action(
        request,
        quarter,
        "approve",
        lambda access: ApproveForm(request.POST),
        run,
        allowed=lambda a: a.leader,
        refusal=_t("只有政法分管领导可以审批季度考核"),
    )


@login_required
@require_POST
def reopen(request: HttpRequest, quarter: str) -> HttpResponse:
    def run(access: Access, data: dict) -> str:
        life.quarter_reopen(
            town=access.town, quarter=quarter, by=request.user, reason=data["reason"]
        )
        return _t("%(q)s 考核已退回综治办更正。") % {"q": quarter}

    return _quarter_action(
        request,
        quarter,
        "reopen",
        lambda access: ReopenForm(request.POST),
        run,
        allowed=lambda a: a.leader,
        refusal=_t("只有政法分管领导可以退回季度考核"),
    )


@login_required
@require_POST
def adjust(request: HttpRequest, quarter: str) -> HttpResponse:
    """A correction of an approved quarter, paid in the next quarter not yet finalised."""

    def run(access: Access, data: dict) -> str:
        officer = User.objects.get(pk=data["officer"])
        adjustment = adjustment_add(
            town=access.town,
            officer=officer,
            quarter=quarter,
            amount=data["amount"],
            reason=data["reason"],
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
        "adjust",
        lambda access: AdjustmentForm(request.POST, officers=officer_choices(access.town)),
        run,
        allowed=lambda a: a.office,
        refusal=_t("只有镇政法综治办可以录入考核调整"),
    )
