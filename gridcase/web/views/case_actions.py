"""Actions on a case: parse the action's form, call its service, then redirect (POST-redirect-GET).

The rules are the services': a refused action re-shows the case page with the action's form
open and each message next to its field (400), a refusal of the role in words (403), or — when
someone else acted first — a conflict message with the case as it is now (409). Never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gridcase.assessment import appeals as appeal_services
from gridcase.cases import attachments, filing, selectors, services
from gridcase.cases.changes import require_action
from gridcase.cases.errors import ActionNotAllowed, CaseError, Conflict
from gridcase.cases.models import Case
from gridcase.cases.versions import STALE, STATEFUL, is_stale
from gridcase.cases.workflow import COMPOSITE_STEPS
from gridcase.web.forms import add_service_errors
from gridcase.web.views.assessment.forms import AppealForm
from gridcase.web.views.case_detail import (
    action_form,
    action_title,
    detail_context,
    get_case_or_404,
    needs_mediation,
)


def _run(action: str, case: Case, user, form, request: HttpRequest) -> str:
    """Call the action's service; return the success message."""
    data = form.cleaned_data
    if action == "submit_accept":
        services.case_submit_and_accept(case=case, by=user)
        return _("已提交并受理,办结期限 %(due)s。") % {"due": case.handle_due}
    step = COMPOSITE_STEPS.get(action)
    if step is not None and step[0] == "accept":
        # Accepted and acted on in one transaction: a refusal of the second undoes both.
        return services.case_accept_then(
            case=case, by=user, then=lambda: _run(step[1], case, user, form, request)
        )
    if action == "submit":
        filing.case_submit(case=case, by=user)
        return _("已提交,受理期限 %(due)s。") % {"due": case.accept_due}
    if action == "accept":
        services.case_accept(case=case, by=user, note=data.get("note", ""))
        return _("已受理,办结期限 %(due)s。") % {"due": case.handle_due}
    if action == "close":
        services.case_close(
            case=case, by=user, data=form.service_data(mediation=needs_mediation(case))
        )
        return _("已结案。")
    if action == "escalate":
        services.case_escalate(case=case, by=user, note=data.get("note", ""))
        return _("已上报至%(level)s。") % {"level": case.get_level_display()}
    if action == "dispatch":
        services.case_dispatch(
            case=case, by=user, department=data["department"], note=data.get("note", "")
        )
        return _("已分流至%(dept)s。") % {"dept": data["department"].name}
    if action == "report":
        services.case_report(case=case, by=user, result=data.get("result", ""))
        return _("已反馈办理结果,由镇社会服务管理中心结案。")
    if action == "return":
        services.case_return(case=case, by=user, reason=data.get("reason", ""))
        return _("已退回至%(level)s。") % {"level": case.get_level_display()}
    if action == "void":
        services.case_void(case=case, by=user, reason=data.get("reason", ""))
        return _("已作废。")
    if action == "urge":
        services.case_urge(case=case, by=user, note=data.get("note", ""))
        return _("已督办。")
    if action == "request_extension":
        services.case_request_extension(
            case=case, by=user, working_days=data["working_days"], reason=data.get("reason", "")
        )
        return _("延期申请已提交,等待审批。")
    if action == "decide_extension":
        request_row = selectors.pending_extension(case, list(case.extensions.all()))
        if request_row is None:
            raise Conflict(_("该延期申请已被他人审批"))
        request_row.case = case
        approve = data["decision"] == "approve"
        services.case_decide_extension(
            request=request_row, by=user, approve=approve, note=data.get("note", "")
        )
        return _("已批准延期。") if approve else _("已不批准延期。")
    if action == "follow_up":
        satisfied = {"yes": True, "no": False}.get(data.get("satisfied") or "")
        services.case_follow_up(
            case=case,
            by=user,
            visited_on=data["visited_on"],
            method=data["method"],
            satisfied=satisfied,
            note=data.get("note", ""),
        )
        return _("回访已记录。")
    if action == "review":
        major = {"yes": True, "no": False}.get(data.get("major") or "")
        services.case_review(
            case=case,
            by=user,
            quality=data["quality"],
            note=data.get("quality_note", ""),
            major=major,
        )
        return _("质量评定已保存。")
    if action == "attach":
        uploads = request.FILES.getlist("files")
        if not uploads:
            raise CaseError(_("请选择要上传的文件"), {"file": [_("请选择要上传的文件")]})
        for upload in uploads:
            attachments.case_attach(case=case, by=user, upload=upload)
        return ngettext("已上传 %(n)d 个附件。", "已上传 %(n)d 个附件。", len(uploads)) % {
            "n": len(uploads)
        }
    raise Http404("unknown action")


