"""API tokens and idempotency keys.

A token's secret is shown once, when it is created; only its SHA-256 is stored, so a copy of
the database does not let anyone call the API. Two kinds:

- a *device* token belongs to a person and acts as that person (their roles, their scope);
- a *system* token belongs to a town and is created by an administrator for another system
  (the province's platform, an Open311 client): *read* sees the town's submitted cases as a
  town-wide reader with masked phone numbers; *write* may also file citizen reports through
  Open311. A system token never takes a case action: those need a person.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcase.core import limits
from gridcase.org.models import Town

TOKEN_PREFIX = "gct_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def new_key() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        DEVICE = "device", _("个人设备令牌")
        SYSTEM = "system", _("系统令牌")

    class Scope(models.TextChoices):
        READ = "read", _("只读")
        WRITE = "write", _("读写")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(
        _("名称"), max_length=limits.TOKEN_NAME, help_text=_("例如:张三的手机、省平台对接")
    )
    scope = models.CharField(_("权限"), max_length=10, choices=Scope.choices)
    # The first characters of the key, so a person can tell their tokens apart.
    prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("所属人员"),
    )
    town = models.ForeignKey(
        Town,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("所属镇"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="device", user__isnull=False, town__isnull=True))
                | models.Q(kind="system", town__isnull=False, user__isnull=True),
                name="api_token_device_has_user_system_has_town",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, **fields) -> tuple[ApiToken, str]:
        """Create a token; return it with its key, which is never stored and never shown again."""
        key = new_key()
        token = cls.objects.create(key_hash=hash_key(key), prefix=key[:12], **fields)
        return token, key

    @property
    def is_system(self) -> bool:
        return self.kind == self.Kind.SYSTEM


class IdempotencyKey(models.Model):
    """The first successful response to a POST sent with an `Idempotency-Key` header.

    The row is written in the same transaction as the work it records, so a concurrent
    duplicate waits on the unique constraint and then replays the committed response.
    """

    principal = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    body = models.TextField()
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
