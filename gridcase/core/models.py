"""The calendar override table (what the `holidays` package does not know, or a town adds),
and the audit trail: its rows and the heads of the hash chains."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import limits
from .chain import ChainSpec


class CalendarOverride(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("休息日")
        WORKDAY = "workday", _("工作日(调休上班)")

    # No town: the national arrangement, for every town. A town's row wins over a national one.
    town = models.ForeignKey(
        "org.Town", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("镇")
    )
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=limits.CALENDAR_NOTE, blank=True)

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["town", "day"], name="calendar_one_override_per_day"),
            models.UniqueConstraint(
                fields=["day"],
                condition=models.Q(town__isnull=True),
                name="calendar_one_national_override_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class ChainedRow(models.Model):
    """A row of an append-only, hash-chained table (`gridcase.core.chain`). A subclass sets
    `chain` to its `ChainSpec`; rows are inserted through `chain.append` or a `Sealer`."""

    seq = models.PositiveBigIntegerField(_("链序号"), editable=False)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{self._meta.label} rows are append-only")


class ChainHead(models.Model):
    """The last row of one hash chain, locked while rows are appended to it."""

    key = models.CharField(max_length=60, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("哈希链头")
        verbose_name_plural = _("哈希链头")

    def __str__(self) -> str:
        return f"{self.key} #{self.seq}"


class AuditEntry(ChainedRow):
    """One privileged change: who, when, what, before → after. Append-only, hash-chained;
    written by `gridcase.core.audit.record` in the transaction of the change."""

    town = models.ForeignKey(
        "org.Town",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("镇"),
    )
    # None: the command line, or the system itself.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # The actor's name at the time, kept even if the person is renamed later.
    actor_label = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("操作"), max_length=40)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)

    chain = ChainSpec(
        name="audit",
        fields=(
            "town_id",
            "actor_id",
            "actor_label",
            "at",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "before",
            "after",
        ),
    )

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        constraints = [models.UniqueConstraint(fields=["seq"], name="audit_chain_seq_unique")]
        indexes = [
            models.Index(fields=["town", "-seq"]),
            models.Index(fields=["actor", "-seq"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"