@login_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    case = get_case_or_404(request, number)
    form = action_form(action, case, data=request.POST, files=request.FILES)
    if form is None:
        raise Http404("unknown action")
    with timezone.override(case.town.timezone):
        if not form.is_valid():
            # Whoever may not take the action hears that (403), not what their form lacks:
            # the same check the services and the API's precheck make.
            try:
                require_action(COMPOSITE_STEPS.get(action, (action,))[0], case, request.user)
            except ActionNotAllowed as exc:
                return _refuse(request, case, action, form, status=403, message=exc.message)
            # Said over the page too, as a service's refusal is: the form may be below the fold.
            problems = [str(m) for messages in form.errors.values() for m in messages]
            return _refuse(request, case, action, form, status=400, message=";".join(problems))
        # A stale page's action: the rule's one home is cases.versions (the API's too).
        posted = form.cleaned_data.get("version")
        if action in STATEFUL and is_stale(posted, case.version):
            return _refuse(request, case, action, form, status=409, message=str(STALE))
        try:
            message = _run(action, case, request.user, form, request)
        except CaseError as exc:
            if action in COMPOSITE_STEPS:
                # The step's first action was undone with its second, but the case in memory
                # still says it was accepted: read it again before showing it.
                case.refresh_from_db()
            return _refused(request, case, action, form, exc)
    messages.success(request, f"{action_title(action)}: {message}")
    return redirect("web:case_detail", number=case.number)


def _refused(request, case: Case, action: str, form, exc: CaseError) -> HttpResponse:
    """A service's refusal in words: someone acted first (409), not this person's action
    (403), or what is wrong with the input, next to its field (400)."""
    if isinstance(exc, Conflict):
        case.refresh_from_db()
        return _refuse(request, case, action, None, status=409, message=exc.message)
    if isinstance(exc, ActionNotAllowed):
        return _refuse(request, case, action, form, status=403, message=exc.message)
    add_service_errors(exc, [form])
    return _refuse(request, case, action, form, status=400, message=exc.message)


def _refuse(request, case, action, form, *, status: int, message: str = "") -> HttpResponse:
    """The case page again, with the action's form open and what is wrong said in words."""
    case = get_case_or_404(request, case.number) if status == 409 else case
    bound = (action, form) if form is not None else None
    context = detail_context(request, case, bound=bound)
    if status == 409:
        # The stale form would repeat the mistake: offer fresh forms with the current version.
        context = detail_context(request, case)
    context["error"] = message
    context["error_action"] = action_title(action)
    return render(request, "web/case_detail.html", context, status=status)


@login_required
@require_POST
def appeal(request: HttpRequest, number: str) -> HttpResponse:
    """申诉 from the case page: the same service as the statement's; refused, the case page
    again with the appeal open, the reason as typed and each problem next to it (400)."""
    case = get_case_or_404(request, number)
    form = AppealForm(request.POST, auto_id="appeal_%s")
    with timezone.override(case.town.timezone):
        if form.is_valid():
            try:
                appeal_services.appeal_file(
                    case=case, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ActionNotAllowed as exc:
                context = detail_context(request, case)
                context["error"], context["error_action"] = exc.message, _("申诉")
                return render(request, "web/case_detail.html", context, status=403)
            except CaseError as exc:
                for message in exc.fields.get("reason", [exc.message]):
                    form.add_error("reason", message)
            else:
                messages.success(
                    request, _("%(n)s 的申诉已提交,等待综治办处理。") % {"n": case.number}
                )
                return redirect("web:case_detail", number=case.number)
        context = detail_context(request, case, appeal_form=form)
        problems = [str(m) for errors in form.errors.values() for m in errors]
        context["error"], context["error_action"] = ";".join(problems), _("申诉")
        return render(request, "web/case_detail.html", context, status=400)
