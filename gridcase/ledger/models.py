"""A ledger import started in the workbench: one row per uploaded file, from the check
(a dry run) through the confirmed import to its result. The worker runs both steps
(ledger/tasks.py); the page reads this row and the live progress (ledger/jobs.py).
The fields and the ending every background job shares are core.jobs.Job's."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcase.core.jobs import Job


class ImportJob(Job):
    class State(models.TextChoices):
        CHECKING = "checking", _("正在检查")
        CHECKED = "checked", _("检查完毕,待确认")
        REFUSED = "refused", _("无法导入")
        QUEUED = "queued", _("排队等待导入")
        RUNNING = "running", _("正在导入")
        DONE = "done", _("导入完成")
        FAILED = "failed", _("导入失败,未写入任何数据")
        CANCELLED = "cancelled", _("已取消")

    # The states in which the worker still has something to do: the page keeps polling.
    ACTIVE = frozenset({State.CHECKING, State.QUEUED, State.RUNNING})
    # The states after which the uploaded file is gone.
    ENDED = frozenset({State.REFUSED, State.DONE, State.FAILED, State.CANCELLED})

    town = models.ForeignKey(
        "org.Town", on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("镇")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认导入人"),
    )
    created_at = models.DateTimeField(_("上传时间"))
    size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    create_missing = models.BooleanField(_("新建不存在的行政村和网格专管员"), default=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices)
    # The dry run's report and the first rows (the preview), then the import's report.
    preview = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["town", "-created_at"])]

    def __str__(self) -> str:
        return f"台账导入 {self.file_name}"

    @classmethod
    def folder(cls) -> Path:
        """Uploaded ledgers: in the data directory, never under a URL."""
        return Path(settings.DATA_DIR) / "ledger-uploads"


class ExportJob(Job):
    """A large export run by the worker (the case ledger or the payroll of a large town): the
    page shows its progress, then a download link for the person who asked, and only for
    them. Unlike an import, an export writes nothing else, so its progress is a column of
    this row."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队等待导出")
        RUNNING = "running", _("正在导出")
        DONE = "done", _("导出完成")
        FAILED = "failed", _("导出失败")

    class Kind(models.TextChoices):
        CASES = "cases", _("事件台账")
        PAYROLL = "payroll", _("考核工资表")

    ACTIVE = frozenset({State.QUEUED, State.RUNNING})

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # What was asked, as [name, value] pairs: the case ledger's query string (tab and
    # filters); the payroll's period and town.
    params = models.JSONField(default=list, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices)
    # Progress in the export's own unit (rows of the ledger, officers of the payroll).
    rows = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("后台导出")
        verbose_name_plural = _("后台导出")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @classmethod
    def folder(cls) -> Path:
        """Written exports: in the data directory, never under a URL."""
        return Path(settings.DATA_DIR) / "exports"
