"""Cases: list with the workbench's filters, detail, create and update a draft."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError

from gridcase.cases import filing
from gridcase.cases.deadlines import town_days
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.org.models import Grid

from ..idempotency import idempotent
from ..queries import case_list, towns_in_scope
from ..serializers.cases import (
    CaseDetailSerializer,
    CaseDraftSerializer,
    CaseFilterSerializer,
    CaseListSerializer,
    CaseUpdateSerializer,
)
from .base import ApiView, CursorPagination, bounded_query, case_or_404
from .common import (
    IDEMPOTENCY_PARAMETER,
    NUMBER_PARAMETER,
    case_response,
    check_posted_version,
    precheck,
)

TAG = ["事件 cases"]


def _draft_payload(data: dict, *, town, village=None) -> dict:
    """The validated input as the service expects it (rows instead of ids)."""
    payload = {k: v for k, v in data.items() if k not in ("village", "grid")}
    if village is not None:
        payload["village"] = village
    if data.get("grid") is not None:
        grid = Grid.objects.filter(pk=data["grid"], village__town=town).first()
        if grid is None or (village is not None and grid.village_id != village.pk):
            raise ValidationError({"grid": ["网格不存在或不属于所选行政村"]})
        payload["grid"] = grid
    return payload


def _draft_place(user, data: dict):
    """Where a new draft goes (cases.filing.draft_place); a refusal names its field (400),
    except that only officers enter cases (403)."""
    try:
        return filing.draft_place(user, village_id=data.get("village"), grid_id=data.get("grid"))
    except ActionNotAllowed:
        raise
    except CaseError as exc:
        raise ValidationError(exc.fields) from None


class CaseListView(ApiView):
    pagination_class = CursorPagination

    @extend_schema(
        tags=TAG,
        operation_id="cases_list",
        summary="事件列表",
        description=(
            "调用者权限范围内的事件,最新的在前,按游标分页。筛选条件与工作台一致。"
            "草稿只对录入的专管员本人可见。列表不含当事人;电话号码只在详情中对经办人显示。"
        ),
        parameters=[CaseFilterSerializer],
        responses={200: CaseListSerializer(many=True)},
    )
    def get(self, request):
        filters = bounded_query(CaseFilterSerializer, request)
        towns = towns_in_scope(request.user)
        days = town_days(towns)
        qs = case_list(request.user, filters, towns, days)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = CaseListSerializer(page, many=True, context={"days": days}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        tags=TAG,
        operation_id="cases_create",
        summary="录入事件(草稿)",
        description=(
            "网格专管员录入一件事件,保存为草稿。草稿可以不完整,但已填的内容必须格式正确"
            "(电话号码、日期、长度)。提交时再检查全部要素。\n\n"
            "坐标按 crs 所述的坐标系输入(默认 wgs84,即手机 GPS;高德、腾讯、微信为 gcj02,"
            "百度为 bd09),保存前换算为 WGS-84。行政村和网格:手动给出的 village、grid 优先;"
            "否则在有完整边界数据的镇按坐标所在的网格确定(坐标在专管员负责的另一网格时归该网格);"
            "坐标在专管员不负责的行政村或在全镇边界之外时返回 400(字段 latitude),"
            "可核对坐标或手动给出 village、grid;没有坐标时为专管员本人的行政村和网格。\n\n"
            "采集终端(离线录入)带 client_id:第一次 201;同一 client_id、同一内容再次发送返回 200"
            "和该事件的当前详情,响应头 Idempotent-Replayed: true(永久有效,不限 24 小时);"
            "同一 client_id、不同内容,或该编号为他人事件所用,返回 409 client_id_conflict"
            "(调用者可见该事件时附 number)。"
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=CaseDraftSerializer,
        responses={201: CaseDetailSerializer, 200: CaseDetailSerializer},
    )
    @idempotent
    def post(self, request):
        serializer = CaseDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client_id = data.pop("client_id", None)
        town, village = _draft_place(request.user, data)
        payload = _draft_payload(data, town=town, village=village)
        if client_id is None:
            case = filing.case_create_draft(town=town, by=request.user, data=payload)
            created = True
        else:
            case, created = filing.case_create_draft_once(
                town=town, by=request.user, data=payload, client_id=client_id
            )
        case = case_or_404(request, case.number)
        if created:
            return case_response(request, case, status=201)
        return case_response(request, case, replayed=True)


class CaseDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="cases_retrieve",
        summary="事件详情",
        description=(
            "事件的全部内容、办理记录(时间线)、附件、回访、延期申请,以及调用者现在可以执行的操作"
            "(allowed_actions)。不在调用者权限范围内的事件返回 404。"
        ),
        parameters=[NUMBER_PARAMETER],
        responses={200: CaseDetailSerializer},
    )
    def get(self, request, number):
        return case_response(request, case_or_404(request, number))

    @extend_schema(
        tags=TAG,
        operation_id="cases_update_draft",
        summary="修改草稿",
        description=(
            "只修改请求中给出的字段;只有草稿可以修改。当事人列表整体替换。"
            "草稿的行政村不变;坐标改变时按新坐标所在的网格(须在草稿的行政村内),"
            "手动给出的 grid 优先。坐标系见 crs。\n\n"
            "可带 version(所依据的版本):不是当前版本时返回 409 stale(附当前 version),不做修改。"
        ),
        parameters=[NUMBER_PARAMETER],
        request=CaseUpdateSerializer,
        responses={200: CaseDetailSerializer},
    )
    def patch(self, request, number):
        case = case_or_404(request, number)
        check_posted_version(request, case)
        precheck("edit", case, request.user)
        serializer = CaseUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        payload = _draft_payload(data, town=case.town, village=case.village)
        filing.case_update_draft(case=case, by=request.user, data=payload)
        return case_response(request, case)
