"""Every write of the notification app that a person makes: channels, resending, reading.

The administrator (of the unit's town; or a superuser) configures the push channels of each
unit and resends failed deliveries. Everyone marks their own inbox read.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.core import audit, clock, limits
from gridcase.org.checks import administers
from gridcase.org.models import Town, Unit, User

from . import channels, messages, outbox
from .channels import destinations
from .channels import email as email_channel
from .models import ChannelConfig, Delivery, InboxItem, Notification

Kind = ChannelConfig.Kind


# ---------------------------------------------------------------- permission


def _require_admin(user: User, town_id: int) -> None:
    if not administers(user, town_id):
        raise ActionNotAllowed(_("只有本镇的管理员可以配置通知渠道和重新发送通知"))


# ---------------------------------------------------------------- channel configuration


def _audited(config: ChannelConfig) -> dict[str, Any]:
    """The channel as the audit trail keeps it: a robot's URL without its query (the key or
    access token is in it), and never the secret, only whether one is set."""
    target = config.target
    if config.kind != Kind.EMAIL and "?" in target:
        target = target.split("?", 1)[0] + "?…"
    return {
        "unit": config.unit_id,
        "kind": config.kind,
        "name": config.name,
        "target": target,
        # Stored as the message id; the audit page shows it in its reader's language.
        "secret": audit.SECRET_SET if config.secret else "",
        "enabled": config.enabled,
    }


def _record(action: str, by: User, config: ChannelConfig, before, after) -> None:
    audit.record(
        town=config.unit.town_id, by=by, action=action, obj=config, before=before, after=after
    )


def clean_channel(kind: str, target: str, secret: str, name: str) -> dict[str, Any]:
    """The channel's fields, cleaned; CaseError naming each wrong field (in the active
    language)."""
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("请选择渠道类型:电子邮件、企业微信、钉钉或通用 Webhook")]
    target = (target or "").strip()
    secret = (secret or "").strip()
    if not target:
        errors["target"] = [_("请填写地址") if kind != Kind.EMAIL else _("请填写收件邮箱")]
    elif kind == Kind.EMAIL:
        bad = []
        for address in email_channel.addresses(target):
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad or not email_channel.addresses(target):
            wrong = _("、").join(bad) or target
            errors["target"] = [_("邮箱地址不正确:%(addresses)s") % {"addresses": wrong}]
        target = ", ".join(email_channel.addresses(target))
    else:
        parsed = urllib.parse.urlparse(target)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            errors["target"] = [_("请填写以 http:// 或 https:// 开头的完整地址")]
        elif refused := destinations.host_refusal(parsed.hostname or ""):
            errors["target"] = [refused]
        elif kind == Kind.WECOM and "key=" not in parsed.query:
            errors["target"] = [
                _("企业微信机器人地址应包含 key=…(在群机器人设置中复制 Webhook 地址)")
            ]
        elif kind == Kind.DINGTALK and "access_token=" not in parsed.query:
            errors["target"] = [
                _("钉钉机器人地址应包含 access_token=…(在机器人设置中复制 Webhook)")
            ]
    if kind == Kind.WEBHOOK and not secret:
        errors["secret"] = [_("通用 Webhook 需要签名密钥(接收方用它校验 X-Gridcase-Signature)")]
    if kind == Kind.WEBHOOK and secret and len(secret) < limits.WEBHOOK_SECRET_MIN:
        errors["secret"] = [_("签名密钥至少 %(n)s 个字符") % {"n": limits.WEBHOOK_SECRET_MIN}]
    if kind == Kind.DINGTALK and secret and not secret.startswith("SEC"):
        errors["secret"] = [_("钉钉加签密钥以 SEC 开头(在机器人安全设置的“加签”一栏复制)")]
    if len(target) > limits.CHANNEL_TARGET:
        errors["target"] = [_("地址过长")]
    if len(secret) > limits.CHANNEL_SECRET:
        errors["secret"] = [_("密钥过长")]
    if errors:
        first = next(iter(errors.values()))
        raise CaseError(first[0], errors)
    return {"kind": kind, "target": target, "secret": secret, "name": (name or "").strip()[:100]}


@transaction.atomic
def channel_config_create(
    *,
    by: User,
    unit: Unit,
    kind: str,
    target: str,
    secret: str = "",
    name: str = "",
    enabled: bool = True,
) -> ChannelConfig:
    _require_admin(by, unit.town_id)
    clean = clean_channel(kind, target, secret, name)
    if ChannelConfig.objects.filter(unit=unit, kind=kind, target=clean["target"]).exists():
        raise CaseError(_("该单位已配置了相同的渠道地址"), {"target": [_("已配置了相同的地址")]})
    config = ChannelConfig.objects.create(unit=unit, enabled=bool(enabled), **clean)
    _record("channel.create", by, config, None, _audited(config))
    return config


@transaction.atomic
def channel_config_update(
    *,
    by: User,
    config: ChannelConfig,
    target: str | None = None,
    secret: str | None = None,
    name: str | None = None,
    enabled: bool | None = None,
) -> ChannelConfig:
    """Change a channel. A `secret` of None keeps the stored one (forms never show it)."""
    _require_admin(by, config.unit.town_id)
    before, old_secret = _audited(config), config.secret
    clean = clean_channel(
        config.kind,
        config.target if target is None else target,
        config.secret if secret is None else secret,
        config.name if name is None else name,
    )
    for field, value in clean.items():
        setattr(config, field, value)
    if enabled is not None:
        config.enabled = bool(enabled)
    config.save()
    after = _audited(config)
    if config.secret != old_secret:
        after["secret"] = audit.CHANGED
    _record("channel.update", by, config, before, after)
    return config


@transaction.atomic
def channel_config_delete(*, by: User, config: ChannelConfig) -> None:
    _require_admin(by, config.unit.town_id)
    if config.deliveries.exists():
        raise CaseError(
            _("该渠道已有发送记录,不能删除;如不再使用,请将其停用。"),
            {"enabled": [_("请改为停用")]},
        )
    _record("channel.delete", by, config, _audited(config), None)
    config.delete()


def channel_config_test(*, by: User, config: ChannelConfig) -> str | None:
    """Send a test message through the channel now. None if it went, else the error (in the
    active language: the administrator's).

    Not recorded as a notification: it checks the address and secret before real use. The
    message is in the project's language (Chinese), as every channel message is.
    """
    _require_admin(by, config.unit.town_id)
    town = config.unit.town
    with translation.override(settings.LANGUAGE_CODE):
        args = messages.arguments("test", town_name=town.name, context={"link": "/"})
        rendered = messages.render("test", args)
        message = channels.Message(
            uid=f"test-{config.pk}-{int(clock.now().timestamp())}",
            kind="test",
            kind_label=str(Notification.Kind.TEST.label),
            town=town.name,
            title=rendered.title,
            body=rendered.body,
            link=rendered.link,
            major=False,
            created_at=clock.now().isoformat(),
        )
    try:
        channels.send(kind=config.kind, target=config.target, secret=config.secret, message=message)
    except channels.ChannelError as exc:
        return exc.message
    return None


# ---------------------------------------------------------------- resending


def _schedule_now(deliveries: Iterable[Delivery]) -> int:
    ids = [d.pk for d in deliveries]
    if not ids:
        return 0
    now = clock.now()
    # Only failed or waiting rows: a delivery being sent or already sent is left alone.
    updated = Delivery.objects.filter(
        pk__in=ids, status__in=[Delivery.Status.FAILED, Delivery.Status.PENDING]
    ).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        claim_token="",
        lease_until=None,
    )
    transaction.on_commit(lambda: outbox.enqueue(ids), robust=True)
    return updated


@transaction.atomic
def delivery_resend(*, by: User, delivery: Delivery) -> Delivery:
    """Send a failed (or still waiting) delivery again now, with a fresh set of attempts.

    It is pushed now even in quiet hours: the administrator chose to send it.
    """
    town_id = Notification.objects.values_list("town_id", flat=True).get(
        pk=delivery.notification_id
    )
    _require_admin(by, town_id)
    if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.PENDING):
        raise CaseError(_("该通知已发送或正在发送,无需重新发送"))
    _schedule_now([delivery])
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def deliveries_resend_failed(*, by: User, town: Town) -> int:
    """Resend every failed delivery of the town (after the administrator fixed a channel)."""
    _require_admin(by, town.pk)
    failed = Delivery.objects.filter(notification__town=town, status=Delivery.Status.FAILED).only(
        "id"
    )
    return _schedule_now(list(failed))


# ---------------------------------------------------------------- the inbox


def inbox_mark_read(*, user: User, item_ids: Iterable[int]) -> int:
    """Mark the user's own inbox items read (others' items are ignored). Returns how many."""
    return InboxItem.objects.filter(user=user, pk__in=list(item_ids), read_at__isnull=True).update(
        read_at=clock.now()
    )


def inbox_mark_all_read(*, user: User) -> int:
    return InboxItem.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())


def inbox_mark_case_read(*, user: User, case_id: int) -> int:
    """Opening a case reads its messages: the workbench calls this on the case page.

    Read first, write only when something is unread: a page that writes is served from the
    primary and pins the browser there (core/replica.py), and most case pages have nothing
    unread. (Read from a replica, a message a second old may stay unread until the next
    visit.)"""
    unread = list(
        InboxItem.objects.filter(
            user=user, notification__case_id=case_id, read_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if not unread:
        return 0
    return InboxItem.objects.filter(pk__in=unread, read_at__isnull=True).update(read_at=clock.now())
