"""The OpenAPI schema's shared parts: the token security scheme and every error response.

Rather than repeat the same error responses on each view, a post-processing hook adds them
to every operation, in the API's format for /api/ and in Open311's format for /open311/. The
schemathesis test (tests/api/test_schemathesis.py) holds the schema and the server to each other.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework.negotiation import DefaultContentNegotiation

from .errors import CODES
from .idempotency import HEADER, KEY_PATTERN
from .serializers.calendar import FIRST_YEAR, LAST_YEAR
from .serializers.common import StrictSerializer

ERROR_SCHEMA = {
    "type": "object",
    "description": "错误:code 供程序判断,message 为中文说明,fields 为出错的字段",
    "properties": {
        "code": {"type": "string", "enum": sorted(CODES)},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "version": {"type": "integer", "description": "stale:事件的当前版本"},
        "number": {
            "type": "string",
            "description": "client_id_conflict:已使用该编号的事件(仅当调用者可见)",
        },
    },
    "required": ["code", "message", "fields"],
}

OPEN311_ERROR_SCHEMA = {
    "type": "array",
    "description": "Open311 错误列表",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}

DESCRIPTIONS = {
    "400": "请求内容有误(invalid、parse_error):fields 指出字段",
    "401": "未登录或令牌无效(unauthenticated)",
    "403": "无权执行(permission_denied、not_allowed 附原因、csrf_failed)",
    "404": "不存在,或不在调用者的权限范围内(not_found)",
    "406": "无法按 Accept 所要求的格式返回(not_acceptable)",
    "409": (
        "事件已被他人处理(conflict);请求所依据的 version 已不是当前版本(stale,version 为当前版本);"
        "终端编号 client_id 已用于另一事件或内容不同的录入(client_id_conflict,"
        "调用者可见该事件时 number 为其编号)"
    ),
    "413": "请求内容过大(payload_too_large)",
    "415": "不支持的请求内容类型(unsupported_media_type)",
    "422": "Idempotency-Key 已用于内容不同的请求(idempotency_mismatch)",
    "429": "请求过于频繁(throttled):Retry-After 为需等待的秒数",
}
WRITE_CODES = ("409", "413", "415", "422")


class FormatQueryNegotiation(DefaultContentNegotiation):
    """`?format=json` or `?format=yaml` picks the schema's format, as the docs and tools expect.

    The API as a whole turns DRF's format override off (URL_FORMAT_OVERRIDE: None: its views
    speak JSON only); the schema's view speaks both, so it reads the parameter itself.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        chosen = format_suffix or request.query_params.get("format")
        return super().select_renderer(request, renderers, chosen)


class SchemaView(SpectacularAPIView):
    """/api/schema/: YAML by default, JSON by `Accept` or `?format=json`."""

    content_negotiation_class = FormatQueryNegotiation


# gridcase.core.text refuses the characters XML cannot carry (the C0 controls but tab, newline
# and carriage return; U+FFFE, U+FFFF), and DRF strips a text before checking it is not blank:
# a text the server takes has a character that is neither of those nor white space.
_REFUSED = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff"
TEXT_PATTERN = f"^[^{_REFUSED}]*[^\\s{_REFUSED}][^{_REFUSED}]*$"
TEXT_OR_EMPTY_PATTERN = f"^[^{_REFUSED}]*$"


class TextFieldSchema(OpenApiSerializerFieldExtension):
    """The API's text fields (serializers.common.TextInput) in requests: the text rule as a
    pattern, so that what the schema allows the server takes."""

    target_class = "gridcase.api.serializers.common.TextInput"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        # A field with its own pattern (a RegexValidator, mapped by drf-spectacular after this
        # extension) keeps it.
        own = any(isinstance(v, RegexValidator) for v in self.target.validators)
        if direction == "request" and not own and "pattern" not in schema and "enum" not in schema:
            blank = getattr(self.target, "allow_blank", False)
            schema["pattern"] = TEXT_OR_EMPTY_PATTERN if blank else TEXT_PATTERN
        return schema


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "gridcase.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "请求头 `Authorization: Token <key>`(或 `Bearer <key>`)。"
                "设备令牌以本人身份调用;系统令牌以本镇只读身份调用(write 另可提交 Open311 上报)。"
            ),
        }


OPEN311_DESCRIPTIONS = {
    "400": "参数有误",
    "403": "api_key 无效,或无权执行",
    "404": "不存在(辖区、服务或上报)",
}
XML_SCHEMA = {"type": "string", "description": "GeoReport v2 的 XML"}


