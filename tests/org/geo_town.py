"""The test town (tests/factories.make_town) mapped with geo_fixture's shapes, for placing
cases by their point: 东村 0..1000 × 0..1000 m, its 第一网格 the west half and a new 第二网格
the east half; 西村 1000..2000 × 0..1000 m (its 第一网格) with an exclave at 3000..3500 ×
0..500 m that no grid covers. Points are (lat, lon), as cases store them."""

from __future__ import annotations

from gridcase.org.boundary_services import set_boundaries
from gridcase.org.models import Grid
from tests.factories import TestTown
from tests.org.geo_fixture import at, multipolygon, polygon, rect

IN_EAST_FIRST = at(250, 500)  # 东村 · 第一网格 (the officer's own grid)
IN_EAST_SECOND = at(750, 500)  # 东村 · 第二网格
IN_WEST = at(1500, 500)  # 西村 · 第一网格
IN_WEST_EXCLAVE = at(3250, 250)  # 西村, no grid
OUTSIDE = at(2500, 500)  # between 西村's parts: in no village


def map_town(t: TestTown) -> Grid:
    """Set the boundaries; return 东村's new 第二网格."""
    second = Grid.objects.create(village=t.village, name="第二网格")
    west_grid = Grid.objects.get(village=t.other_village)
    set_boundaries(
        by=None,
        town=t.town,
        villages={
            t.village: polygon(rect(0, 0, 1000, 1000)),
            t.other_village: multipolygon(
                polygon(rect(1000, 0, 2000, 1000)), polygon(rect(3000, 0, 3500, 500))
            ),
        },
        grids={
            t.grid: polygon(rect(0, 0, 500, 1000)),
            second: polygon(rect(500, 0, 1000, 1000)),
            west_grid: polygon(rect(1000, 0, 2000, 1000)),
        },
    )
    t.town.refresh_from_db()
    return second
