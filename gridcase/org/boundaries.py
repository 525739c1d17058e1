"""The boundaries of a town's villages and grids, checked. Pure: GeoJSON in, messages out.

A boundary is a GeoJSON Polygon or MultiPolygon in WGS-84 (longitude, latitude, as GeoJSON
orders them). A town's set of boundaries is acceptable when

- every boundary is a valid polygon (shapely's `is_valid`; GEOS's reason in Chinese);
- grids of the same village do not overlap, nor do villages, beyond the tolerance;
- every grid lies inside its village (when the village has a boundary), beyond the tolerance.

The tolerance: boundaries digitised by hand, or by two surveyors, never meet exactly, and a
sliver along a shared border of a few metres by a few hundred is not a real overlap. An
overlap (or a grid's part outside its village) is accepted up to the larger of
`TOLERANCE_SHARE` (1 %) of the smaller polygon's area and `TOLERANCE_M2` (10 m²); beyond it
the message names both places and the area. Where two accepted polygons still share a sliver,
`locate` decides deterministically (the lowest id).

Areas are computed in metres with a local equirectangular projection around the town's
centre (`coords.LocalProjection`): over a town its error is a fraction of a percent, far
below the tolerance, and it needs no projection library.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gridcase.core import coords
from gridcase.core.coords import LocalProjection

TOLERANCE_SHARE = 0.01
TOLERANCE_M2 = 10.0
# A town's boundaries are a few thousand points; a file of millions is a mistake (or worse).
MAX_POINTS = 200_000


class BoundaryError(ValueError):
    """A boundary that cannot be read or is not a valid polygon; the message is Chinese."""


# GEOS's reasons (`explain_validity`), in Chinese. The text before "[" is the reason, the
# numbers inside are the location (x y = longitude latitude).
_REASONS = {
    "Self-intersection": "边界线自相交",
    "Ring Self-intersection": "边界环自相交",
    "Too few points in geometry component": "边界的点太少(一个环至少 4 个点,首尾相同)",
    "Hole lies outside shell": "内部的空洞在外边界之外",
    "Nested holes": "空洞相互嵌套",
    "Interior is disconnected": "多边形内部被空洞分割成不相连的部分",
    "Nested shells": "多个多边形相互嵌套",
    "Duplicate Rings": "有重复的边界环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "边界环未闭合(首尾点不同)",
}
_REASON_RE = re.compile(r"^(?P<reason>[^\[]+?)\s*(\[(?P<x>\S+)\s+(?P<y>\S+)\])?$")


def explain_in_chinese(geometry: BaseGeometry) -> str:
    """Why the geometry is not valid, in Chinese, with where (经度, 纬度)."""
    raw = explain_validity(geometry)
    found = _REASON_RE.match(raw)
    if not found:
        return f"边界无效({raw})"
    reason = _REASONS.get(found["reason"], found["reason"])
    if found["x"] and found["y"]:
        return f"{reason},位置约在 经度 {found['x']}, 纬度 {found['y']}"
    return reason


def _coordinates_ok(data: Any) -> bool:
    """Every position is a pair (or triple) of finite numbers on the Earth."""
    points = 0
    stack = [data]
    while stack:
        item = stack.pop()
        if not isinstance(item, list | tuple):
            return False
        if item and all(isinstance(v, int | float) and not isinstance(v, bool) for v in item):
            if len(item) not in (2, 3) or not all(math.isfinite(v) for v in item):
                return False
            if not (abs(item[0]) <= coords.MAX_LONGITUDE and abs(item[1]) <= coords.MAX_LATITUDE):
                return False
            points += 1
            if points > MAX_POINTS:
                raise BoundaryError(f"边界的点太多(超过 {MAX_POINTS} 个)")
        else:
            stack.extend(item)
    return True


# A MultiPolygon's positions lie three lists deep in its coordinates; deeper is not a polygon
# (and `parse` will say so), so `convert` stops there rather than follow any nesting.
_POSITION_DEPTH = 3


def convert(
    coordinates: Any, system: coords.System | str, *, to_wgs84: bool = True, _depth: int = 0
) -> Any:
    """GeoJSON coordinates (nested lists of [longitude, latitude]) moved into WGS-84 from
    `system` (a file's or a client's), or out of WGS-84 into it (`to_wgs84=False`), position
    by position through `core.coords`. WGS-84 and CGCS2000 (centimetres apart) come back as
    they are; a height is dropped (boundaries are stored flat); anything that is not a
    position is left for `parse` to name."""
    system = coords.System(system)
    if system in (coords.System.WGS84, coords.System.CGCS2000):
        return coordinates
    if (
        isinstance(coordinates, list)
        and len(coordinates) in (2, 3)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in coordinates)
    ):
        move = coords.to_wgs84 if to_wgs84 else coords.from_wgs84
        lat, lon = move(coordinates[1], coordinates[0], system)
        return [lon, lat]
    if isinstance(coordinates, list) and _depth < _POSITION_DEPTH:
        return [convert(c, system, to_wgs84=to_wgs84, _depth=_depth + 1) for c in coordinates]
    return coordinates


def parse(data: Any) -> Polygon | MultiPolygon:
    """A GeoJSON geometry (a dict, or a Feature's geometry) as a valid shapely polygon."""
    if not isinstance(data, Mapping):
        raise BoundaryError("边界应为 GeoJSON 几何对象(Polygon 或 MultiPolygon)")
    kind = data.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise BoundaryError(f"边界应为面(Polygon 或 MultiPolygon),而不是 {kind or '未知类型'}")
    if not _coordinates_ok(data.get("coordinates")):
        raise BoundaryError("边界的坐标格式不正确(应为 [经度, 纬度],经度 -180~180,纬度 -90~90)")
    try:
        geometry = shape(data)
    except (ValueError, TypeError, IndexError, KeyError, GEOSException) as exc:
        raise BoundaryError(f"边界的坐标无法组成多边形({exc})") from None
    if geometry.is_empty:
        raise BoundaryError("边界为空")
    if not geometry.is_valid:
        raise BoundaryError(explain_in_chinese(geometry))
    assert isinstance(geometry, Polygon | MultiPolygon)
    return geometry


def to_geojson(geometry: BaseGeometry) -> dict[str, Any]:
    """The geometry as a plain GeoJSON dict (lists, not tuples: as a JSONField returns it)."""
    data: dict[str, Any] = json.loads(json.dumps(mapping(geometry)))
    return data


def bbox_text(geometries: Iterable[Mapping[str, Any] | None]) -> str:
    """ "west,south,east,north" around GeoJSON geometries (WGS-84), as the maps' scripts read
    a box; "" when there is none."""
    boxes = [shape(g).bounds for g in geometries if g]
    if not boxes:
        return ""
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}"


