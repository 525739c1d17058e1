"""The calendar override table: what the `holidays` package does not know, or a town adds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    note = models.CharField(_("说明"), max_length=200, blank=True)

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
