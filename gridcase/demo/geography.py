"""The demo town's map: irregular village and grid boundaries, and points inside them.

The villages tile a 4 × 3 lattice whose inner vertices are jittered, so that neighbours share
their borders exactly (the same vertices) and no two overlap; a village with two grids is cut
in two between the midpoints of its north and south borders. Everything is drawn in metres
around a centre in the hills east of Changsha (the demo's phone numbers are 0731) and given
as GeoJSON in WGS-84, as `gridcase boundaries` would store it.
"""

from __future__ import annotations

import random

from shapely.geometry import Point, Polygon, shape

from gridcase.core.coords import LocalProjection

CENTRE = LocalProjection(28.135, 113.335)
COLUMNS, ROWS = 4, 3
STEP_X, STEP_Y = 1500.0, 1300.0
JITTER = 220.0  # metres: well under a sixth of a step, so every quadrilateral stays simple


def _lattice(seed: int) -> list[list[tuple[float, float]]]:
    rng = random.Random(seed)
    left, bottom = -COLUMNS * STEP_X / 2, -ROWS * STEP_Y / 2
    return [
        [
            (
                left + i * STEP_X + rng.uniform(-JITTER, JITTER),
                bottom + j * STEP_Y + rng.uniform(-JITTER, JITTER),
            )
            for j in range(ROWS + 1)
        ]
        for i in range(COLUMNS + 1)
    ]


def _geojson(points: list[tuple[float, float]]) -> dict:
    ring = []
    for x, y in (*points, points[0]):
        lat, lon = CENTRE.to_latlon(x, y)
        ring.append([round(lon, 7), round(lat, 7)])
    return {"type": "Polygon", "coordinates": [ring]}


def _midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def boundaries(grid_counts: list[int], seed: int = 13) -> list[tuple[dict, list[dict]]]:
    """For each village in order (at most 12), its boundary and its grids' (1 or 2)."""
    lattice = _lattice(seed)
    out = []
    for n, count in enumerate(grid_counts):
        i, j = n % COLUMNS, n // COLUMNS
        sw, se = lattice[i][j], lattice[i + 1][j]
        ne, nw = lattice[i + 1][j + 1], lattice[i][j + 1]
        village = _geojson([sw, se, ne, nw])
        if count == 1:
            grids = [village]
        else:
            south, north = _midpoint(sw, se), _midpoint(nw, ne)
            grids = [_geojson([sw, south, north, nw]), _geojson([south, se, ne, north])]
        out.append((village, grids))
    return out


class Scatter:
    """Points inside polygons, drawn from their own random stream (so that adding points
    leaves the rest of the demo's draws as they were)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._shapes: dict[int, Polygon] = {}

    def point_in(self, key: int, geometry: dict) -> tuple[float, float]:
        """A (lat, lon) inside the geometry, rounded to the six decimals cases keep."""
        polygon = self._shapes.get(key)
        if polygon is None:
            polygon = self._shapes[key] = shape(geometry).buffer(-0.0001)  # ~10 m inside
        minx, miny, maxx, maxy = polygon.bounds
        while True:
            lon = round(self.rng.uniform(minx, maxx), 6)
            lat = round(self.rng.uniform(miny, maxy), 6)
            if polygon.contains(Point(lon, lat)):
                return lat, lon
