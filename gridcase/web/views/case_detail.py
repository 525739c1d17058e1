"""The case page: every element, the parties, attachments, deadlines and light, the timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gridcase.cases import selectors
from gridcase.cases.models import Case


def get_case_or_404(request: HttpRequest, number: str) -> Case:
    """Outside a person's scope a case does not exist: 404, never 403."""
    try:
        return selectors.get_case(request.user, number=number)
    except Case.DoesNotExist:
        raise Http404("no such case") from None


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_or_404(request, number)
    return render(request, "web/case_detail.html", {"case": case, "nav_section": "cases"})
