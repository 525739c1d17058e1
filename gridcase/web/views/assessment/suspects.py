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


@login_required
def suspects(request: HttpRequest) -> HttpResponse:
    access = get_access(request, frozenset(integrity_services.OFFICE))
    month = _month(request, access.today)
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
        rows.append(
            {
                "pair": pair,
                "kept": kept.get((pair.case_id, pair.similar_to_id)),
                "later": later,
                "earlier": earlier,
                "status_word": STATUS_WORDS.get(pair.status, pair.status),
                "open": pair.status == SuspectPair.Status.SUSPECTED,
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
        return render(request, "web/assess/suspects.html", context)


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
    decision = request.POST.get("decision")
    reason = (request.POST.get("reason") or "").strip()
    if decision not in ("confirm", "dismiss"):
        messages.error(request, _t("请选择确认重复或排除"))
        return redirect(back)
    if decision == "confirm" and not request.POST.get("confirm"):
        # Irreversible for the later case's pay (issue 14): the tick names what happens.
        messages.error(
            request,
            _t("%(later)s: 请勾选确认后再确认重复") % {"later": later.number},
        )
        return redirect(back)
    try:
        # A suggested pair is kept only with its decision: a refused one leaves nothing.
        with transaction.atomic():
            pair = integrity_services.pair_for(access.town, later, earlier)
            decide = (
                integrity_services.confirm if decision == "confirm" else integrity_services.dismiss
            )
            decide(pair, by=request.user, reason=reason)
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
    except ActionNotAllowed as exc:
        return forbidden(request, exc.message, back=back)
    except CaseError as exc:
        messages.error(request, f"{later.number}: {exc.message}")
    return redirect(back)
