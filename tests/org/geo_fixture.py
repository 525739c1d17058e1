"""A fixture town's boundaries, drawn in metres around a centre and given as GeoJSON.

Village 东村 (0..1000 × 0..1000 m) has three grids: 一组, whose west half has a notch into
二组 and a hole at 100..200 × 100..200 m; 三组, exactly that hole; and 二组, the rest.
Village 西村 is a MultiPolygon: 1000..2000 × 0..1000 m and an exclave at 3000..3500 ×
0..500 m, with one grid per part. Village 北村 (0..1000 × 1000..2000 m) has no grids.
"""

from __future__ import annotations

from gridcase.core.coords import LocalProjection

CENTRE = LocalProjection(28.2, 112.9)


def ring(*points_m: tuple[float, float]) -> list[list[float]]:
    """A closed GeoJSON ring ([lon, lat] pairs) from points in metres."""
    out = []
    for x, y in (*points_m, points_m[0]):
        lat, lon = CENTRE.to_latlon(x, y)
        out.append([lon, lat])
    return out


def rect(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return ring((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def polygon(*rings: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def multipolygon(*polygons: dict) -> dict:
    return {"type": "MultiPolygon", "coordinates": [p["coordinates"] for p in polygons]}


def at(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of a point in metres."""
    return CENTRE.to_latlon(x, y)


NOTCH = [(500, 400), (700, 500), (500, 600)]
VILLAGES = {
    "东村": polygon(rect(0, 0, 1000, 1000)),
    "西村": multipolygon(polygon(rect(1000, 0, 2000, 1000)), polygon(rect(3000, 0, 3500, 500))),
    "北村": polygon(rect(0, 1000, 1000, 2000)),
}
GRIDS = {
    ("东村", "一组"): polygon(
        ring((0, 0), (500, 0), *NOTCH, (500, 1000), (0, 1000)), rect(100, 100, 200, 200)
    ),
    ("东村", "二组"): polygon(ring((500, 0), (1000, 0), (1000, 1000), (500, 1000), *NOTCH[::-1])),
    ("东村", "三组"): polygon(rect(100, 100, 200, 200)),
    ("西村", "一组"): polygon(rect(1000, 0, 2000, 1000)),
    ("西村", "飞地组"): polygon(rect(3000, 0, 3500, 500)),
}
