"""The assessment over HTTP: results, statements, the quarter's life, appeals, adjustments.

Everything calls gridcase.assessment (services, quarter, selectors, exports), which checks the
roles: the governance office finalises, decides appeals and adjusts; the leader approves or
sends back; an officer appeals and sees their own statement. The pay of people is for people:
a system token gets 403 here.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from gridcase.assessment import exports, selectors
from gridcase.assessment import quarter as quarters
from gridcase.assessment import services as assessment
from gridcase.assessment.adjustments import adjustment_add
from gridcase.assessment.appeals import appeal_decide, appeal_file
from gridcase.assessment.common import check_month, check_quarter
from gridcase.assessment.models import Appeal
from gridcase.cases.errors import ActionNotAllowed
from gridcase.core import clock
from gridcase.org.models import User

from ..idempotency import idempotent
from ..permissions import IsPerson, TokenScope
from ..queries import towns_in_scope
from ..serializers import assessment as shapes
from .attachments import PassthroughRenderer
from .base import ApiView, bounded_query, case_or_404
from .common import IDEMPOTENCY_PARAMETER, NUMBER_PARAMETER

TAG = ["考核 assessment"]
QUARTER_PARAMETER = OpenApiParameter(
    "quarter",
    str,
    OpenApiParameter.PATH,
    description="季度 YYYY-Qn,如 2026-Q4",
    pattern=shapes.QUARTER_VALIDATOR.regex.pattern,
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _town(request, code: str | None):
    towns = towns_in_scope(request.user)
    if code:
        towns = [t for t in towns if t.code == code]
        if not towns:
            raise NotFound()
    if not towns:
        raise ActionNotAllowed("您不属于任何镇,不能查看考核")
    if len(towns) > 1:
        raise ValidationError({"town": ["您在多个镇任职,请指定镇代码"]})
    return towns[0]


def _months(query: dict) -> list[str]:
    if query.get("month"):
        return [check_month(query["month"])]
    return clock.quarter_months(check_quarter(query["quarter"]))


def _require_whole_town(request, town) -> None:
    if not selectors.sees_whole_town(request.user, town):
        raise ActionNotAllowed("只有镇政法综治办、政法分管领导和管理员可以查看全镇的考核")


class AssessmentView(ApiView):
    permission_classes = [IsAuthenticated, IsPerson, TokenScope]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The quarter in the address, exactly as the schema's pattern says ("2026-q4" too is
        # refused): 400 naming it, not the 404 a stricter URL converter would give.
        quarter = kwargs.get("quarter")
        if quarter is not None and not shapes.QUARTER_VALIDATOR.regex.fullmatch(quarter):
            raise ValidationError({"quarter": [shapes.QUARTER_VALIDATOR.message]})


class ResultView(AssessmentView):
    @extend_schema(
        tags=TAG,
        operation_id="assessment_result",
        summary="考核结果(一个月或一个季度)",
        description=(
            "按考核办法计算每名网格专管员的报酬,逐件说明。已定稿的季度取定稿快照。"
            "综治办、分管领导、管理员看到全镇;网格专管员只看到本人。不保存任何内容。"
        ),
        parameters=[shapes.PeriodQuerySerializer],
        responses={200: shapes.PeriodResultSerializer},
    )
    def get(self, request):
        query = bounded_query(shapes.PeriodQuerySerializer, request)
        town = _town(request, query.get("town"))
        result = assessment.assess_period(town=town, months=_months(query))
        return Response(shapes.period_data(selectors.visible_result(result, request.user)))


class StatementView(AssessmentView):
    @extend_schema(
        tags=TAG,
        operation_id="assessment_statement",
        summary="个人报酬明细",
        description="一名网格专管员在一个月或季度的报酬明细;专管员只能查看本人的。",
        parameters=[
            OpenApiParameter("officer", int, OpenApiParameter.PATH, description="人员 id"),
            shapes.PeriodQuerySerializer,
        ],
        responses={200: shapes.OfficerResultSerializer},
    )
    def get(self, request, officer):
        query = bounded_query(shapes.PeriodQuerySerializer, request)
        town = _town(request, query.get("town"))
        result = assessment.assess_period(town=town, months=_months(query))
        visible = selectors.visible_result(result, request.user)
        mine = visible.officer(officer)
        if mine is None:
            raise NotFound("该期间没有这名网格专管员的考核结果,或您无权查看")
        data = shapes.period_data(visible)
        return Response(next(o for o in data["officers"] if o["officer_id"] == officer))


class QuarterView(AssessmentView):
    @extend_schema(
        tags=TAG,
        operation_id="assessment_quarter",
        summary="季度考核状态",
        parameters=[QUARTER_PARAMETER, shapes.TownQuerySerializer],
        responses={200: shapes.QuarterSerializer},
    )
    def get(self, request, quarter):
        query = bounded_query(shapes.TownQuerySerializer, request)
        town = _town(request, query.get("town"))
        _require_whole_town(request, town)
        return Response(quarter_data(town, quarter))


def quarter_data(town, code):
    return shapes.QuarterSerializer(
        shapes.quarter_data(quarters.quarter_status(town=town, quarter=code))
    ).data


def _quarter_action(name, input_class, perform, summary, description):
    class View(AssessmentView):
        @extend_schema(
            tags=TAG,
            operation_id=f"assessment_quarter_{name}",
            summary=summary,
            description=description,
            parameters=[QUARTER_PARAMETER, IDEMPOTENCY_PARAMETER],
            request=input_class,
            responses={200: shapes.QuarterSerializer},
        )
        @idempotent
        def post(self, request, quarter):
            serializer = input_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            town = _town(request, data.pop("town", None))
            perform(town=town, quarter=quarter, by=request.user, **data)
            return Response(quarter_data(town, quarter))

    View.__name__ = View.__qualname__ = f"Quarter{name.title()}View"
    return View


QuarterFinaliseView = _quarter_action(
    "finalise",
    shapes.TownInputSerializer,
    quarters.quarter_finalise,
    "定稿",
    "综治办在本季度所有事件的办理期限过后定稿,冻结结果;有未处理的申诉时不能定稿。",
)
QuarterApproveView = _quarter_action(
    "approve",
    shapes.ApproveSerializer,
    quarters.quarter_approve,
    "审批",
    "政法分管领导审批已定稿的季度;审批后工资表为最终结果。",
)
QuarterReopenView = _quarter_action(
    "reopen",
    shapes.ReopenSerializer,
    quarters.quarter_reopen,
    "退回定稿",
    "政法分管领导将已定稿、未审批的季度退回更正,须写明原因。",
)


class PayrollView(AssessmentView):
    renderer_classes = [JSONRenderer, PassthroughRenderer]

    @extend_schema(
        tags=TAG,
        operation_id="assessment_payroll",
        summary="工资表(XLSX)",
        description="季度工资表:每人一行(各月、合计、签字栏),每人一页事件明细。",
        parameters=[QUARTER_PARAMETER, shapes.TownQuerySerializer],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="工作簿")},
    )
    def get(self, request, quarter):
        query = bounded_query(shapes.TownQuerySerializer, request)
        town = _town(request, query.get("town"))
        _require_whole_town(request, town)
        code = check_quarter(quarter)
        result = assessment.assess_period(town=town, months=clock.quarter_months(code))
        response = HttpResponse(exports.render_xlsx(result), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="payroll-{town.code}-{code}.xlsx"'
        return response


class CaseAppealsView(AssessmentView):
    @extend_schema(
        tags=TAG,
        operation_id="cases_appeal",
        summary="对事件的考核结果申诉",
        description="录入该事件的网格专管员在季度定稿前申诉;申诉记入事件的办理记录。",
        parameters=[NUMBER_PARAMETER, IDEMPOTENCY_PARAMETER],
        request=shapes.AppealInputSerializer,
        responses={201: shapes.AppealSerializer},
    )
    @idempotent
    def post(self, request, number):
        case = case_or_404(request, number)
        serializer = shapes.AppealInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = appeal_file(case=case, by=request.user, reason=serializer.validated_data["reason"])
        return Response(shapes.AppealSerializer(appeal).data, status=201)


class AppealsView(AssessmentView):
    @extend_schema(
        tags=TAG,
        operation_id="assessment_appeals",
        summary="申诉列表",
        description="综治办、分管领导、管理员看到全镇的申诉;网格专管员看到本人的。",
        parameters=[shapes.AppealQuerySerializer],
        responses={200: shapes.AppealSerializer(many=True)},
    )
    def get(self, request):
        query = bounded_query(shapes.AppealQuerySerializer, request)
        town = _town(request, query.get("town"))
        code = check_quarter(query["quarter"]) if query.get("quarter") else None
        rows = selectors.appeals_of(town=town, quarter=code, status=query.get("status"))
        if not selectors.sees_whole_town(request.user, town):
            rows = rows.filter(filed_by=request.user)
        return Response(shapes.AppealSerializer(rows, many=True).data)


class AppealDecisionView(AssessmentView):
    @extend_schema(
        tags=TAG,
        operation_id="assessment_appeal_decide",
        summary="处理申诉",
        description="综治办采纳(记录更正)或不予采纳(须写理由);处理结果记入事件的办理记录。",
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="申诉 id"),
            IDEMPOTENCY_PARAMETER,
        ],
        request=shapes.AppealDecisionSerializer,
        responses={200: shapes.AppealSerializer},
    )
    @idempotent
    def post(self, request, pk):
        towns = [t.pk for t in towns_in_scope(request.user)]
        appeal = (
            Appeal.objects.select_related("town", "case__town", "filed_by", "decided_by")
            .filter(pk=pk, town_id__in=towns)
            .first()
        )
        if appeal is None:
            raise NotFound()
        serializer = shapes.AppealDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        appeal = appeal_decide(
            appeal=appeal,
            by=request.user,
            accept=data["accept"],
            note=data["note"],
            override=data["override"],
        )
        return Response(shapes.AppealSerializer(appeal).data)


class AdjustmentsView(AssessmentView):
    @extend_schema(
        tags=TAG,
        operation_id="assessment_adjustments",
        summary="计入本季度的调整",
        parameters=[QUARTER_PARAMETER, shapes.TownQuerySerializer],
        responses={200: shapes.AdjustmentSerializer(many=True)},
    )
    def get(self, request, quarter):
        query = bounded_query(shapes.TownQuerySerializer, request)
        town = _town(request, query.get("town"))
        _require_whole_town(request, town)
        code = check_quarter(quarter)
        rows = selectors.adjustments_of(town=town, quarter=code)
        return Response(shapes.AdjustmentSerializer(rows, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="assessment_adjustment_add",
        summary="录入调整",
        description=(
            "已审批的季度(路径中的季度)发现错误时,综治办录入调整金额和原因,"
            "计入其后第一个未定稿的季度。"
        ),
        parameters=[QUARTER_PARAMETER, IDEMPOTENCY_PARAMETER],
        request=shapes.AdjustmentInputSerializer,
        responses={201: shapes.AdjustmentSerializer},
    )
    @idempotent
    def post(self, request, quarter):
        serializer = shapes.AdjustmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        town = _town(request, data.pop("town", None))
        officer = User.objects.filter(pk=data["officer"]).first()
        if officer is None:
            raise ValidationError({"officer": ["没有这个人员"]})
        adjustment = adjustment_add(
            town=town,
            officer=officer,
            quarter=quarter,
            amount=data["amount"],
            reason=data["reason"],
            by=request.user,
        )
        return Response(shapes.AdjustmentSerializer(adjustment).data, status=201)
