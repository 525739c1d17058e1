"""Who is calling: a session (the workbench, CSRF enforced) or a token (devices and systems).

`Authorization: Token <key>` or `Authorization: Bearer <key>`. A device token authenticates
as its person. A system token authenticates as a `SystemPrincipal`: not a person, but a
town-wide reader of its town (see models.py), so that the same selectors scope it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from gridcase.core import clock
from gridcase.org.models import Role
from gridcase.org.selectors import roles_in_force

from .models import ApiToken, hash_key

# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class SystemPrincipal:
    """The caller behind a system token: a town-wide reader of one town, with no person."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken):
        self.token = token
        self.town = token.town
        self.username = f"system:{token.pk}"
        self.display_name = token.name
        # The selectors read a person's roles from this cache (org.selectors.roles_in_force): an
        # unsaved administrator role gives the town-wide read scope and no case action.
        self._gridcase_roles = [Role(town=token.town, kind=Role.Kind.ADMINISTRATOR)]

    def __str__(self) -> str:
        return f"系统令牌「{self.token.name}」"

    def get_username(self) -> str:
        return self.username


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode("latin-1") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("令牌格式不正确:应为 “Authorization: Token <令牌>”")
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确")) from None
        return authenticate_key(key)

    def authenticate_header(self, request) -> str:
        return 'Token realm="api"'


def authenticate_key(key: str) -> tuple[object, ApiToken]:
    now = clock.now()
    token = (
        ApiToken.objects.select_related("user", "town")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已撤销"))
    if token.kind == ApiToken.Kind.DEVICE:
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("令牌所属人员已停用"))
        # A device acts as its person: once every role of theirs has ended (a departed
        # officer), the device is refused, not merely shown nothing. Superusers hold no role.
        if not token.user.is_superuser and not roles_in_force(token.user):
            raise exceptions.AuthenticationFailed(_("令牌所属人员已无在任角色"))
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    principal = SystemPrincipal(token) if token.is_system else token.user
    return principal, token
