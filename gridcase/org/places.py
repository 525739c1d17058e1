"""Every write of a town's places that its administrator makes: villages, grids and units.

Like the other services: keyword-only arguments, one transaction each, the scope checked here
(see `checks.py`). A place still in use (by people's roles, cases, channels) is not deleted:
the refusal says what uses it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils.translation import gettext as _t

from gridcase.core.errors import ServiceError

from .checks import clean_name, require_administrator, same_town, save_unique
from .models import Grid, Role, Town, Unit, User, Village
from .signals import counting_uses


def _in_use_error(what: str, uses: list[tuple[str, int]]) -> ServiceError:
    listed = _t("、").join(f"{label}{n}" for label, n in uses if n)
    return ServiceError(
        _t("%(what)s仍在使用中(%(uses)s),不能删除。请先调整或停用这些记录。")
        % {"what": what, "uses": listed},
        {"__all__": [_t("仍在使用中:%(uses)s") % {"uses": listed}]},
    )


def _uses_above(row: Model) -> list[tuple[str, int]]:
    """The row's uses by the layers above org (cases, notification channels), which org
    cannot count itself: they answer `counting_uses`."""
    return [use for _, uses in counting_uses.send(sender=type(row), row=row) for use in uses]


def _delete(row: Model, what: str, uses: list[tuple[str, int]]) -> None:
    """Delete unless something still uses the row (PROTECT); say what uses it."""
    if any(n for _, n in uses):
        raise _in_use_error(what, uses)
    try:
        with transaction.atomic():
            row.delete()
    except ProtectedError as exc:
        # Something not counted above (another part of the system) still refers to it.
        kinds = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        raise ServiceError(
            _t("%(what)s仍被其他记录引用(%(kinds)s),不能删除。")
            % {"what": what, "kinds": _t("、").join(kinds)},
            {"__all__": [_t("仍在使用中")]},
        ) from None


# ---------------------------------------------------------------- villages


@transaction.atomic
def village_create(*, by: User, town: Town, name: str) -> Village:
    require_administrator(by, town)
    name = clean_name(name, _t("行政村名称"))
    message = _t("本镇已有名为“%(name)s”的行政村") % {"name": name}
    if Village.objects.filter(town=town, name=name).exists():
        raise ServiceError(message, {"name": [message]})
    return save_unique(lambda: Village.objects.create(town=town, name=name), message)


@transaction.atomic
def village_rename(*, by: User, village: Village, name: str) -> Village:
    town = village.town
    require_administrator(by, town)
    name = clean_name(name, _t("行政村名称"))
    message = _t("本镇已有名为“%(name)s”的行政村") % {"name": name}
    if Village.objects.filter(town=town, name=name).exclude(pk=village.pk).exists():
        raise ServiceError(message, {"name": [message]})
    village.name = name
    save_unique(lambda: village.save(update_fields=["name"]), message)
    return village


@transaction.atomic
def village_delete(*, by: User, village: Village) -> None:
    require_administrator(by, village.town)
    uses = [
        (_t("网格 "), Grid.objects.filter(village=village).count()),
        (_t("村站 "), Unit.objects.filter(village=village).count()),
        (_t("人员角色 "), Role.objects.filter(village=village).count()),
        *_uses_above(village),
    ]
    _delete(village, _t("行政村“%(name)s”") % {"name": village.name}, uses)


# ---------------------------------------------------------------- grids


@transaction.atomic
def grid_create(*, by: User, town: Town, village: Village, name: str) -> Grid:
    require_administrator(by, town)
    same_town(town, village)
    name = clean_name(name, _t("网格名称"))
    message = _t("%(village)s已有名为“%(name)s”的网格") % {"village": village.name, "name": name}
    if Grid.objects.filter(village=village, name=name).exists():
        raise ServiceError(message, {"name": [message]})
    return save_unique(lambda: Grid.objects.create(village=village, name=name), message)


@transaction.atomic
def grid_rename(*, by: User, grid: Grid, name: str) -> Grid:
    """Only the name: a grid's cases and officers belong to its village, so it stays there."""
    require_administrator(by, grid.village.town)
    name = clean_name(name, _t("网格名称"))
    message = _t("%(village)s已有名为“%(name)s”的网格") % {
        "village": grid.village.name,
        "name": name,
    }
    if Grid.objects.filter(village=grid.village, name=name).exclude(pk=grid.pk).exists():
        raise ServiceError(message, {"name": [message]})
    grid.name = name
    save_unique(lambda: grid.save(update_fields=["name"]), message)
    return grid


@transaction.atomic
def grid_delete(*, by: User, grid: Grid) -> None:
    require_administrator(by, grid.village.town)
    uses = [(_t("人员角色 "), Role.objects.filter(grid=grid).count()), *_uses_above(grid)]
    _delete(grid, _t("网格“%(name)s”") % {"name": grid}, uses)


# ---------------------------------------------------------------- units


def unit_village(town: Town, kind: str, village: Village | None) -> Village | None:
    """The village a unit of this kind belongs to (a station's; None for the others), or
    ServiceError; also run by the workbench's form, with the form's other checks."""
    if kind not in Unit.Kind.values:
        raise ServiceError(_t("请选择单位类型"), {"kind": [_t("请选择单位类型")]})
    if kind == Unit.Kind.VILLAGE_STATION:
        if village is None:
            raise ServiceError(
                _t("村社会服务管理站须选择所属行政村"), {"village": [_t("请选择所属行政村")]}
            )
        same_town(town, village)
        return village
    # Only a village station belongs to a village; the others are town-wide.
    return None


def unit_name_free(town: Town, name: str, unit: Unit | None = None) -> tuple[str, str]:
    """The unit's name, cleaned, and the message a concurrent twin would get; ServiceError on
    `name` when another unit of the town has it. Also run by the workbench's form."""
    name = clean_name(name, _t("单位名称"))
    message = _t("本镇已有名为“%(name)s”的单位") % {"name": name}
    others = Unit.objects.filter(town=town, name=name)
    if unit is not None:
        others = others.exclude(pk=unit.pk)
    if others.exists():
        raise ServiceError(message, {"name": [message]})
    return name, message


@transaction.atomic
def unit_create(
    *, by: User, town: Town, kind: str, name: str, village: Village | None = None
) -> Unit:
    require_administrator(by, town)
    village = unit_village(town, kind, village)
    name, message = unit_name_free(town, name)
    return save_unique(
        lambda: Unit.objects.create(town=town, kind=kind, name=name, village=village), message
    )


@transaction.atomic
def unit_update(*, by: User, unit: Unit, name: str, village: Village | None = None) -> Unit:
    """The name, and a station's village. The kind stays: roles and cases depend on it."""
    town = unit.town
    require_administrator(by, town)
    village = unit_village(town, unit.kind, village)
    name, message = unit_name_free(town, name, unit)
    unit.name, unit.village = name, village
    save_unique(lambda: unit.save(update_fields=["name", "village"]), message)
    return unit


@transaction.atomic
def unit_delete(*, by: User, unit: Unit) -> None:
    require_administrator(by, unit.town)
    uses = [(_t("人员角色 "), Role.objects.filter(unit=unit).count()), *_uses_above(unit)]
    _delete(unit, _t("单位“%(name)s”") % {"name": unit.name}, uses)
