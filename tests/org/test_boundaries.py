"""The boundary checks (pure): validity in Chinese, overlaps and containment with tolerance."""

from __future__ import annotations

import re

import pytest

from gridcase.org import boundaries
from gridcase.org.boundaries import BoundaryError, Place
from tests.org.geo_fixture import GRIDS, VILLAGES, polygon, rect, ring


def places(villages: dict, grids: dict) -> tuple[list[Place], list[Place]]:
    vs = [Place(name, name, boundaries.parse(g) if g else None) for name, g in villages.items()]
    gs = [
        Place((v, n), f"{v}·{n}", boundaries.parse(g) if g else None, village=v)
        for (v, n), g in grids.items()
    ]
    return vs, gs


def test_the_fixture_town_is_acceptable():
    assert boundaries.check_town(*places(VILLAGES, GRIDS)) == []


def test_a_self_intersecting_boundary_says_where_in_chinese():
    bowtie = polygon(ring((0, 0), (100, 100), (100, 0), (0, 100)))
    with pytest.raises(BoundaryError) as caught:
        boundaries.parse(bowtie)
    assert str(caught.value).startswith("边界线自相交,位置约在 经度 112.9")


@pytest.mark.parametrize(
    "data,message",
    [
        ({"type": "Point", "coordinates": [112.9, 28.2]}, "边界应为面(Polygon 或 MultiPolygon)"),
        ("POLYGON((0 0))", "边界应为 GeoJSON 几何对象"),
        ({"type": "Polygon", "coordinates": [[[200, 0], [0, 1], [1, 1], [200, 0]]]}, "坐标格式"),
        ({"type": "Polygon", "coordinates": [[["a", 0], [0, 1], [1, 1]]]}, "坐标格式"),
        ({"type": "Polygon", "coordinates": "x"}, "坐标格式"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}, "边界的点太少"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "无法组成多边形"),
        ({"type": "Polygon", "coordinates": []}, "边界为空"),
    ],
)
def test_what_is_not_a_polygon_is_named(data, message):
    with pytest.raises(BoundaryError) as caught:
        boundaries.parse(data)
    assert message in str(caught.value)


def test_a_hole_outside_its_shell_is_named():
    data = polygon(rect(0, 0, 100, 100), rect(200, 200, 300, 300))
    with pytest.raises(BoundaryError, match="内部的空洞在外边界之外"):
        boundaries.parse(data)


def test_overlapping_grids_of_a_village_are_named_with_the_area():
    grids = dict(GRIDS)
    grids[("东村", "二组")] = polygon(rect(400, 0, 1000, 1000))  # 100 m into 一组
    problems = boundaries.check_town(*places(VILLAGES, grids))
    # 100 × 1000 m, and the notch of 一组 (200 × 200 / 2 m²): about 120 000 m².
    [problem] = problems
    assert problem.startswith("网格“东村·一组”与“东村·二组”重叠约 1199")


def test_a_sliver_within_the_tolerance_is_accepted():
    # 二组 reaches 1 m into 一组 along 1000 m: 1000 m², under 1 % of 一组's ~0.5 km².
    grids = {
        ("东村", "一组"): polygon(rect(0, 0, 500, 1000)),
        ("东村", "二组"): polygon(rect(499, 0, 1000, 1000)),
    }
    assert boundaries.check_town(*places(VILLAGES, grids)) == []
    grids[("东村", "二组")] = polygon(rect(480, 0, 1000, 1000))  # 20 000 m²: 4 %
    [problem] = boundaries.check_town(*places(VILLAGES, grids))
    # The fixture's projection and the check's are centred apart: within 0.1 %.
    assert re.search(r"重叠约 (1999\d|2000\d) 平方米\(允许的误差为 5000 平方米\)", problem)


def test_grids_of_different_villages_may_not_overlap_either_through_their_villages():
    villages = dict(VILLAGES)
    villages["西村"] = polygon(rect(900, 0, 2000, 1000))
    problems = boundaries.check_town(*places(villages, {}))
    [problem] = problems
    assert re.fullmatch(
        r"行政村“东村”与“西村”重叠约 (999\d\d|1000\d\d) 平方米\(允许的误差为 \d+ 平方米\)",
        problem,
    )


def test_a_grid_outside_its_village_is_named():
    grids = {("东村", "一组"): polygon(rect(-200, 0, 500, 1000))}
    [problem] = boundaries.check_town(*places(VILLAGES, grids))
    assert re.match(
        r"网格“东村·一组”有约 (1999\d\d|2000\d\d) 平方米在行政村“东村”的边界之外", problem
    )


def test_a_village_without_a_boundary_does_not_hold_its_grids():
    villages = {"东村": None}
    grids = {("东村", "一组"): polygon(rect(-200, 0, 500, 1000))}
    assert boundaries.check_town(*places(villages, grids)) == []


def test_areas_are_in_square_metres():
    geometry = boundaries.parse(polygon(rect(0, 0, 1000, 500)))
    projection = boundaries.projection_for([geometry])
    assert boundaries.area_m2(geometry, projection) == pytest.approx(500_000, rel=1e-3)


def test_too_many_points_are_refused():
    many = [[112.9 + i * 1e-6, 28.2] for i in range(boundaries.MAX_POINTS + 1)]
    with pytest.raises(BoundaryError, match="点太多"):
        boundaries.parse({"type": "Polygon", "coordinates": [many]})
