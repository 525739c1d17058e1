"""The boundaries as GeoJSON features, and a geometry moved between coordinate systems. Pure.

gridcase stores every boundary in WGS-84, [longitude, latitude], as GeoJSON (RFC 7946)
itself requires. A client whose map draws in GCJ-02 or BD-09 (AMap, Tencent, Baidu) may ask
for, or send, its own system: each position goes through `core.coords`, the one home of the
conversions. A position that is not a pair (or triple) of numbers is left as it is, so that
the boundary checks (`org.boundaries.parse`) can say what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gridcase.core import coords

# What the API says about the coordinates it publishes and expects (the response and schema).
WGS84_NOTE = "WGS-84 经纬度(EPSG:4326),[经度, 纬度],即 GeoJSON(RFC 7946)规定的坐标系"

PointFn = Callable[[float, float], tuple[float, float]]


def _is_position(item: Any) -> bool:
    return (
        isinstance(item, list)
        and len(item) in (2, 3)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in item)
    )


# A MultiPolygon's positions lie three lists deep in its coordinates; deeper is not a polygon
# (and the checks will say so), so the walk stops there rather than follow any nesting.
_MAX_DEPTH = 3


def _map_positions(item: Any, fn: PointFn, depth: int = 0) -> Any:
    if _is_position(item):
        lat, lon = fn(item[1], item[0])
        return [lon, lat, *item[2:]]
    if isinstance(item, list) and depth < _MAX_DEPTH:
        return [_map_positions(inner, fn, depth + 1) for inner in item]
    return item


def convert(geometry: Any, system: coords.System | str, *, to_wgs84: bool) -> Any:
    """The geometry with every position moved into WGS-84 from `system` (`to_wgs84`), or out of
    WGS-84 into `system`. WGS-84 and CGCS2000 (centimetres apart) are returned unchanged."""
    system = coords.System(system)
    if geometry is None or system in (coords.System.WGS84, coords.System.CGCS2000):
        return geometry
    if not isinstance(geometry, dict) or "coordinates" not in geometry:
        return geometry
    if to_wgs84:

        def fn(lat: float, lon: float) -> tuple[float, float]:
            return coords.to_wgs84(lat, lon, system)

    else:

        def fn(lat: float, lon: float) -> tuple[float, float]:
            return coords.from_wgs84(lat, lon, system)

    return {**geometry, "coordinates": _map_positions(geometry["coordinates"], fn)}


def feature(
    *,
    kind: str,
    pk: int,
    name: str,
    town: str,
    geometry: Any,
    village: tuple[int, str] | None = None,
    system: coords.System | str | None = None,
) -> dict[str, Any]:
    """One village (`village` None) or grid (`village`: its village's id and name); alone (not
    in a collection), it says its coordinate system (`system`)."""
    stated = {"coordinate_system": coords.System(system).value} if system else {}
    return {
        "type": "Feature",
        **stated,
        "id": f"{kind}-{pk}",
        "geometry": geometry,
        "properties": {
            "kind": kind,
            "id": pk,
            "name": name,
            "village": village[0] if village else None,
            "village_name": village[1] if village else None,
            "town": town,
        },
    }


def collection(features: list[dict[str, Any]], system: coords.System | str) -> dict[str, Any]:
    """The features as a FeatureCollection that says its coordinate system."""
    return {
        "type": "FeatureCollection",
        "coordinate_system": coords.System(system).value,
        "features": features,
    }
