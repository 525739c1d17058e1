"""Every error of the API as `{"code": ..., "message": ..., "fields": {...}}`.

`code` is stable and meant for programs; `message` is Chinese and meant for people; `fields`
maps a field (dotted for nested ones: `parties.1.phone`) to its messages. The services' errors
keep their own reasons: an action refused in the workbench is refused here in the same words.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from gridcase.cases.errors import ActionNotAllowed, CaseError, Conflict

log = logging.getLogger(__name__)

CODES = {
    "invalid": "请求内容有误",
    "parse_error": "请求内容无法解析",
    "unauthenticated": "请先登录或提供有效的令牌",
    "permission_denied": "无权执行此操作",
    "csrf_failed": "CSRF 校验失败",
    "not_allowed": "当前不能执行此操作",
    "not_found": "未找到",
    "method_not_allowed": "不支持该请求方法",
    "not_acceptable": "无法按所要求的格式返回",
    "conflict": "数据已被他人修改",
    "stale": "事件已被修改,操作未执行(version 为当前版本)",
    "client_id_conflict": "终端编号 client_id 已用于另一事件或内容不同的请求",
    "payload_too_large": "请求内容过大",
    "unsupported_media_type": "不支持该请求内容类型",
    "idempotency_mismatch": "幂等键已用于另一个请求",
    "throttled": "请求过于频繁",
    "server_error": "服务器内部错误",
}


class IdempotencyMismatch(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_mismatch"
    default_detail = "该 Idempotency-Key 已用于内容不同的请求:请为新的请求使用新的键"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "请求内容过大"


NOT_FOUND_MESSAGE = "未找到:该对象不存在,或不在您的权限范围内"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": fields or {}}


def flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {dotted.field: [messages]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            # A nested object's own errors belong to the field that holds it: `parties`.
            inner = prefix if key == "non_field_errors" and prefix else f"{prefix}{key}."
            for k, v in flatten(value, inner).items():
                fields.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields[prefix.rstrip(".") or "non_field_errors"] = [str(item) for item in detail]
        else:
            for i, item in enumerate(detail):
                for k, v in flatten(item, f"{prefix}{i}.").items():
                    fields.setdefault(k, []).extend(v)
    elif detail is not None and str(detail):
        fields[prefix.rstrip(".") or "non_field_errors"] = [str(detail)]
    return fields


def _validation_message(fields: dict[str, list[str]]) -> str:
    if not fields:
        return CODES["invalid"]
    name, messages = next(iter(fields.items()))
    first = messages[0] if messages else ""
    if name == "non_field_errors":
        return f"{CODES['invalid']}:{first}"
    return f"{CODES['invalid']}:{name}: {first}"


def _from_api_exception(exc: exceptions.APIException) -> tuple[int, dict]:
    status_code = exc.status_code
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten(exc.detail)
        return status_code, error_body("invalid", _validation_message(fields), fields)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if isinstance(exc, exceptions.ParseError):
        return status_code, error_body("parse_error", f"{CODES['parse_error']}:{detail}")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF answers 403 when no authenticator can ask for credentials; keep its status.
        message = (
            detail if isinstance(exc, exceptions.AuthenticationFailed) else CODES["unauthenticated"]
        )
        return status_code, error_body("unauthenticated", message)
    if isinstance(exc, exceptions.PermissionDenied):
        if detail.startswith("CSRF Failed"):
            message = _("CSRF 校验失败:请刷新页面后重试(网页请求须带 X-CSRFToken 请求头)")
            return status_code, error_body("csrf_failed", message)
        return status_code, error_body("permission_denied", detail)
    if isinstance(exc, exceptions.NotFound):
        # A view may say what was not found; DRF's own "未找到。" says less than ours.
        custom = detail != str(exceptions.NotFound.default_detail)
        return status_code, error_body("not_found", detail if custom else NOT_FOUND_MESSAGE)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return status_code, error_body("method_not_allowed", detail)
    if isinstance(exc, exceptions.NotAcceptable):
        return status_code, error_body("not_acceptable", detail)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return status_code, error_body("unsupported_media_type", detail)
    if isinstance(exc, exceptions.Throttled):
        return status_code, error_body("throttled", detail)
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else "invalid"
    return status_code, error_body(code if code in CODES else "invalid", detail)


def translate(exc: Exception) -> tuple[int, dict] | None:
    """(status, body) for an exception the API knows, or None."""
    if isinstance(exc, ActionNotAllowed):
        return 403, error_body("not_allowed", exc.message, exc.fields)
    if isinstance(exc, Conflict):
        # stale (with the current `version`), client_id_conflict (with the case's `number`
        # when the caller may see it), or conflict: someone acted first.
        body = error_body(exc.code, exc.message, exc.fields)
        return 409, body | getattr(exc, "extra", {})
    if isinstance(exc, CaseError):
        return 400, error_body("invalid", exc.message, exc.fields)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return 404, error_body("not_found", NOT_FOUND_MESSAGE)
    if isinstance(exc, DjangoValidationError):
        fields = flatten(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return 400, error_body("invalid", _validation_message(fields), fields)
    if isinstance(exc, SuspiciousOperation):
        return 400, error_body("parse_error", f"{CODES['parse_error']}:{exc}")
    if isinstance(exc, exceptions.APIException):
        return _from_api_exception(exc)
    return None


def exception_handler(exc: Exception, context) -> Response:
    with translation.override("zh-hans"):
        known = translate(exc)
        if known is None:
            log.exception("unexpected error in the API", exc_info=exc)
            status_code, body = 500, error_body("server_error", CODES["server_error"])
        else:
            status_code, body = known
    headers = {}
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    return Response(body, status=status_code, headers=headers)
