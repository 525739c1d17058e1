"""The result to take away: the payroll workbook and the JSON of assessment.md."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from gridcase.assessment import exports

from .common import Access, period_result, reader_access


def _filename(access: Access, period: str, ext: str) -> str:
    return f"{access.town.name}-考核-{period}.{ext}"


@login_required
def payroll(request: HttpRequest, period: str) -> HttpResponse:
    """The payroll workbook (工资表 and one sheet per officer); a finalised quarter's comes
    from its snapshot, a draft one is marked provisional in its title."""
    access = reader_access(request)
    result = period_result(access, period)
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
    result = period_result(access, period)
    response = HttpResponse(exports.to_json(result), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, _filename(access, period, "json")
    )
    response["Cache-Control"] = "private, no-store"
    return response
