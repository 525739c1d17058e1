"""Where a case belongs: its village and grid, from a place chosen by hand or from its point.

The one home of the rule, for every way a case is filed (the workbench, the API, Open311 and
the workbench's "位置属于" hint, which asks the same questions before anything is saved).

Points come in the coordinate system the client states (`in_wgs84`: GCJ-02 from WeChat and
most Chinese map apps, BD-09 from Baidu; WGS-84 from a phone's GPS, the default) and are
converted with core/coords before anything else reads them: gridcase stores WGS-84 only.

For a draft an officer enters (`place_draft`), in order:

1. A place chosen by hand wins: a grid (which brings its village), or a village (then the
   grid its point lies in, if any, else the officer's own grid there, else none).
2. Else the point, when the town is mapped (every village has a boundary; a town half
   mapped cannot say that a point outside the mapped part is nowhere):
   - in a grid of a village the officer serves: that grid, even when it is not the
     officer's own grid (the case lies where it happened; the officer still files it);
   - in such a village but in no grid: that village, with the officer's own grid there;
   - in a village the officer does not serve: refused, naming `latitude` and the village,
     since an officer files only in their own villages (`officer_village`): the point is
     likely wrong (or in another system); a village chosen by hand overrides;
   - outside every boundary: refused, naming `latitude`; a place chosen by hand overrides.
3. Else (no point, or a town not mapped): the officer's own village and grid, as always.

A draft keeps its village (`replace_draft`): a new point moves it between the grids of its
village only, and a point outside that village is refused the same way; a point that did
not change does not move it (a place chosen by hand at entry stays chosen).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from gridcase.core import coords
from gridcase.org.locate import locate
from gridcase.org.models import Grid, Role, Town, User, Village
from gridcase.org.selectors import roles_in_force

from .errors import ActionNotAllowed, CaseError

# What a client may state (core/coords.System), with the names people know them by.
SYSTEM_LABELS = {
    coords.System.WGS84: "WGS-84(GPS 定位,默认)",
    coords.System.CGCS2000: "CGCS2000(按 WGS-84 处理)",
    coords.System.GCJ02: "GCJ-02(高德、腾讯、微信)",
    coords.System.BD09: "BD-09(百度)",
}
# The system every stored and published point is in.
STORED_SYSTEM = coords.System.WGS84


def place_name(village: Village, grid: Grid | None) -> str:
    return f"{village.name} · {grid.name}" if grid is not None else village.name


# ---------------------------------------------------------------- the point


def _number(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return None
    return number if abs(number) <= coords.MAX_LONGITUDE else None


def in_wgs84(data: Mapping[str, Any]) -> dict[str, Any]:
    """The input with its point in WGS-84 and without `crs` (the system it was stated in).

    A point stated in GCJ-02 or BD-09 needs both coordinates to convert; one alone is refused
    naming the other. What does not read as a number is left for `clean_content` to name."""
    out = dict(data)
    raw = out.pop("crs", None)
    try:
        system = coords.System(raw or coords.System.WGS84)
    except ValueError:
        choices = _("、").join(s.value for s in coords.System)
        raise CaseError(
            _("坐标系不正确"), {"crs": [_("坐标系应为 %(choices)s 之一") % {"choices": choices}]}
        ) from None
    if system in (coords.System.WGS84, coords.System.CGCS2000):
        return out
    lat, lon = _number(out.get("latitude")), _number(out.get("longitude"))
    if lat is None and lon is None:
        return out
    if lat is None or lon is None:
        missing = "latitude" if lat is None else "longitude"
        raise CaseError(
            _("坐标转换需要同时提供纬度和经度"),
            {
                missing: [
                    _("按 %(system)s 换算坐标时须同时提供纬度和经度") % {"system": system.value}
                ]
            },
        )
    lat, lon = coords.to_wgs84(lat, lon, system)
    out["latitude"], out["longitude"] = Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")
    return out


def point_of(values: Mapping[str, Any]) -> tuple[float, float] | None:
    """(lat, lon) of cleaned content, or None without both coordinates."""
    lat, lon = values.get("latitude"), values.get("longitude")
    if lat is None or lon is None:
        return None
    return float(lat), float(lon)


# ---------------------------------------------------------------- where a point lies


@dataclass(frozen=True)
class Spot:
    """Where a point lies in a town: a village and grid (or none), and whether the town's map
    can tell (`mapped`: every village has a boundary)."""

    village: Village | None
    grid: Grid | None
    mapped: bool

    @property
    def outside(self) -> bool:
        """Outside every boundary of a mapped town: nowhere, for sure."""
        return self.village is None and self.mapped


def mapped(town: Town) -> bool:
    villages = Village.objects.filter(town=town)
    return villages.exists() and not villages.filter(boundary__isnull=True).exists()


def spot(town: Town, lat: float, lon: float) -> Spot:
    found = locate(town, lat, lon)
    if found is not None:
        return Spot(found[0], found[1], True)
    return Spot(None, None, mapped(town))


# ---------------------------------------------------------------- the officer's villages


def officer_roles(by: User, town: Town) -> list[Role]:
    return [r for r in roles_in_force(by) if r.kind == Role.Kind.OFFICER and r.town_id == town.id]


def officer_village(by: User, town: Town, village: Village | None) -> tuple[Village, Grid | None]:
    """The village (and grid) in ``town`` where ``by`` enters cases as an officer: the one
    asked for, or their first; who is not an officer there may not enter (nor check) one."""
    roles = officer_roles(by, town)
    if not roles:
        raise ActionNotAllowed(_("只有本镇的网格专管员可以录入事件"))
    for role in roles:
        if village is None or role.village_id == village.id:
            return role.village, role.grid
    raise ActionNotAllowed(_("您不是该行政村的网格专管员"))


def _refuse_point(where: Spot, draft_village: Village | None = None) -> CaseError:
    """The point is outside the town's villages, or in a village the officer does not serve
    (a new draft), or not in the draft's own village (`draft_village`, an edited draft)."""
    if where.village is None:
        message = _(
            "该位置不在本镇任何行政村和网格的边界内:请核对经纬度和坐标系,或手动选择所属行政村和网格"
        )
    elif draft_village is None:
        message = _(
            "该位置属于%(place)s,不在您负责的行政村:请核对经纬度和坐标系,或手动选择所属行政村和网格"
        ) % {"place": place_name(where.village, where.grid)}
    else:
        message = _(
            "该位置属于%(place)s,不在本草稿所在的%(village)s:请核对经纬度和坐标系,或手动选择所属行政村和网格"
        ) % {"place": place_name(where.village, where.grid), "village": draft_village.name}
    return CaseError(message, {"latitude": [message]})


