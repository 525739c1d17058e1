"""API tokens: what is shown of them, and what is asked to create one."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridcase.core import clock, limits

from ..models import ApiToken
from .cases import PersonSerializer, _person
from .common import DateTimeField, StrictSerializer, TextField

MAX_LIFETIME = timedelta(days=3 * 366)


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ApiToken.Kind.choices)
    name = TextField()
    scope = serializers.ChoiceField(choices=ApiToken.Scope.choices)
    prefix = TextField(help_text="令牌的前几位,用于辨认")
    town = serializers.SerializerMethodField()
    user = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    active = serializers.SerializerMethodField()

    @extend_schema_field(TextField(allow_null=True))
    def get_town(self, token):
        return token.town.code if token.town_id else None

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_user(self, token):
        return _person(token.user) if token.user_id else None

    def get_active(self, token) -> bool:
        if token.revoked_at is not None:
            return False
        return token.expires_at is None or token.expires_at > clock.now()


class TokenCreatedSerializer(TokenSerializer):
    key = TextField(
        help_text="令牌本身:只在创建时显示这一次,服务器只保存其 SHA-256。"
        "使用方式:请求头 Authorization: Token <key>"
    )


class TokenInputSerializer(StrictSerializer):
    name = TextField(max_length=limits.TOKEN_NAME, help_text="用途,例如“张三的手机”")
    scope = serializers.ChoiceField(
        choices=ApiToken.Scope.choices, default=ApiToken.Scope.WRITE, required=False
    )
    expires_at = DateTimeField(
        allow_null=True, required=False, default=None, help_text="过期时间;不填则不过期"
    )

    def validate_expires_at(self, value):
        if value is None:
            return value
        now = clock.now()
        if value <= now:
            raise serializers.ValidationError("过期时间应晚于现在")
        if value - now > MAX_LIFETIME:
            raise serializers.ValidationError("令牌有效期最长三年")
        return value


class SystemTokenInputSerializer(TokenInputSerializer):
    scope = serializers.ChoiceField(
        choices=ApiToken.Scope.choices,
        help_text="read:读取本镇已提交的事件(电话号码打码);write:另可通过 Open311 提交群众上报",
    )
    town = TextField(
        max_length=limits.TOWN_CODE, required=False, help_text="镇代码;管理员只管理一个镇时可不填"
    )


class SignInSerializer(TokenInputSerializer):
    username = TextField(max_length=limits.USERNAME)
    password = TextField(max_length=200, trim_whitespace=False)