def _error_response(path: str, code: str) -> dict:
    if path.startswith("/open311/"):
        return {
            "description": OPEN311_DESCRIPTIONS.get(code, "错误"),
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Open311Errors"}},
                "text/xml": {"schema": XML_SCHEMA},
            },
        }
    return {
        "description": DESCRIPTIONS.get(code, "错误"),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def add_error_responses(result, generator, request, public):
    """Add the error responses an operation can give, unless it documents its own."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["Open311Errors"] = OPEN311_ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        open311 = path.startswith("/open311/")
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if open311:
                # Open311 answers 403 for a bad api_key (never 401) and picks the format by
                # the suffix (never 406); its XML is described in words, not as JSON Schema.
                codes = ["400", "403", "404"] + (["413", "415", "422"] if method == "post" else [])
                for response in operation.get("responses", {}).values():
                    if "text/xml" in response.get("content", {}):
                        response["content"]["text/xml"] = {"schema": XML_SCHEMA}
            else:
                codes = ["400", "401", "403", "404", "406"]
                if method != "get":
                    codes += WRITE_CODES
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, _error_response(path, code))
            for code, response in responses.items():
                # An error a view documents by its description only gets the error body too.
                if code >= "400" and not response.get("content"):
                    responses[code] = _error_response(path, code) | {
                        "description": response.get("description") or DESCRIPTIONS.get(code, "")
                    }
    return result


# ---------------------------------------------------------------- what the server enforces

# Calendar dates within FIRST_YEAR–LAST_YEAR (serializers.calendar refuses others): a
# `date` string has no minimum, so the years are a pattern.
assert (FIRST_YEAR, LAST_YEAR) == (2000, 2099)
CALENDAR_DATE_PATTERN = r"^20[0-9]{2}-"
OPEN311_LOCATION = (
    "须提供位置:lat 和 long(两者同时),或 address_string,或 address_id;并须提供 description。"
)


REQUIRED_BY_THE_SERVICES = [
    ("ReasonRequest", "reason"),  # void, return: "请填写原因"
    ("RequiredNoteRequest", "note"),  # escalate, urge: require_reason in cases.services
    ("AppealInputRequest", "reason"),  # "请填写申诉理由"
    ("ReopenRequest", "reason"),  # "退回原因(必填)"
    ("AdjustmentInputRequest", "reason"),  # "调整原因(必填)"
]


def _strict_components(generator) -> set[str]:
    """The request components whose serializer refuses unknown keys (StrictSerializer)."""
    names = set()
    for component in generator.registry._components.values():
        target = component.object
        cls = target if isinstance(target, type) else type(target)
        if component.type == "schemas" and issubclass(cls, StrictSerializer):
            names.add(component.name)
    return names


def _walk_operations(result):
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def state_server_rules(result, generator, request, public):
    """Say in the schema what the server enforces, so clients generated from it are not refused.

    - every request body that a StrictSerializer reads: `additionalProperties: false`;
    - `Idempotency-Key`: 1–255 printable ASCII characters without spaces (idempotency.py);
    - the calendar's dates: years 2000–2099;
    - exactly one of `month` and `quarter` on the result and the statements (described: query
      parameters cannot be combined by oneOf in OpenAPI 3.0);
    - Open311 POST: a location (anyOf) and lat with long.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name in _strict_components(generator):
        if name in schemas and schemas[name].get("type") == "object":
            schemas[name]["additionalProperties"] = False
    for path, _method, operation in _walk_operations(result):
        names = {p["name"] for p in operation.get("parameters", [])}
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "header" and parameter["name"] == HEADER:
                parameter["schema"] = {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255,
                    "pattern": f"^{KEY_PATTERN.pattern.replace('{1,255}', '+')}$",
                }
            if path.startswith("/api/v1/calendar/") and parameter["name"] in ("from", "to"):
                parameter["schema"]["pattern"] = CALENDAR_DATE_PATTERN
                parameter["description"] += f"({FIRST_YEAR}–{LAST_YEAR} 年)"
        if {"month", "quarter"} <= names and "/assessment/" in path and "suspects" not in path:
            operation["description"] = (
                operation.get("description", "") + "\n\n**month 与 quarter 必须且只能给出一个**,"
                "两者都给或都不给时返回 400。"
            ).strip()
    # Texts the serializers leave optional so that the workflow refuses an empty one in its own
    # words (cases.services, assessment): required all the same, and the schema says so.
    for name, field in REQUIRED_BY_THE_SERVICES:
        component = schemas.get(name)
        if component is not None and field in component.get("properties", {}):
            prop = component["properties"][field]
            component["properties"][field] = {
                key: value for key, value in prop.items() if key not in ("oneOf", "default")
            } | {"type": "string", "minLength": 1, "pattern": TEXT_PATTERN}
            if "maxLength" in str(prop):
                lengths = [o.get("maxLength") for o in prop.get("oneOf", [prop])]
                component["properties"][field]["maxLength"] = max(x for x in lengths if x)
            component.setdefault("required", []).append(field)
    create = schemas.get("RequestCreateRequest")
    if create is not None:
        lat_without_long = {"required": ["lat"], "not": {"required": ["long"]}}
        long_without_lat = {"required": ["long"], "not": {"required": ["lat"]}}
        create["description"] = OPEN311_LOCATION
        create["anyOf"] = [
            {"required": ["lat", "long"]},
            {"required": ["address_string"]},
            {"required": ["address_id"]},
        ]
        create["not"] = {"anyOf": [lat_without_long, long_without_lat]}
    return result