# ---------------------------------------------------------------- placing a draft


def place_draft(
    *,
    town: Town,
    by: User,
    village: Village | None = None,
    grid: Grid | None = None,
    point: tuple[float, float] | None = None,
) -> tuple[Village, Grid | None]:
    """Where an officer's new draft goes (the module's rules). ``village`` and ``grid`` are
    the ones chosen by hand (a grid's village already checked against the chosen village)."""
    if grid is not None:
        village, _grid = officer_village(by, town, grid.village)
        return village, grid
    if village is not None:
        village, own_grid = officer_village(by, town, village)
        if point is not None:
            where = spot(town, *point)
            if where.village == village and where.grid is not None:
                return village, where.grid
        return village, own_grid
    default_village, default_grid = officer_village(by, town, None)
    if point is None:
        return default_village, default_grid
    where = spot(town, *point)
    if where.village is None:
        if where.outside:
            raise _refuse_point(where)
        return default_village, default_grid
    served = {r.village_id: r for r in officer_roles(by, town)}
    role = served.get(where.village.pk)
    if role is None:
        raise _refuse_point(where)
    return where.village, where.grid if where.grid is not None else role.grid


def replace_draft(*, case, grid: Grid | None, point: tuple[float, float] | None) -> Grid | None:
    """The grid of a draft being edited (its village stays): the grid chosen by hand, else
    the one a changed point lies in (refused outside the draft's village), else its own."""
    if grid is not None:
        if grid.village_id != case.village_id:
            raise CaseError(
                _("网格不属于本草稿的行政村"), {"grid": [_("网格不属于本草稿所在的行政村")]}
            )
        return grid
    unchanged = point is None or (
        case.latitude is not None
        and case.longitude is not None
        and (Decimal(f"{point[0]:.6f}"), Decimal(f"{point[1]:.6f}"))
        == (case.latitude, case.longitude)
    )
    if unchanged:
        return case.grid
    where = spot(case.town, *point)
    if where.village is None:
        if where.outside:
            raise _refuse_point(where)
        return case.grid
    if where.village.pk != case.village_id:
        raise _refuse_point(where, case.village)
    return where.grid if where.grid is not None else case.grid
