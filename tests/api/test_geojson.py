"""A geometry moved between coordinate systems, and the features (pure)."""

from __future__ import annotations

import pytest

from gridcase.api import geojson
from gridcase.core import coords

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[112.9, 28.2], [112.91, 28.2], [112.91, 28.21], [112.9, 28.21], [112.9, 28.2]]
    ],
}


def test_wgs84_and_cgcs2000_are_returned_unchanged():
    for system in ("wgs84", "cgcs2000"):
        assert geojson.convert(SQUARE, system, to_wgs84=False) is SQUARE
        assert geojson.convert(SQUARE, system, to_wgs84=True) is SQUARE


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_a_round_trip_comes_back_within_a_metre(system):
    out = geojson.convert(SQUARE, system, to_wgs84=False)
    assert out["type"] == "Polygon"
    lon, lat = SQUARE["coordinates"][0][0]
    olat, olon = coords.from_wgs84(lat, lon, system)
    assert out["coordinates"][0][0] == pytest.approx([olon, olat])
    back = geojson.convert(out, system, to_wgs84=True)
    for (lon, lat), (blon, blat) in zip(
        SQUARE["coordinates"][0], back["coordinates"][0], strict=True
    ):
        assert coords.distance_m(lat, lon, blat, blon) < 1  # BD-09 rounds by centimetres


def test_a_multipolygon_is_converted_and_a_height_dropped():
    multi = {"type": "MultiPolygon", "coordinates": [[[[112.9, 28.2, 50.0]]]]}
    out = geojson.convert(multi, "gcj02", to_wgs84=False)
    [lon, lat] = out["coordinates"][0][0][0]  # boundaries are stored flat
    assert (lat, lon) == pytest.approx(coords.wgs84_to_gcj02(28.2, 112.9))


def test_what_is_not_a_position_is_left_for_the_checks_to_name():
    for odd in (None, 5, "x", {"type": "Polygon"}, {"type": "Polygon", "coordinates": "x"}):
        assert geojson.convert(odd, "gcj02", to_wgs84=True) == odd
    mixed = {"type": "Polygon", "coordinates": [[["a", 1], [112.9, 28.2], True]]}
    out = geojson.convert(mixed, "gcj02", to_wgs84=True)
    assert out["coordinates"][0][0] == ["a", 1] and out["coordinates"][0][2] is True
    assert out["coordinates"][0][1] != [112.9, 28.2]
    # Deeper than any polygon: not walked (a crafted nesting cannot exhaust the stack).
    deep: list = [112.9, 28.2]
    for _ in range(5000):
        deep = [deep]
    assert geojson.convert({"type": "Polygon", "coordinates": deep}, "bd09", to_wgs84=True)


def test_a_feature_alone_says_its_coordinate_system():
    grid = geojson.feature(
        kind="grid", pk=3, name="一组", town="ct", geometry=None, village=(1, "东村"), system="bd09"
    )
    assert grid["coordinate_system"] == "bd09" and grid["id"] == "grid-3"
    assert grid["properties"]["village"] == 1 and grid["properties"]["village_name"] == "东村"
    village = geojson.feature(kind="village", pk=1, name="东村", town="ct", geometry=None)
    assert "coordinate_system" not in village and village["properties"]["village"] is None
    assert geojson.collection([village], "wgs84") == {
        "type": "FeatureCollection",
        "coordinate_system": "wgs84",
        "features": [village],
    }
