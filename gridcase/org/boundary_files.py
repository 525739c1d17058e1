"""Boundaries as a town's surveying office or GIS hands them over: GeoJSON and KML files.

Reading only (no database): a file becomes a list of `Feature`s, each naming a village, or a
village and a grid, with its geometry as a GeoJSON dict in WGS-84; every problem is listed
with the feature's number and name, in Chinese. `boundary_services.import_boundaries`
matches the names with the town's villages and grids and writes.

Which place a feature is:
- GeoJSON: a FeatureCollection; each feature's properties name the village as `village` or
  `行政村`, and for a grid also the grid as `grid` or `网格`. Without those, `name` (or `名称`)
  is read as "村" for a village or "村·网格" (also "村/网格") for a grid.
- KML: every Placemark with a Polygon or a MultiGeometry of Polygons; its ExtendedData (Data
  or SimpleData) may carry the same names as GeoJSON's properties, else its <name> is read
  as above.

KML is parsed with the standard library's ElementTree under a size limit, and a file with a
DOCTYPE (where entities would be declared) is refused outright: entities are never expanded
nor fetched.

Coordinates in GCJ-02 or BD-09 (a file drawn on a Chinese web map) are converted to WGS-84
when the caller says so (`system`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gridcase.core.coords import System

from .boundaries import convert

MAX_BYTES = 20 * 1024 * 1024  # a town's boundaries are kilobytes to a few megabytes
VILLAGE_KEYS = ("village", "行政村")
GRID_KEYS = ("grid", "网格")
NAME_KEYS = ("name", "名称")
SEPARATORS = ("·", "/", "／")


class BoundaryFileError(ValueError):
    """The file as a whole cannot be read; the message is Chinese."""


@dataclass(frozen=True)
class Feature:
    number: int  # 1-based, in the file's order
    label: str  # how the file names it, for messages
    village: str
    grid: str  # "" for a village's boundary
    geometry: dict[str, Any]


def _names(props: dict[str, Any], fallback: str) -> tuple[str, str]:
    def first(keys: tuple[str, ...]) -> str:
        for key in keys:
            value = props.get(key)
            if value is not None and str(value).strip():
                return " ".join(str(value).split())
        return ""

    village, grid = first(VILLAGE_KEYS), first(GRID_KEYS)
    if village:
        return village, grid
    name = first(NAME_KEYS) or " ".join(fallback.split())
    for sep in SEPARATORS:
        if sep in name:
            left, _, right = name.partition(sep)
            return left.strip(), right.strip()
    return name, ""


def _label(number: int, village: str, grid: str) -> str:
    name = f"{village}·{grid}" if grid else village
    return f"第 {number} 个要素" + (f"({name})" if name else "")


def _feature(number: int, props: Any, fallback: str, geometry: Any, system: System) -> Feature:
    props = props if isinstance(props, dict) else {}
    village, grid = _names(props, fallback)
    if isinstance(geometry, dict):
        geometry = {**geometry, "coordinates": convert(geometry.get("coordinates"), system)}
    return Feature(number, _label(number, village, grid), village, grid, geometry)


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise BoundaryFileError(f"文件过大(超过 {MAX_BYTES // 1024 // 1024} MB)")


def read_geojson(data: bytes, system: System | str = System.WGS84) -> list[Feature]:
    _check_size(data)
    system = System(system)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BoundaryFileError("GeoJSON 文件应为 UTF-8 编码") from None
    except json.JSONDecodeError as exc:
        raise BoundaryFileError(f"不是有效的 JSON(第 {exc.lineno} 行: {exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise BoundaryFileError("GeoJSON 应为 FeatureCollection(要素集合)")
    features = doc.get("features")
    if not isinstance(features, list):
        raise BoundaryFileError("GeoJSON 的 features 应为列表")
    return [
        _feature(
            n,
            f.get("properties") if isinstance(f, dict) else None,
            "",
            f.get("geometry") if isinstance(f, dict) else None,
            system,
        )
        for n, f in enumerate(features, start=1)
    ]


# ---------------------------------------------------------------- KML


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _descendants(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element.iter() if _local(child.tag) == name)


def _ring(element: ET.Element) -> list[list[float]]:
    text = " ".join(c.text or "" for c in _descendants(element, "coordinates"))
    ring = []
    for chunk in text.split():
        parts = chunk.split(",")
        try:
            ring.append([float(parts[0]), float(parts[1])])
        except (ValueError, IndexError):
            raise ValueError(f"坐标“{chunk[:40]}”不是 经度,纬度") from None
    return ring


def _polygon(element: ET.Element) -> list[list[list[float]]]:
    rings = [_ring(b) for b in _children(element, "outerBoundaryIs")]
    rings += [_ring(b) for b in _children(element, "innerBoundaryIs")]
    return rings


def _kml_geometry(placemark: ET.Element) -> dict[str, Any]:
    polygons = [_polygon(p) for p in _descendants(placemark, "Polygon")]
    if not polygons:
        raise ValueError("没有多边形(Polygon)")
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _kml_props(placemark: ET.Element) -> dict[str, str]:
    props = {}
    for data in _descendants(placemark, "Data"):
        value = next(_children(data, "value"), None)
        props[data.get("name", "")] = (value.text or "") if value is not None else ""
    for data in _descendants(placemark, "SimpleData"):
        props[data.get("name", "")] = data.text or ""
    return props


def read_kml(data: bytes, system: System | str = System.WGS84) -> tuple[list[Feature], list[str]]:
    """The Placemarks with polygons, and the problems of those whose geometry cannot be
    read (numbered like the features)."""
    _check_size(data)
    system = System(system)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BoundaryFileError("KML 文件应为 UTF-8 编码") from None
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise BoundaryFileError("KML 文件不能包含 DOCTYPE 或实体声明")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else "?"
        raise BoundaryFileError(f"不是有效的 KML(第 {line} 行)") from None
    features, problems = [], []
    for number, placemark in enumerate(_descendants(root, "Placemark"), start=1):
        name_element = next(_children(placemark, "name"), None)
        name = (name_element.text or "") if name_element is not None else ""
        props = _kml_props(placemark)
        try:
            geometry = _kml_geometry(placemark)
        except ValueError as exc:
            village, grid = _names(props, name)
            problems.append(f"{_label(number, village, grid)}:{exc}")
            continue
        features.append(_feature(number, props, name, geometry, system))
    return features, problems
