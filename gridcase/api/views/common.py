"""Pieces the case views share: the detail response, the pre-check, schema helpers."""

from __future__ import annotations

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.reverse import reverse

from gridcase.cases import selectors
from gridcase.cases.changes import require_action
from gridcase.cases.deadlines import town_days
from gridcase.cases.models import Case
from gridcase.cases.versions import check_version

from ..idempotency import HEADER
from ..serializers.cases import CaseDetailSerializer
from ..serializers.common import MAX_ID

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "幂等键(建议 UUID):断网重发时带同一个键,服务器返回第一次的结果而不重复创建;"
        "同一个键用于内容不同的请求返回 422 idempotency_mismatch。保留 24 小时。"
    ),
)
NUMBER_PARAMETER = OpenApiParameter(
    "number",
    str,
    location=OpenApiParameter.PATH,
    description="事件编号,如 CT-2026-00042",
    pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
)


def precheck(action: str, case: Case, user, level: str | None = None) -> None:
    """Refuse an action the caller may not take before reading its input (403, not 400).

    The services check again inside their transaction; this only orders the answers so that
    a person without the right learns that first, in the workflow's words.
    """
    require_action(action, case, user, level=level)


def check_posted_version(request, case: Case) -> None:
    """409 stale when the body's `version` is not the case's (cases.versions), before the
    role's check: a client acting on an old view of the case (a submit re-sent after it
    committed) hears that the case moved on. A `version` that is not a whole number from 0
    up is left to the input's serializer, which names it (400)."""
    data = request.data
    posted = data.get("version") if isinstance(data, Mapping) else None
    if isinstance(posted, int) and not isinstance(posted, bool) and 0 <= posted <= MAX_ID:
        check_version(case, posted)


def case_detail_data(request, case: Case) -> dict:
    user = request.user
    context = {
        "request": request,
        "handles": selectors.handles(user, case),
        "allowed_actions": selectors.allowed_actions(user, case),
        "timeline": list(selectors.timeline(case)),
        "days": town_days([case.town]),
    }
    return CaseDetailSerializer(case, context=context).data


def case_url(request, case: Case) -> str:
    return reverse("api:case-detail", kwargs={"number": case.number}, request=request)


REPLAYED = {"Idempotent-Replayed": "true"}


def case_response(request, case: Case, status: int = 200, replayed: bool = False) -> Response:
    headers = {"Location": case_url(request, case)} if status == 201 else {}
    if replayed:
        headers |= REPLAYED
    return Response(case_detail_data(request, case), status=status, headers=headers)
