"""Open311 GeoReport v2 at /open311/v2/ (see gridcase/api/open311.py for the decisions)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, parsers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from gridcase.cases.models import Category, Level
from gridcase.cases.workflow import LEVEL_LABELS
from gridcase.org.models import Town

from .. import open311
from ..authentication import TokenAuthentication, authenticate_key
from ..errors import error_body, translate
from ..idempotency import idempotent
from ..parsers import JSONParser
from ..permissions import token_of
from ..serializers import open311 as shapes
from .base import ApiView, bounded_query
from .common import IDEMPOTENCY_PARAMETER

TAG = ["Open311 GeoReport v2"]
FORMAT_PARAMETER = OpenApiParameter(
    "fmt", str, OpenApiParameter.PATH, enum=["json", "xml"], description="json 或 xml"
)


class Open311KeyAuthentication(TokenAuthentication):
    """GeoReport's `api_key` parameter (query string, or the form body of a POST)."""

    def authenticate(self, request):
        key = request.query_params.get("api_key")
        if key is None and request.method == "POST":
            data = request.data
            key = data.get("api_key") if hasattr(data, "get") else None
        if key is None:
            return super().authenticate(request)
        if not isinstance(key, str) or not key.isascii() or len(key) > 200:
            raise exceptions.AuthenticationFailed("api_key 无效")
        principal, token = authenticate_key(key)
        if not token.is_system:
            raise exceptions.AuthenticationFailed("api_key 应为镇管理员创建的系统令牌")
        return principal, token


def open311_exception_handler(exc, context):
    """Errors as GeoReport v2 lists them: [{"code": 400, "description": "..."}]."""
    with translation.override("zh-hans"):
        known = translate(exc)
    if known is None:
        status, body = 500, error_body("server_error", "服务器内部错误")
    else:
        status, body = known
    if status == 401:
        status = 403  # GeoReport v2: "403 – Invalid api_key"
    description = body["message"]
    details = [f"{k}: {';'.join(v)}" for k, v in body["fields"].items()]
    if details and not any(d in description for d in details):
        description = f"{description}({';'.join(details)})"
    return Response(open311.errors(status, description), status=status)


class Open311View(ApiView):
    authentication_classes = [Open311KeyAuthentication]
    permission_classes = [AllowAny]
    renderer_classes = [open311.JSONRenderer, open311.XMLRenderer]
    parser_classes = [parsers.FormParser, parsers.MultiPartParser, JSONParser]
    content_negotiation_class = open311.SuffixNegotiation
    xml_root = "response"

    def get_exception_handler(self):
        return open311_exception_handler

    def get_format_suffix(self, **kwargs):
        # Not DRF's `format` kwarg: schema generators skip URLs ending in `.{format}`.
        return kwargs.get("fmt")

    def town(self, request, code: str | None) -> Town:
        token = token_of(request)
        if code:
            town = Town.objects.filter(code=code).first()
            if town is None:
                raise exceptions.NotFound(f"未知的 jurisdiction_id:{code}")
            return town
        if token is not None and token.is_system:
            return token.town
        towns = list(Town.objects.all()[:2])
        if len(towns) == 1:
            return towns[0]
        if not towns:
            raise exceptions.NotFound("尚未设置任何镇")
        raise exceptions.ValidationError({"jurisdiction_id": ["请提供 jurisdiction_id(镇代码)"]})

    def keyed_for(self, request, town: Town) -> bool:
        """Whether the caller holds a system token of this town (and so sees full requests)."""
        token = token_of(request)
        if token is None:
            return False
        if not token.is_system or token.town_id != town.pk:
            raise exceptions.PermissionDenied("api_key 不属于该辖区(jurisdiction_id)")
        return True


