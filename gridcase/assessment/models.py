"""The quarter's life: its status and frozen snapshot, appeals, adjustments, and an audit log.

Only `services.py` writes these rows. Status changes are compare-and-swap on ``status``
(architecture.md, Habit 2): two clicks on "finalise" give one success and one clear conflict.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcase.assessment.duplicates import read_reason
from gridcase.cases.models import Case
from gridcase.org.models import Town


class QuarterAssessment(models.Model):
    """One town's assessment of one quarter: provisional (draft) until finalised, then approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("暂定")
        FINALISED = "finalised", _("已定稿")
        APPROVED = "approved", _("已审批")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="quarter_assessments")
    quarter = models.CharField(_("季度"), max_length=7)  # "2026-Q4"
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The whole result as computed when finalised (services.PeriodResult.to_snapshot()):
    # policy versions, every officer's months and every case's status, amount and reason.
    snapshot = models.JSONField(_("定稿快照"), null=True, blank=True)
    policy_code = models.CharField(_("考核策略"), max_length=100, blank=True)
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("定稿人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("季度考核")
        verbose_name_plural = _("季度考核")
        ordering = ["town", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["town", "quarter"], name="one_assessment_per_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.quarter} {self.get_status_display()}"

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT


class Appeal(models.Model):
    """An officer's appeal (申诉) against a case's status, decided by the governance office.

    An accepted appeal records an ``override`` that the assessment honours when it reads the
    case's facts (facts.py): the case is then judged conforming, or handled on time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("未采纳")

    class Override(models.TextChoices):
        NONE = "", _("无")
        CONFORMING = "conforming", _("按质量合格计")
        ON_TIME = "on_time", _("按按时结案或上报计")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="appeals")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appeals")
    quarter = models.CharField(_("季度"), max_length=7)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申诉人"),
    )
    filed_at = models.DateTimeField(_("申诉时间"))
    reason = models.TextField(_("申诉理由"))
    # The case's assessment status when the appeal was filed (a status word of rules.STATUSES).
    status_at_filing = models.CharField(_("申诉时状态"), max_length=15, blank=True)
    status = models.CharField(
        _("处理状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    override = models.CharField(
        _("更正"), max_length=12, choices=Override.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["town", "-filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="one_pending_appeal_per_case",
            )
        ]
        indexes = [models.Index(fields=["town", "quarter", "status"])]

    def __str__(self) -> str:
        return f"{self.case} {self.get_status_display()}"


class Adjustment(models.Model):
    """A correction found after a quarter was approved, paid in a later quarter with its reason."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="pay_adjustments")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pay_adjustments",
        verbose_name=_("网格专管员"),
    )
    quarter = models.CharField(_("更正的季度"), max_length=7)
    applies_to = models.CharField(_("计入季度"), max_length=7)
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    reason = models.TextField(_("原因"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("考核调整")
        verbose_name_plural = _("考核调整")
        ordering = ["town", "applies_to", "created_at"]
        indexes = [models.Index(fields=["town", "applies_to"])]

    def __str__(self) -> str:
        return f"{self.officer} {self.quarter}→{self.applies_to} {self.amount}"


class AssessmentEvent(models.Model):
    """Append-only audit of the quarter's life and of policy uploads: who did what, when."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="assessment_events")
    quarter = models.CharField(_("季度"), max_length=7, blank=True)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=30)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("考核记录")
        verbose_name_plural = _("考核记录")
        ordering = ["town", "at", "id"]

    def __str__(self) -> str:
        return f"{self.town} {self.quarter} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("assessment events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("assessment events are append-only")


class SuspectPair(models.Model):
    """Two cases suspected to be one matter (integrity.md), and the office's decision.

    ``case`` is the later case, ``similar_to`` the earlier. Written by ``integrity_services``:
    found pairs as ``suspected``; the office confirms (the later case is then a ``duplicate``
    in the pay rules) or dismisses (never suggested again for that pair)."""

    class Status(models.TextChoices):
        SUSPECTED = "suspected", _("疑似重复")
        CONFIRMED = "confirmed", _("确认重复")
        DISMISSED = "dismissed", _("已排除")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="suspect_pairs")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="suspected_repeats", verbose_name=_("事件")
    )
    similar_to = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="suspected_originals",
        verbose_name=_("相似事件"),
    )
    score = models.DecimalField(_("相似分"), max_digits=3, decimal_places=2)
    reasons = models.JSONField(_("理由"), default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUSPECTED
    )
    found_at = models.DateTimeField(_("发现时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "similar_to"], name="suspect_pair_unique")
        ]
        indexes = [models.Index(fields=["town", "status", "found_at"])]

    def __str__(self) -> str:
        return f"{self.case_id}~{self.similar_to_id} {self.status}"

    @property
    def words(self) -> list:
        """The reasons (kept in Chinese, as the API and the command give them) for a page: each
        one in the reader's language where the duplicate check wrote it, else as stored."""
        return [read_reason(reason) for reason in self.reasons]


class PhotoHash(models.Model):
    """An image attachment's perceptual hash (ImageHash's pHash, 64 bits as hex), computed once
    so that photos are compared without opening the files again."""

    attachment = models.OneToOneField(
        "cases.Attachment", on_delete=models.CASCADE, related_name="photo_hash"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    phash = models.CharField(max_length=32, blank=True)  # "" when the file is no readable image

    class Meta:
        indexes = [models.Index(fields=["phash"])]

    def __str__(self) -> str:
        return self.phash
