"""What a caller's credentials allow, before the services decide what their roles allow.

Roles are the services' business (a refused action is 403 `not_allowed` with the workflow's
reason); this module only limits what a *token* may do:

- a read token may only read (GET, HEAD, OPTIONS);
- a system token may only read here: its one write, filing a citizen report, goes through
  Open311 (views/open311.py), which checks the token's scope and town itself;
- token management and the assessment need a person (`IsPerson`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .authentication import SystemPrincipal
from .models import ApiToken


def token_of(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class TokenScope(permissions.BasePermission):
    message = _("该令牌无权执行此操作")

    def has_permission(self, request, view) -> bool:
        token = token_of(request)
        if token is None or request.method in permissions.SAFE_METHODS:
            return True
        if token.scope != ApiToken.Scope.WRITE:
            self.message = _("只读令牌不能修改数据")
            return False
        if token.is_system:
            self.message = _("系统令牌只能读取数据或通过 Open311 提交群众上报;办理事件需要个人账号")
            return False
        return True


class IsPerson(permissions.BasePermission):
    """A person (not a system token)."""

    message = _("此操作需要个人账号(系统令牌不能使用)")

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and not isinstance(request.user, SystemPrincipal)
        )