class DiscoveryView(Open311View):
    xml_root = "discovery"

    @extend_schema(
        tags=TAG,
        operation_id="open311_discovery",
        summary="服务发现",
        parameters=[FORMAT_PARAMETER],
        auth=[],
        responses={200: shapes.DiscoverySerializer},
    )
    def get(self, request, fmt):
        data = {
            "changeset": open311.CHANGESET,
            "contact": "镇社会服务管理中心",
            "key_service": "api_key(写权限的系统令牌)由本镇管理员在 /api/v1/system-tokens/ 创建",
            "endpoints": [
                {
                    "specification": open311.SPECIFICATION,
                    "url": f"{settings.SITE_URL}/open311/v2",
                    "changeset": open311.CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        return Response(data)


class ServicesView(Open311View):
    xml_root = "services"

    @extend_schema(
        tags=TAG,
        operation_id="open311_services",
        summary="服务列表(事件类别)",
        parameters=[FORMAT_PARAMETER, shapes.JurisdictionSerializer],
        auth=[],
        responses={200: shapes.ServiceSerializer(many=True)},
    )
    def get(self, request, fmt):
        query = bounded_query(shapes.JurisdictionSerializer, request)
        self.town(request, query.get("jurisdiction_id"))
        data = [
            {
                "service_code": code,
                "service_name": str(label),
                "description": open311.SERVICE_DESCRIPTIONS[code],
                "metadata": True,
                "type": "realtime",
                "keywords": open311.SERVICE_KEYWORDS[code],
                "group": open311.GROUP,
            }
            for code, label in Category.choices
        ]
        return Response(data)


class ServiceDefinitionView(Open311View):
    xml_root = "service_definition"

    @extend_schema(
        tags=TAG,
        operation_id="open311_service_definition",
        summary="服务定义(可填写的属性)",
        parameters=[FORMAT_PARAMETER, shapes.JurisdictionSerializer],
        auth=[],
        responses={200: shapes.ServiceDefinitionSerializer},
    )
    def get(self, request, code, fmt):
        query = bounded_query(shapes.JurisdictionSerializer, request)
        town = self.town(request, query.get("jurisdiction_id"))
        if code not in Category.values:
            raise exceptions.NotFound(f"未知的 service_code:{code}")
        return Response(open311.service_definition(town, code))


class RequestsView(Open311View):
    xml_root = "service_requests"

    @extend_schema(
        tags=TAG,
        operation_id="open311_requests_list",
        summary="查询上报",
        description=(
            "不带 api_key:只列出通过 Open311 上报的事件的状态(不含描述和地点)。"
            "带本镇的系统令牌:列出本镇全部已提交的事件,含描述、地点和坐标(不含当事人)。"
            "默认最近 90 天,最多 1000 条,最新的在前。"
        ),
        parameters=[FORMAT_PARAMETER, shapes.RequestsQuerySerializer],
        auth=[],
        responses={200: shapes.ServiceRequestSerializer(many=True)},
    )
    def get(self, request, fmt):
        query = bounded_query(shapes.RequestsQuerySerializer, request)
        town = self.town(request, query.get("jurisdiction_id"))
        full = self.keyed_for(request, town)
        qs = open311.requests_queryset(town, full=full)
        qs = open311.filter_requests(qs, query, town.timezone)
        cases = qs.order_by("-submitted_at", "-id")[: open311.MAX_RESULTS]
        return Response([open311.request_data(case, full=full) for case in cases])

    @extend_schema(
        tags=TAG,
        operation_id="open311_requests_create",
        summary="提交上报",
        description=(
            "以写权限的系统令牌为 api_key,提交一件群众上报:在行政村(attribute[village] 优先;"
            "否则为 lat/long 所在的行政村和网格,按本镇的边界数据;再否则为 address_string 中"
            "出现的村名)生成一件已提交、待网格专管员受理的事件。lat/long 为 WGS-84"
            "(GeoReport v2 的规定);扩展字段 crs 可声明 gcj02(高德、腾讯、微信)或 bd09(百度),"
            "保存前换算为 WGS-84。缺少的要素记入事件的 missing_elements。"
        ),
        parameters=[FORMAT_PARAMETER, IDEMPOTENCY_PARAMETER],
        request={
            "application/x-www-form-urlencoded": shapes.RequestCreateSerializer,
            "multipart/form-data": shapes.RequestCreateSerializer,
            "application/json": shapes.RequestCreateSerializer,
        },
        auth=[],
        responses={201: shapes.ServiceRequestCreatedSerializer(many=True)},
    )
    @idempotent
    def post(self, request, fmt):
        token = token_of(request)
        if token is None:
            raise exceptions.PermissionDenied("请提供 api_key(写权限的系统令牌)")
        serializer = shapes.RequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        town = self.town(request, data.get("jurisdiction_id"))
        self.keyed_for(request, town)
        if token.scope != token.Scope.WRITE:
            raise exceptions.PermissionDenied("该 api_key 只有读权限,不能提交上报")
        point = open311.report_point(data)
        placed = open311.place_report(
            town, data.get("attribute[village]"), data.get("address_string", ""), point
        )
        if placed is None:
            raise exceptions.ValidationError(
                {
                    "attribute[village]": [
                        "无法确定事件所在的行政村:请在 attribute[village] 中填写行政村的 id 或名称"
                        "(见 services/{service_code}),或提供本镇边界内的 lat/long(WGS-84),"
                        "或在 address_string 中写明村名"
                    ]
                }
            )
        village, grid = placed
        report = {
            key: data[key]
            for key in (
                "description",
                "address_string",
                "lat",
                "long",
                "first_name",
                "last_name",
                "phone",
                "email",
                "device_id",
                "account_id",
                "media_url",
            )
            if key in data
        }
        if point is not None:
            report["lat"], report["long"] = point  # WGS-84, whatever `crs` said
        report["occurred_at"] = data.get("attribute[occurred_at]")
        report["persons"] = data.get("attribute[persons]", "")
        report["cause"] = data.get("attribute[cause]", "")
        case = open311.open311_submit(
            town=town,
            token_name=token.name,
            category=data["service_code"],
            village=village,
            grid=grid,
            report=report,
        )
        notice = (
            f"已转{village.name}{LEVEL_LABELS[Level.GRID]}办理,"
            f"将于 {case.accept_due} 前受理。请用编号 {case.number} 查询办理进度。"
        )
        created = [
            {
                "service_request_id": case.number,
                "service_notice": notice,
                "account_id": data.get("account_id"),
            }
        ]
        return Response(created, status=201)


class RequestView(Open311View):
    xml_root = "service_requests"

    @extend_schema(
        tags=TAG,
        operation_id="open311_request",
        summary="查询一件上报",
        parameters=[FORMAT_PARAMETER, shapes.KeyedSerializer],
        auth=[],
        responses={200: shapes.ServiceRequestSerializer(many=True)},
    )
    def get(self, request, id, fmt):
        query = bounded_query(shapes.KeyedSerializer, request)
        town = self.town(request, query.get("jurisdiction_id"))
        full = self.keyed_for(request, town)
        case = open311.requests_queryset(town, full=full).filter(number=id).first()
        if case is None:
            raise exceptions.NotFound(f"未找到上报 {id}")
        return Response([open311.request_data(case, full=full)])


class TokenView(Open311View):
    xml_root = "service_requests"

    @extend_schema(
        tags=TAG,
        operation_id="open311_token",
        summary="由 token 查询上报编号",
        description="本系统在提交时即返回 service_request_id;token 即该编号。",
        parameters=[FORMAT_PARAMETER, shapes.KeyedSerializer],
        auth=[],
        responses={200: shapes.TokenLookupSerializer(many=True)},
    )
    def get(self, request, id, fmt):
        query = bounded_query(shapes.KeyedSerializer, request)
        town = self.town(request, query.get("jurisdiction_id"))
        full = self.keyed_for(request, town)
        case = open311.requests_queryset(town, full=full).filter(number=id).first()
        if case is None:
            raise exceptions.NotFound(f"未找到 token {id}")
        return Response([{"service_request_id": case.number, "token": case.number}])
