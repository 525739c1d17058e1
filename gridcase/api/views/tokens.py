"""Tokens: a person's device tokens, and an administrator's system tokens for their town.

A token is created only by a person who proves it with their password — from a signed-in
session (the workbench), or by signing in on the device (`auth/token`, rate-limited) — never
from another token, so a lost device's token cannot mint new ones. A token can be revoked
from a session or with any token of the same person (a device signing itself out). Token
creation is not idempotent on purpose: replaying it would mean storing the key.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationError,
)
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from gridcase.core import signin
from gridcase.org.selectors import administered_towns

from ..models import ApiToken
from ..permissions import IsPerson, token_of
from ..serializers.tokens import (
    SignInSerializer,
    SystemTokenInputSerializer,
    TokenCreatedSerializer,
    TokenInputSerializer,
    TokenSerializer,
)
from ..throttling import ScopedAddressThrottle
from ..tokens import token_issue, token_revoke
from .base import ApiView

TAG = ["令牌 tokens"]
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="令牌 id")


def _require_session(request) -> None:
    if token_of(request) is not None:
        raise PermissionDenied("创建令牌需要登录网页工作台(不能用令牌创建令牌)")


def _revoke(token: ApiToken, by) -> None:
    token_revoke(by=by, tokens=[token])


class DeviceTokensView(ApiView):
    permission_classes = [IsPerson]

    @extend_schema(
        tags=TAG,
        operation_id="tokens_list",
        summary="我的设备令牌",
        responses={200: TokenSerializer(many=True)},
    )
    def get(self, request):
        tokens = ApiToken.objects.filter(
            kind=ApiToken.Kind.DEVICE, user=request.user
        ).select_related("user", "town")
        return Response(TokenSerializer(tokens, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="tokens_create",
        summary="创建设备令牌",
        description=(
            "为本人的一台设备(如移动终端)创建令牌。令牌以本人的身份和权限调用接口;"
            "key 只在这次响应中出现。须在网页工作台登录后调用(会话 + CSRF)。"
        ),
        request=TokenInputSerializer,
        responses={201: TokenCreatedSerializer},
    )
    def post(self, request):
        _require_session(request)
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = token_issue(
            by=request.user,
            kind=ApiToken.Kind.DEVICE,
            user=request.user,
            **serializer.validated_data,
        )
        token.key = key
        return Response(TokenCreatedSerializer(token).data, status=201)


class DeviceTokenView(ApiView):
    permission_classes = [IsPerson]

    @extend_schema(
        tags=TAG,
        operation_id="tokens_revoke",
        summary="撤销设备令牌",
        description="撤销后该令牌立即失效。可用会话调用,也可用本人的任一令牌调用(设备退出登录)。",
        parameters=[ID_PARAMETER],
        request=None,
        responses={204: OpenApiResponse(description="已撤销")},
    )
    def delete(self, request, pk):
        token = ApiToken.objects.filter(pk=pk, kind=ApiToken.Kind.DEVICE, user=request.user).first()
        if token is None:
            raise NotFound()
        _revoke(token, request.user)
        return Response(status=204)


class SystemTokensView(ApiView):
    permission_classes = [IsPerson]

    @extend_schema(
        tags=TAG,
        operation_id="system_tokens_list",
        summary="系统令牌",
        description="管理员所管理的镇的系统令牌。",
        responses={200: TokenSerializer(many=True)},
    )
    def get(self, request):
        towns = administered_towns(request.user)
        if not towns:
            raise PermissionDenied("只有本镇的管理员可以管理系统令牌")
        tokens = ApiToken.objects.filter(kind=ApiToken.Kind.SYSTEM, town__in=towns).select_related(
            "user", "town"
        )
        return Response(TokenSerializer(tokens, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="system_tokens_create",
        summary="创建系统令牌",
        description=(
            "管理员为外部系统(省平台、Open311 客户端)创建本镇的令牌。"
            "read:以全镇只读身份读取已提交的事件,电话号码打码,不能办理;"
            "write:另可作为 Open311 的 api_key 提交群众上报。key 只显示这一次。"
        ),
        request=SystemTokenInputSerializer,
        responses={201: TokenCreatedSerializer},
    )
    def post(self, request):
        _require_session(request)
        towns = administered_towns(request.user)
        if not towns:
            raise PermissionDenied("只有本镇的管理员可以创建系统令牌")
        serializer = SystemTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        code = data.pop("town", None)
        if code:
            town = next((t for t in towns if t.code == code), None)
            if town is None:
                raise ValidationError({"town": ["您不是该镇的管理员"]})
        elif len(towns) == 1:
            town = towns[0]
        else:
            raise ValidationError({"town": ["您管理多个镇,请指定镇代码"]})
        token, key = token_issue(by=request.user, kind=ApiToken.Kind.SYSTEM, town=town, **data)
        token.key = key
        return Response(TokenCreatedSerializer(token).data, status=201)


class SystemTokenView(ApiView):
    permission_classes = [IsPerson]

    @extend_schema(
        tags=TAG,
        operation_id="system_tokens_revoke",
        summary="撤销系统令牌",
        parameters=[ID_PARAMETER],
        request=None,
        responses={204: OpenApiResponse(description="已撤销")},
    )
    def delete(self, request, pk):
        towns = administered_towns(request.user)
        token = ApiToken.objects.filter(pk=pk, kind=ApiToken.Kind.SYSTEM, town__in=towns).first()
        if token is None:
            raise NotFound()
        _revoke(token, request.user)
        return Response(status=204)


class SignInLocked(Throttled):
    """Too many failed sign-ins for this account or from this address (django-axes)."""

    def __init__(self, wait):
        with translation.override("zh-hans"):  # the API's messages are Chinese
            super().__init__(detail=signin.wait_message(wait))
        self.wait = signin.wait_seconds(wait)  # Retry-After (gridcase.api.errors)


class SignInView(ApiView):
    """The mobile terminal's sign-in: a password for a device token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedAddressThrottle]
    throttle_scope = "sign_in"

    def get_authenticate_header(self, request):
        return 'Token realm="api"'

    @extend_schema(
        tags=TAG,
        operation_id="auth_token",
        summary="设备登录:用密码换取设备令牌",
        description=(
            "移动终端用本人的用户名和密码登录,得到一个设备令牌(key 只显示这一次)。"
            "每个来源地址每分钟最多请求 10 次;同一账号或同一来源地址连续输错密码 10 次后"
            "锁定 15 分钟(数值可配置),锁定期间即使密码正确也返回 429,"
            "Retry-After 为需等待的秒数,message 用中文说明需等待多久。"
        ),
        auth=[],
        request=SignInSerializer,
        responses={
            201: TokenCreatedSerializer,
            429: OpenApiResponse(
                description="尝试过于频繁或账号、地址已锁定(throttled);Retry-After 为需等待的秒数"
            ),
        },
    )
    def post(self, request):
        serializer = SignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        username = data.pop("username")
        # Through Django's authenticate with the request, so that django-axes counts it.
        user = authenticate(request._request, username=username, password=data.pop("password"))
        if getattr(request._request, "axes_locked_out", False):
            # Answered here in the API's format; the lockout page is for the workbench.
            setattr(request._request, signin.ANSWERED, True)
            raise SignInLocked(signin.lockout_wait(request._request, username))
        if user is None or not user.is_active:
            raise AuthenticationFailed("用户名或密码不正确")
        token, key = token_issue(by=user, kind=ApiToken.Kind.DEVICE, user=user, **data)
        token.key = key
        return Response(TokenCreatedSerializer(token).data, status=201)
