"""A URL whose path holds a control character (`/cases/CT-2026%00/`) names nothing: 404.

Without this, such a path reached the views, and a NUL in a case number made PostgreSQL
refuse the query (a 500), while SQLite answered 404. Early in MIDDLEWARE, so no view, no
session lookup and no query ever sees such a path. The answer is each part's usual 404: the
API's JSON error, Open311's error list, or the workbench's page (through handler404).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse

from gridcase.core import text

from .errors import NOT_FOUND_MESSAGE, error_body
from .open311 import errors, to_xml


class InvalidPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if text.has_control(request.path):
            return not_found(request)
        return self.get_response(request)


def not_found(request) -> HttpResponse:
    path = request.path_info  # without a deployment's script prefix
    if path.startswith("/api/"):
        return JsonResponse(
            error_body("not_found", NOT_FOUND_MESSAGE),
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    if path.startswith("/open311/"):
        body = errors(404, "未找到:地址中含有不允许的字符")
        if path.endswith(".xml"):
            return HttpResponse(to_xml("errors", body), status=404, content_type="text/xml")
        return JsonResponse(body, status=404, safe=False, json_dumps_params={"ensure_ascii": False})
    # The workbench's own 404 page (handler404), as for any other unknown address.
    raise Http404("invalid character in the path")
