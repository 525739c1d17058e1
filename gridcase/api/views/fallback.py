"""Unknown addresses under /api/: a JSON 404, or a redirect when only the final slash is missing."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from ..errors import error_body
from ..open311 import errors, to_xml


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308  # unlike 301, a client repeats a POST as a POST


@csrf_exempt  # it changes nothing; a CSRF refusal would be an HTML page
def not_found(request, *args, **kwargs):
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            target = request.path + "/" + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirectKeepMethod(target)
    return JsonResponse(
        error_body("not_found", f"接口地址不存在:{request.path}(接口文档见 /api/docs/)"),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
def open311_not_found(request, *args, **kwargs):
    description = (
        f"接口地址不存在:{request.path}。GeoReport v2 的地址形如 /open311/v2/services.json"
        "(或 .xml),见 /open311/v2/discovery.json"
    )
    if request.path.endswith(".xml"):
        return HttpResponse(
            to_xml("errors", errors(404, description)), status=404, content_type="text/xml"
        )
    return JsonResponse(
        errors(404, description),
        status=404,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )
