"""Which village and grid of a town a point is in: point-in-polygon on the boundaries.

Each process keeps, per town, an index of its boundaries (shapely STRtrees of the grids and
the villages), built on first use and rebuilt when the town's `boundaries_version` changes
(`boundary_services` renews it with every change, in the same transaction). Checking the
version costs one small query per call; the index is a few polygons per village.

The rules, in order:
- a point in a grid is in that grid and its village;
- a point in no grid but in a village is in that village, with no grid (a village whose grids
  have no boundaries yet, or a sliver the checks tolerated);
- anywhere else: None (the caller says so and lets a person choose).
A point exactly on a shared border, or in a sliver two polygons share within the checks'
tolerance, belongs to the grid (or village) with the lowest id: an arbitrary rule, but the
same answer every time and in every process. Holes are respected: a point inside a grid's
hole is not in that grid (it is in whatever grid fills the hole, if any).
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import Point, shape

from .models import Grid, Town, Village


@dataclass(frozen=True)
class _Layer:
    """Polygons and the ids they belong to, with their index; ids ascending."""

    ids: list[int]
    tree: shapely.STRtree | None

    @classmethod
    def of(cls, rows: list[tuple[int, dict]]) -> _Layer:
        rows = sorted(rows)
        if not rows:
            return cls([], None)
        return cls([pk for pk, _ in rows], shapely.STRtree([shape(g) for _, g in rows]))

    def lowest_hit(self, point: Point) -> int | None:
        if self.tree is None:
            return None
        hits = self.tree.query(point, predicate="intersects")
        # The tree's indices follow `ids`, which ascend: the smallest index is the lowest id.
        return self.ids[int(hits.min())] if len(hits) else None


@dataclass(frozen=True)
class _Index:
    version: str
    grids: _Layer
    villages: _Layer
    village_of_grid: dict[int, int]


_indexes: dict[int, _Index] = {}


def _index(town_id: int, version: str) -> _Index:
    found = _indexes.get(town_id)
    if found is not None and found.version == version:
        return found
    grids = list(
        Grid.objects.filter(village__town_id=town_id, boundary__isnull=False).values_list(
            "pk", "village_id", "boundary"
        )
    )
    villages = Village.objects.filter(town_id=town_id, boundary__isnull=False).values_list(
        "pk", "boundary"
    )
    index = _Index(
        version=version,
        grids=_Layer.of([(pk, geometry) for pk, _, geometry in grids]),
        villages=_Layer.of(list(villages)),
        village_of_grid={pk: village_id for pk, village_id, _ in grids},
    )
    # A plain assignment: two threads building at once both build the same index.
    _indexes[town_id] = index
    return index


def locate_ids(town_id: int, lat: float, lon: float) -> tuple[int, int | None] | None:
    """(village id, grid id or None) of the WGS-84 point, or None outside every boundary."""
    version = Town.objects.filter(pk=town_id).values_list("boundaries_version", flat=True).first()
    if version is None:
        return None
    index = _index(town_id, version)
    point = Point(lon, lat)  # GeoJSON's order: x is the longitude
    grid_id = index.grids.lowest_hit(point)
    if grid_id is not None:
        return index.village_of_grid[grid_id], grid_id
    village_id = index.villages.lowest_hit(point)
    return None if village_id is None else (village_id, None)


def locate(town: Town, lat: float, lon: float) -> tuple[Village, Grid | None] | None:
    """The village and grid (or None) of the town that the WGS-84 point is in, or None."""
    found = locate_ids(town.pk, lat, lon)
    if found is None:
        return None
    village_id, grid_id = found
    if grid_id is not None:
        grid = Grid.objects.select_related("village").get(pk=grid_id)
        return grid.village, grid
    return Village.objects.get(pk=village_id), None
