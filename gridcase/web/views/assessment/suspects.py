"""The governance office's review queue of suspected duplicates (疑似重复) and the month's
padding signals (integrity.md). Only the office of the town sees it (404 otherwise); it
suggests, the office decides: confirm (the later case becomes a duplicate) or dismiss."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from gridcase.assessment import integrity, integrity_services
from gridcase.assessment.common import last_day
from gridcase.assessment.models import SuspectPair
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.cases.models import Case
from gridcase.core import clock, periods
from gridcase.org.policies import policy_for

from .common import forbidden, get_access
from .forms import SuspectDecisionForm

STATUS_WORDS = {
    SuspectPair.Status.SUSPECTED: SuspectPair.Status.SUSPECTED.label,
    SuspectPair.Status.CONFIRMED: SuspectPair.Status.CONFIRMED.label,
    SuspectPair.Status.DISMISSED: SuspectPair.Status.DISMISSED.label,
}


def _month(request: HttpRequest, today) -> str:
    wanted = (request.GET.get("month") or request.POST.get("month") or "").strip()
    if not wanted:
        return clock.month_of(today)
    if not periods.is_month(wanted):
        raise Http404("no such month")
    return wanted


def queue_url(access, month: str) -> str:
    query = f"?month={month}"
    if len(access.towns) > 1:
        query += f"&town={access.town.pk}"
    return reverse("assess:suspects") + query


def _key(later: Case, earlier: Case) -> str:
    return f"pair-{later.pk}-{earlier.pk}"


def _form(later: Case, earlier: Case, data=None) -> SuspectDecisionForm:
    return SuspectDecisionForm(
        data, later=later.number, earlier=earlier.number, key=_key(later, earlier)
    )


@login_required
def suspects(request: HttpRequest) -> HttpResponse:
    access = get_access(request, frozenset(integrity_services.OFFICE))
    return _queue(request, access, _month(request, access.today))


def _queue(
    request: HttpRequest,
    access,
    month: str,
    failed: SuspectDecisionForm | None = None,
    failed_key: str = "",
) -> HttpResponse:
    """The month's queue; `failed`: a decision as sent, shown again in its pair's form with
    what is wrong next to each field (400; one error path, issue 14)."""
    first, last = clock.parse_month(month), last_day(month)
    pairs = integrity.find_in_period(access.town, first, last)
    ids = {p.case_id for p in pairs} | {p.similar_to_id for p in pairs}
    cases = {c.pk: c for c in Case.objects.filter(pk__in=ids).select_related("officer")}
    kept = {
        (k.case_id, k.similar_to_id): k
        for k in SuspectPair.objects.filter(case_id__in=ids).select_related("decided_by")
    }
    rows = []
    for pair in pairs:
        later, earlier = cases[pair.case_id], cases[pair.similar_to_id]
        open_ = pair.status == SuspectPair.Status.SUSPECTED
        form = None
        if open_:
            mine = failed is not None and failed_key == _key(later, earlier)
            form = failed if mine else _form(later, earlier)
        rows.append(
            {
                "pair": pair,
                "kept": kept.get((pair.case_id, pair.similar_to_id)),
                "later": later,
                "earlier": earlier,
                "status_word": STATUS_WORDS.get(pair.status, pair.status),
                "open": open_,
                "form": form,
            }
        )
    context = {
        "nav_section": "suspects",
        "access": access,
        "month": month,
        "previous": clock.month_of(first - timedelta(days=1)),
        "pending": [r for r in rows if r["open"]],
        "decided": [r for r in rows if not r["open"]],
        "signals": integrity.signals_in_period(access.town, first, last),
        "threshold": policy_for(access.town, last).duplicate_threshold,
    }
    with timezone.override(access.town.timezone):
        return render(request, "web/assess/suspects.html", context, status=400 if failed else 200)


@login_required
@require_POST
def suspect_decide(request: HttpRequest) -> HttpResponse:
    access = get_access(request, frozenset(integrity_services.OFFICE))
    month = _month(request, access.today)
    back = queue_url(access, month)
    try:
        later = Case.objects.get(pk=int(request.POST.get("case", "")), town=access.town)
        earlier = Case.objects.get(pk=int(request.POST.get("similar_to", "")), town=access.town)
    except (ValueError, Case.DoesNotExist):
        raise Http404("no such pair") from None
    form = _form(later, earlier, request.POST)
    if not form.is_valid():
        return _queue(request, access, month, form, _key(later, earlier))
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        # A suggested pair is kept only with its decision: a refused one leaves nothing.
        with transaction.atomic():
            pair = integrity_services.pair_for(access.town, later, earlier)
            decide = (
                integrity_services.confirm if decision == "confirm" else integrity_services.dismiss
            )
            decide(pair, by=request.user, reason=reason)
    except ActionNotAllowed as exc:
        return forbidden(request, exc.message, back=back)
    except CaseError as exc:
        if "reason" in exc.fields:
            for problem in exc.fields["reason"]:
                form.add_error("reason", problem)
            return _queue(request, access, month, form, _key(later, earlier))
        # About the pair itself (decided meanwhile, no longer suspected): over the queue.
        messages.error(request, f"{later.number}: {exc.message}")
        return redirect(back)
    if decision == "confirm":
        messages.success(
            request,
            _t("已确认 %(later)s 与 %(earlier)s 重复,%(later)s 不计入考核。")
            % {"later": later.number, "earlier": earlier.number},
        )
    else:
        messages.success(
            request,
            _t("已排除 %(later)s 与 %(earlier)s 的疑似重复。")
            % {"later": later.number, "earlier": earlier.number},
        )
    return redirect(back)
