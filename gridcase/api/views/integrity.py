"""Duplicate suspects and padding signals over HTTP (integrity.md), as in the workbench:

- the check on entry: an officer about to submit asks which cases of the town the one being
  entered may repeat (it only warns; nothing is stored);
- the period's report: the JSON of `gridcase suspects`, built by the same function;
- the governance office's decision on a pair: confirm (the later case becomes a duplicate) or
  dismiss, by the services the review queue calls.

Scope and rules are gridcase.assessment's and gridcase.cases's: who may enter a case there is
who may check one; who reads the review queue reads the report; the services decide.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from gridcase.assessment import integrity, integrity_services, suspects_report
from gridcase.assessment.common import last_day
from gridcase.cases import filing, selectors
from gridcase.cases.errors import CaseError
from gridcase.cases.models import Case
from gridcase.core import clock
from gridcase.org.policies import policy_for

from ..idempotency import idempotent
from ..serializers import integrity as shapes
from .assessment import TAG as ASSESSMENT_TAG
from .assessment import AssessmentView, _town
from .base import ApiView, bounded_query, case_or_404
from .cases import TAG as CASES_TAG
from .cases import _draft_place
from .common import IDEMPOTENCY_PARAMETER

# How many suspects one check answers with, best first (the workbench shows five).
CHECK_LIMIT = 10


def _float(value) -> float | None:
    return None if value is None else float(value)


class SuspectsCheckView(ApiView):
    @extend_schema(
        tags=CASES_TAG,
        operation_id="cases_suspects_check",
        summary="提交前查重(附近相似事件)",
        description=(
            "网格专管员录入事件、提交之前,用与录入草稿相同的字段询问本镇附近、"
            "考核策略所定天数内是否已有相似的已提交事件(同一类别,地点、时间、当事人、描述相近)。"
            "只提示,不保存任何内容,也不阻止提交。电话号码在理由中隐去中间四位。"
            f"最多返回 {CHECK_LIMIT} 起,最相似的在前。"
        ),
        request=shapes.SuspectsCheckInputSerializer,
        responses={200: shapes.SuspectsCheckSerializer},
    )
    def post(self, request):
        serializer = shapes.SuspectsCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Who may enter a case there may check one: the place of a new draft, then the
        # officer's village in it (403 for anyone who is not an officer of that town).
        town, village = _draft_place(request.user, data)
        village, _grid = filing.officer_village(request.user, town, village)
        values: dict[str, object] = {
            name: data.get(name) or "" for name in ("category", *integrity.TEXT_FIELDS)
        }
        values["latitude"] = _float(data.get("latitude"))
        values["longitude"] = _float(data.get("longitude"))
        values["occurred_at"] = data.get("occurred_at")
        found = integrity.check_entry(
            town,
            values,
            parties=[dict(p) for p in data.get("parties", [])],
            village_id=village.pk,
            number=data.get("number", ""),
        )
        policy = policy_for(town, clock.today(town.timezone))
        suspects = [
            {
                "number": f.other_number,
                "score": f.suspicion.score,
                "reasons": list(f.suspicion.reasons),
                "url": reverse(
                    "api:case-detail", kwargs={"number": f.other_number}, request=request
                ),
            }
            for f in found[:CHECK_LIMIT]
        ]
        return Response(
            {
                "window_days": policy.duplicate_window_days,
                "distance_m": policy.duplicate_distance_m,
                "threshold": float(policy.duplicate_threshold),
                "suspects": suspects,
            }
        )


class SuspectsReportView(AssessmentView):
    @extend_schema(
        tags=ASSESSMENT_TAG,
        operation_id="assessment_suspects",
        summary="疑似重复与虚报迹象(一个期间)",
        description=(
            "期间内提交的事件中疑似重复的事件对(与其之前考核策略所定窗口内的每起事件比较,"
            "较晚的事件在前)和每名网格专管员每月的虚报迹象,与命令 gridcase suspects "
            "--format json 的输出完全相同。只供综治办核查,不改变任何金额。"
            "只有本镇的镇政法综治办可以查看;期间最长 "
            f"{shapes.MAX_PERIOD_DAYS} 天。"
        ),
        parameters=[shapes.SuspectsQuerySerializer],
        responses={200: shapes.SuspectsReportSerializer},
    )
    def get(self, request):
        query = bounded_query(shapes.SuspectsQuerySerializer, request)
        town = _town(request, query.get("town"))
        suspects_report.require_reader(request.user, town)
        if query.get("month"):
            first, last = clock.parse_month(query["month"]), last_day(query["month"])
        else:
            first, last = query["since"], query["until"]
        return Response(suspects_report.period_report(town, first, last))


LATER_PARAMETER = OpenApiParameter(
    "number",
    str,
    location=OpenApiParameter.PATH,
    description="疑似重复的事件对中较晚提交的事件编号,如 CT-2026-00412",
    pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
)


def _earlier(request, later: Case, number: str) -> Case:
    """The pair's earlier case, named in the body: one the caller sees, in the same town."""
    try:
        earlier = selectors.get_case(request.user, number=number)
    except (Case.DoesNotExist, Case.MultipleObjectsReturned):
        earlier = None
    if earlier is None or earlier.town_id != later.town_id:
        raise ValidationError({"similar_to": ["事件不存在,或与路径中的事件不在同一个镇"]})
    return earlier


def _decision_view(name: str, decide, summary: str, description: str):
    class View(AssessmentView):
        @extend_schema(
            tags=ASSESSMENT_TAG,
            operation_id=f"assessment_suspect_{name}",
            summary=summary,
            description=description,
            parameters=[LATER_PARAMETER, IDEMPOTENCY_PARAMETER],
            request=shapes.SuspectDecisionInputSerializer,
            responses={200: shapes.SuspectPairSerializer},
        )
        @idempotent
        def post(self, request, number):
            later = case_or_404(request, number)
            # The office's right first (403), before the input is read (400).
            suspects_report.require_reader(request.user, later.town)
            serializer = shapes.SuspectDecisionInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            earlier = _earlier(request, later, data["similar_to"])
            # Keeping a pair found but not yet kept, and deciding it, are one change: a
            # refused decision keeps nothing.
            with transaction.atomic():
                try:
                    pair = integrity_services.pair_for(later.town, later, earlier)
                except CaseError as exc:
                    if "pair" not in exc.fields:
                        raise
                    raise ValidationError({"similar_to": exc.fields["pair"]}) from None
                pair = decide(pair, by=request.user, reason=data["reason"])
            return Response(shapes.SuspectPairSerializer(pair).data)

    View.__name__ = View.__qualname__ = f"Suspect{name.title()}View"
    return View


SuspectConfirmView = _decision_view(
    "confirm",
    integrity_services.confirm,
    "确认疑似重复",
    (
        "综治办确认路径中的事件(较晚提交)与 similar_to(较早提交)是同一件事:"
        "较晚的事件在考核中按重复计、不计报酬,并注明所重复的事件;须写明理由,"
        "记入两起事件的办理记录和审计记录。已处理过的事件对返回 409。"
    ),
)
SuspectDismissView = _decision_view(
    "dismiss",
    integrity_services.dismiss,
    "排除疑似重复",
    (
        "综治办排除这一对疑似重复:以后不再提示;理由可选,记入两起事件的办理记录。"
        "已处理过的事件对返回 409。"
    ),
)
