"""The boundaries as GeoJSON features, and a geometry moved between coordinate systems. Pure.

gridcase stores every boundary in WGS-84, [longitude, latitude], as GeoJSON (RFC 7946)
itself requires. A client whose map draws in GCJ-02 or BD-09 (AMap, Tencent, Baidu) may ask
for, or send, its own system: the coordinates go through `org.boundaries.convert` (position by
position through `core.coords`, as the import command's files do).
"""

from __future__ import annotations

from typing import Any

from gridcase.core import coords
from gridcase.org import boundaries

# What the API says about the coordinates it publishes and expects (the response and schema).
WGS84_NOTE = "WGS-84 经纬度(EPSG:4326),[经度, 纬度],即 GeoJSON(RFC 7946)规定的坐标系"


def convert(geometry: Any, system: coords.System | str, *, to_wgs84: bool) -> Any:
    """The geometry with its coordinates moved into WGS-84 from `system` (`to_wgs84`), or out
    of WGS-84 into `system` (`org.boundaries.convert`). Anything but a geometry with
    coordinates is returned as it is, for the checks to name."""
    if not isinstance(geometry, dict) or "coordinates" not in geometry:
        return geometry
    if coords.System(system) in (coords.System.WGS84, coords.System.CGCS2000):
        return geometry
    moved = boundaries.convert(geometry["coordinates"], system, to_wgs84=to_wgs84)
    return {**geometry, "coordinates": moved}


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
