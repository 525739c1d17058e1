"""Notifications: the outbox rows written with the action, their deliveries, the inbox.

A `Notification` is written in the same transaction as the action that causes it (see
`outbox.py`). Each person told gets an `InboxItem` at once (the inbox is not a push); each
enabled channel of each unit told gets one `Delivery`, sent afterwards by the worker with
retries (see `delivery.py`). `SentWarning` and `DigestSent` make the schedule's warnings
idempotent: one row per warning ever sent, guarded by a unique constraint.
"""

from __future__ import annotations

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcase.core import limits
from gridcase.org.models import Town, Unit

from . import messages


class ChannelConfig(models.Model):
    """A push channel of a unit, configured by the town's administrator."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")
        WEBHOOK = "webhook", _("通用 Webhook(HMAC-SHA256 签名)")

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="channels", verbose_name=_("单位")
    )
    kind = models.CharField(_("渠道类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=limits.CHANNEL_NAME, blank=True)
    # A robot's or webhook's URL, or one or more e-mail addresses separated by commas.
    target = models.CharField(_("地址"), max_length=limits.CHANNEL_TARGET)
    secret = models.CharField(
        _("签名密钥"),
        max_length=limits.CHANNEL_SECRET,
        blank=True,
        help_text=_("钉钉机器人“加签”密钥(SEC 开头);通用 Webhook 的 HMAC 密钥"),
    )
    enabled = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["unit", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "target"], name="channel_unique_target_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.name or self.get_kind_display()}"


class Notification(models.Model):
    """One message to some people and units, caused by an action or by the schedule."""

    class Kind(models.TextChoices):
        ESCALATE = "escalate", _("事件上报")
        DISPATCH = "dispatch", _("事件分流")
        REPORT = "report", _("部门反馈结果")
        RETURN = "return", _("事件退回")
        URGE = "urge", _("督办")
        EXTENSION_REQUESTED = "extension_requested", _("延期申请")
        EXTENSION_DECIDED = "extension_decided", _("延期审批结果")
        REVIEW = "review", _("质量评定不合格")
        VOID = "void", _("事件作废")
        # Closed by the station or the center: the officer's follow-up deadline starts.
        CLOSE = "close", _("事件已结案")
        YELLOW = "yellow", _("即将到期(黄灯)")
        RED = "red", _("已超期(红灯)")
        FOLLOW_UP_DUE = "follow_up_due", _("回访即将到期")
        FOLLOW_UP_OVERDUE = "follow_up_overdue", _("回访已逾期")
        DIGEST = "digest", _("每日汇总")
        QUARTER_READY = "quarter_ready", _("季度考核待审批")
        QUARTER_APPROVED = "quarter_approved", _("季度考核已审批")
        QUARTER_REOPENED = "quarter_reopened", _("季度考核被退回")
        APPEAL_FILED = "appeal_filed", _("申诉待处理")
        APPEAL_DECIDED = "appeal_decided", _("申诉处理结果")
        TEST = "test", _("渠道测试")

    # The public id: sent to webhooks, so that a receiver can drop a repeated message.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("事件"),
    )
    # The message id (the kind of text, see `messages.render`) and its arguments: the text is
    # worded when shown, in its reader's language. Empty on rows written before they were kept.
    message = models.CharField(max_length=40, blank=True, default="")
    args = models.JSONField(default=dict, blank=True)
    # The text in the project's language (Chinese), worded once when written: what the
    # channels send, and what a row without a message id shows.
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=500, blank=True)
    # Major cases are pushed even in quiet hours.
    major = models.BooleanField(_("重大"), default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["town", "created_at"])]

    def __str__(self) -> str:
        return self.title

    @cached_property
    def shown(self) -> messages.Rendered:
        """The title, body and link in the active language (the reader's): see messages."""
        return messages.shown(self)


class InboxItem(models.Model):
    """A notification in one person's in-app inbox."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="inbox_items"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items"
    )
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "user"], name="inbox_once_per_user")
        ]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.notification_id}"


class Delivery(models.Model):
    """One notification sent through one channel: claimed, sent, retried, or failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    # PROTECT: a channel with history is disabled, not deleted (services say so).
    channel = models.ForeignKey(
        ChannelConfig, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("渠道")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    # The claim of the worker sending it now; a lease that expires may be reclaimed.
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.channel_id} ({self.status})"


class SentWarning(models.Model):
    """A deadline warning sent once: per case, kind, level and due date.

    A new deadline (after an extension, a return, or at the next level) is a new key, and so
    warns again; the same deadline never warns twice, whatever the number of scans or workers.
    """

    class Kind(models.TextChoices):
        YELLOW = "yellow", _("黄灯")
        RED = "red", _("红灯")
        FOLLOW_UP_DUE = "follow_up_due", _("回访即将到期")
        FOLLOW_UP_OVERDUE = "follow_up_overdue", _("回访已逾期")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    level = models.CharField(max_length=12)
    due = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("已发送的期限提醒")
        verbose_name_plural = _("已发送的期限提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "level", "due"], name="warning_once_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.level} {self.due}"


class DigestSent(models.Model):
    """The morning digest of a town, sent once per local day."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("已发送的每日汇总")
        verbose_name_plural = _("已发送的每日汇总")
        constraints = [models.UniqueConstraint(fields=["town", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.town_id} {self.day}"