def fingerprint(data: Mapping[str, Any] | None) -> str:
    """A short stable hash of a boundary, for the audit trail (the geometry is the row's)."""
    if data is None:
        return ""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def projection_for(geometries: Sequence[BaseGeometry]) -> LocalProjection:
    """A local projection centred on the geometries' bounds (a town's centre)."""
    minx, miny, maxx, maxy = shapely.GeometryCollection(list(geometries)).bounds
    return LocalProjection((miny + maxy) / 2, (minx + maxx) / 2)


def area_m2(geometry: BaseGeometry, projection: LocalProjection) -> float:
    """The area in square metres, in the projection."""
    kx, ky = projection.metres_per_degree
    lon0, lat0 = projection.lon0, projection.lat0
    projected = shapely.transform(geometry, lambda c: (c - (lon0, lat0)) * (kx, ky))
    return float(projected.area)


def tolerance_m2(*areas: float) -> float:
    return max(TOLERANCE_SHARE * min(areas), TOLERANCE_M2)


@dataclass(frozen=True)
class Place:
    """A village or a grid to check: `key` identifies it, `village` is the village's key for a
    grid (None for a village itself), `label` names it in messages."""

    key: Any
    label: str
    geometry: BaseGeometry | None
    village: Any = None


def _overlaps(places: Sequence[Place], what: str, projection: LocalProjection) -> list[str]:
    """Pairs of the places that overlap beyond the tolerance (an index finds the pairs)."""
    shaped = [p for p in places if p.geometry is not None]
    if len(shaped) < 2:
        return []
    tree = shapely.STRtree([p.geometry for p in shaped])
    left, right = tree.query([p.geometry for p in shaped], predicate="intersects")
    problems = []
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        if i >= j:
            continue
        a, b = shaped[i], shaped[j]
        assert a.geometry is not None and b.geometry is not None
        shared = area_m2(a.geometry.intersection(b.geometry), projection)
        allowed = tolerance_m2(area_m2(a.geometry, projection), area_m2(b.geometry, projection))
        if shared > allowed:
            problems.append(
                f"{what}“{a.label}”与“{b.label}”重叠约 {shared:.0f} 平方米"
                f"(允许的误差为 {allowed:.0f} 平方米)"
            )
    return problems


def check_town(villages: Sequence[Place], grids: Sequence[Place]) -> list[str]:
    """Every problem of a town's boundaries taken together, in Chinese (empty: acceptable).

    The places' geometries are already valid (`parse`); a place without one is not
    checked."""
    geometries = [p.geometry for p in (*villages, *grids) if p.geometry is not None]
    if not geometries:
        return []
    projection = projection_for(geometries)
    problems = _overlaps(villages, "行政村", projection)
    by_village: dict[Any, list[Place]] = {}
    for grid in grids:
        by_village.setdefault(grid.village, []).append(grid)
    village_of = {v.key: v for v in villages}
    for key, members in by_village.items():
        problems += _overlaps(members, "网格", projection)
        village = village_of.get(key)
        if village is None or village.geometry is None:
            continue  # a village without a boundary cannot hold its grids to one
        for grid in members:
            if grid.geometry is None:
                continue
            outside = area_m2(grid.geometry.difference(village.geometry), projection)
            allowed = tolerance_m2(area_m2(grid.geometry, projection))
            if outside > allowed:
                problems.append(
                    f"网格“{grid.label}”有约 {outside:.0f} 平方米在行政村“{village.label}”"
                    f"的边界之外(允许的误差为 {allowed:.0f} 平方米)"
                )
    return problems
