"""The start page of the handling roles and the office (web:home, web.nav.START_PAGES): the
queue, and above it what waits for one click (issue 14).

- The town center closes a case a department has reported on with the report as the result
  ("按反馈结案"): the case page's close, through the same service (services.case_close) with
  its rules, scope and stale-page check. Where the close needs more than the report (the close's
  own element check says what), the case links to its page instead, saying why.
- The governance office decides the pending appeals of every quarter not yet finalised, each
  as the appeals page shows it, with the same form and the same decision
  (web.views.assessment.appeals.decide).

After either, the person is back on the start page; a refusal shows the start page again with
the reason (and, for an appeal, what was chosen kept in its form).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridcase.assessment.models import Appeal
from gridcase.cases import services, versions
from gridcase.cases.errors import ActionNotAllowed, CaseError, Conflict
from gridcase.cases.models import State
from gridcase.web import selectors as q
from gridcase.web import start_selectors
from gridcase.web.forms import ActionForm
from gridcase.web.views.assessment.appeals import (
    Decision,
    appeal_row,
    decide,
    get_appeal_or_404,
    kept_values,
)
from gridcase.web.views.assessment.common import forbidden, quarter_label, reader_access
from gridcase.web.views.assessment.forms import DecideForm
from gridcase.web.views.case_actions import STALE
from gridcase.web.views.case_detail import get_case_or_404
from gridcase.web.views.queues import list_rows, queue_page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _home(request)


def _home(
    request: HttpRequest,
    *,
    close_error: tuple[str, str] | None = None,
    failed: Appeal | None = None,
    decision: Decision | None = None,
    status: int = 200,
) -> HttpResponse:
    panels = {
        **_reported_panel(request, close_error),
        **_appeals_panel(request, failed, decision),
    }
    appeals = panels["appeals"]
    # The appeals' times are read in their town's time, as on the appeals page.
    zone = appeals[0]["appeal"].town.timezone if appeals else timezone.get_current_timezone()
    with timezone.override(zone):
        return queue_page(
            request,
            default_tab=None,
            nav_section="queue",
            template="web/home.html",
            extra=panels,
            status=status,
        )


# ---------------------------------------------------------------- the center: close from the report


def _reported_panel(request: HttpRequest, close_error: tuple[str, str] | None) -> dict:
    user = request.user
    cases, more = start_selectors.reported_cases(user)
    rows = list_rows(cases, q.user_days(user)) if cases else []
    for row in rows:
        case = row["case"]
        row["department"] = case.department.name if case.department else ""
        row["missing"] = "、".join(_(m) for m in start_selectors.missing_to_close(case))
        row["close_url"] = reverse("web:start_close", args=[case.number])
    return {
        "reported": rows,
        "reported_more": more,
        "reported_shown": start_selectors.REPORTED_SHOWN,
        "close_error": close_error,
    }


@login_required
@require_POST
def close_from_report(request: HttpRequest, number: str) -> HttpResponse:
    """按反馈结案: the case page's close with the department's report as the result."""
    case = get_case_or_404(request, number)  # outside the person's scope: 404
    form = ActionForm(request.POST)
    with timezone.override(case.town.timezone):
        posted = form.cleaned_data.get("version") if form.is_valid() else None
        if versions.is_stale(posted, case.version):
            return _close_refused(request, case.number, str(STALE), 409)
        if case.state != State.REPORTED:
            # No department's report waits to be closed from (any more): the case page says
            # what can be done now.
            message = _("该事件没有待结案的部门反馈,请到事件页面查看最新状态。")
            return _close_refused(request, case.number, message, 409)
        try:
            services.case_close(case=case, by=request.user, data={"result": case.result})
        except Conflict as exc:
            return _close_refused(request, case.number, exc.message, 409)
        except ActionNotAllowed as exc:
            return _close_refused(request, case.number, exc.message, 403)
        except CaseError as exc:
            return _close_refused(request, case.number, exc.message, 400)
    messages.success(request, _("%(number)s 已按部门反馈结案。") % {"number": case.number})
    return redirect("web:home")


def _close_refused(request: HttpRequest, number: str, message: str, status: int) -> HttpResponse:
    return _home(request, close_error=(number, message), status=status)


# ---------------------------------------------------------------- the office: decide appeals


def _appeals_panel(request: HttpRequest, failed: Appeal | None, decision: Decision | None) -> dict:
    rows = []
    for appeal in start_selectors.pending_appeals(request.user):
        row = appeal_row(appeal)
        # The town in the form, for someone who is the office of several towns.
        row["decide_url"] = (
            reverse("web:start_appeal_decide", args=[appeal.pk]) + f"?town={appeal.town_id}"
        )
        row["quarter_label"] = quarter_label(appeal.quarter)
        if failed is not None and decision is not None and appeal.pk == failed.pk:
            # What was chosen and typed, each problem next to its field (as the appeals page).
            row["values"] = kept_values(decision.form)
            row["error"] = decision.error
            row["errors"] = decision.errors
        rows.append(row)
    return {"appeals": rows, "can_decide": True, "decide_form": DecideForm()}


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The appeals page's decision, taken from the start page and coming back to it."""
    access = reader_access(request)  # no office or leader role in the town: 404
    appeal = get_appeal_or_404(access, pk)
    decision = decide(request, access, appeal)
    if decision.refusal:
        return forbidden(request, decision.refusal, back=reverse("web:home"))
    if decision.failed:
        return _home(request, failed=appeal, decision=decision, status=400)
    messages.success(request, decision.message)
    return redirect("web:home")
