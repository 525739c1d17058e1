"""Towns, villages, grids, units, people and their roles.

A town is the tenant: every other row hangs off one town, and every read and write is
scoped by it (see selectors and services).
"""

from __future__ import annotations

from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcase.core import limits


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("未知的时区: %(value)s"), params={"value": value})


class Town(models.Model):
    name = models.CharField(_("镇名"), max_length=limits.PLACE_NAME, unique=True)
    code = models.SlugField(
        _("代码"), max_length=limits.TOWN_CODE, unique=True, help_text=_("用于事件编号前缀")
    )
    timezone = models.CharField(
        _("时区"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone]
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Renewed (a random token) in the same transaction as any change of the town's boundaries
    # (`boundary_services`), so every process's point-in-polygon index (`locate`) knows when
    # it is stale. Random rather than a counter: a counter could repeat for a town re-created
    # under a reused id, and a cached index would then be another town's.
    boundaries_version = models.CharField(
        _("边界版本"), max_length=32, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("镇")
        verbose_name_plural = _("镇")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("行政村"), max_length=limits.PLACE_NAME)
    # A GeoJSON geometry (Polygon or MultiPolygon, WGS-84 longitude/latitude as GeoJSON
    # orders them), or none. Not editable in forms: it is checked and set only through
    # `boundary_services` (valid, grids inside their village, not overlapping).
    boundary = models.JSONField(_("边界"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("行政村")
        verbose_name_plural = _("行政村")
        ordering = ["town", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="village_unique_name_in_town")
        ]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="grids")
    name = models.CharField(_("网格"), max_length=limits.PLACE_NAME)
    # A GeoJSON geometry (Polygon or MultiPolygon, WGS-84 longitude/latitude as GeoJSON
    # orders them), or none. Not editable in forms: it is checked and set only through
    # `boundary_services` (valid, grids inside their village, not overlapping).
    boundary = models.JSONField(_("边界"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["village", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="grid_unique_name_in_village")
        ]

    def __str__(self) -> str:
        return f"{self.village.name}·{self.name}"


class Unit(models.Model):
    """A handling level or office: village station, town center, department, office."""

    class Kind(models.TextChoices):
        VILLAGE_STATION = "village_station", _("村社会服务管理站")
        TOWN_CENTER = "town_center", _("镇社会服务管理中心")
        DEPARTMENT = "department", _("部门/科办")
        GOVERNANCE_OFFICE = "governance_office", _("镇政法综治办")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="units")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=limits.PLACE_NAME)
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stations",
        verbose_name=_("行政村"),
    )

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["town", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="unit_unique_name_in_town"),
            models.CheckConstraint(
                condition=~models.Q(kind="village_station") | models.Q(village__isnull=False),
                name="station_has_village",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person with a login. Their town and what they may do come from their roles."""

    town = models.ForeignKey(
        Town,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("所属镇"),
    )
    display_name = models.CharField(_("姓名"), max_length=limits.PERSON_NAME, blank=True)
    phone = models.CharField(_("手机号"), max_length=limits.PHONE, blank=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.Model):
    """What a person does, and where: the scope of everything they see and change."""

    class Kind(models.TextChoices):
        OFFICER = "officer", _("网格专管员")
        VILLAGE_STATION = "village_station", _("村社会服务管理站")
        TOWN_CENTER = "town_center", _("镇社会服务管理中心")
        DEPARTMENT = "department", _("部门")
        GOVERNANCE_OFFICE = "governance_office", _("镇政法综治办")
        LEADER = "leader", _("政法分管领导")
        ADMINISTRATOR = "administrator", _("管理员")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="roles")
    kind = models.CharField(_("角色"), max_length=20, choices=Kind.choices)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("行政村")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("网格")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("单位")
    )
    active_from = models.DateField(_("起始日期"), null=True, blank=True)
    active_until = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["officer", "village_station"])
                | models.Q(village__isnull=False),
                name="role_village_scope_has_village",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="department") | models.Q(unit__isnull=False),
                name="role_department_has_unit",
            ),
        ]
        indexes = [models.Index(fields=["town", "kind"])]

    def __str__(self) -> str:
        where = self.grid or self.village or self.unit or self.town
        return f"{self.get_kind_display()} · {where}"


class PolicyVersion(models.Model):
    """A town's assessment policy (TOML), in force from its effective date."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="policies")
    code = models.CharField(_("代码"), max_length=50)
    name = models.CharField(_("名称"), max_length=200)
    effective_from = models.DateField(_("生效日期"))
    source = models.TextField(_("策略文件"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("考核策略版本")
        verbose_name_plural = _("考核策略版本")
        ordering = ["town", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "effective_from"], name="policy_one_version_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.code} ({self.effective_from})"
