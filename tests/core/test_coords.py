"""WGS-84 ⇄ GCJ-02 ⇄ BD-09: published reference pairs, and round trips within 2 m."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcase.core import coords
from gridcase.core.coords import System

# googollee/eviltransform's test points: (wgs lat, wgs lon, gcj lat, gcj lon).
WGS_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
# wandergis/coordtransform's README (lat, lon here): the BD-09 formulas, both ways, and
# WGS-84 → GCJ-02 once more (its GCJ → WGS value is the one-step inverse, 1–2 m off).
COORDTRANSFORM = [
    (coords.bd09_to_gcj02, (39.915, 116.404), (39.90865673957631, 116.39762729119315)),
    (coords.gcj02_to_bd09, (39.915, 116.404), (39.92133699351021, 116.41036949371029)),
    (coords.wgs84_to_gcj02, (39.915, 116.404), (39.91640428150164, 116.41024449916938)),
]
ONE_STEP_GCJ_TO_WGS = ((39.915, 116.404), (39.91359571849836, 116.39775550083061))

# Inside China's box with a margin, so that the GCJ shift never leaves it.
china_lat = st.floats(min_value=3.0, max_value=53.0)
china_lon = st.floats(min_value=74.0, max_value=135.0)


@pytest.mark.parametrize("wlat,wlon,glat,glon", WGS_GCJ)
def test_the_published_pairs_wgs_to_gcj(wlat, wlon, glat, glon):
    lat, lon = coords.wgs84_to_gcj02(wlat, wlon)
    assert lat == pytest.approx(glat, abs=1e-9)
    assert lon == pytest.approx(glon, abs=1e-9)


@pytest.mark.parametrize("wlat,wlon,glat,glon", WGS_GCJ)
def test_the_published_pairs_gcj_to_wgs(wlat, wlon, glat, glon):
    lat, lon = coords.to_wgs84(glat, glon, "gcj02")
    assert coords.distance_m(lat, lon, wlat, wlon) < 0.01


@pytest.mark.parametrize("convert,point,expected", COORDTRANSFORM)
def test_the_published_pairs_of_coordtransform(convert, point, expected):
    lat, lon = convert(*point)
    assert lat == pytest.approx(expected[0], abs=1e-9)
    assert lon == pytest.approx(expected[1], abs=1e-9)


def test_the_iterated_inverse_is_close_to_the_one_step_one():
    (glat, glon), expected = ONE_STEP_GCJ_TO_WGS
    lat, lon = coords.gcj02_to_wgs84(glat, glon)
    assert 0 < coords.distance_m(lat, lon, *expected) < 2
    # ... and exact: it maps back onto the GCJ-02 point.
    assert coords.distance_m(glat, glon, *coords.wgs84_to_gcj02(lat, lon)) < 0.001


def test_outside_china_gcj_is_the_identity():
    for lat, lon in [(48.8566, 2.3522), (35.6762, 139.6503), (-33.86, 151.2), (60.0, 100.0)]:
        assert coords.wgs84_to_gcj02(lat, lon) == (lat, lon)
        assert coords.gcj02_to_wgs84(lat, lon) == (lat, lon)
    assert coords.in_china(31.2, 121.5)
    assert not coords.in_china(35.6762, 139.6503)


def test_cgcs2000_and_wgs84_are_the_same():
    assert coords.to_wgs84(30.5, 114.3, "cgcs2000") == (30.5, 114.3)
    assert coords.from_wgs84(30.5, 114.3, System.WGS84) == (30.5, 114.3)


def test_an_unknown_system_is_refused():
    with pytest.raises(ValueError):
        coords.to_wgs84(30.5, 114.3, "mars")


@settings(max_examples=500)
@given(china_lat, china_lon)
def test_gcj_round_trip_within_2_m(lat, lon):
    back = coords.gcj02_to_wgs84(*coords.wgs84_to_gcj02(lat, lon))
    assert coords.distance_m(lat, lon, *back) < 2
    again = coords.wgs84_to_gcj02(*coords.gcj02_to_wgs84(lat, lon))
    assert coords.distance_m(lat, lon, *again) < 2


@settings(max_examples=500)
@given(china_lat, china_lon, st.sampled_from(list(System)))
def test_every_system_round_trips_within_2_m(lat, lon, system):
    back = coords.to_wgs84(*coords.from_wgs84(lat, lon, system), system)
    assert coords.distance_m(lat, lon, *back) < 2


@given(st.floats(min_value=-80, max_value=80), st.floats(min_value=-179, max_value=179))
def test_bd_round_trip_everywhere(lat, lon):
    back = coords.bd09_to_gcj02(*coords.gcj02_to_bd09(lat, lon))
    assert coords.distance_m(lat, lon, *back) < 2


def test_the_shift_is_hundreds_of_metres_in_china():
    # Not a no-op: GCJ-02 moves Shanghai by about 500 m, BD-09 by about a kilometre.
    lat, lon = 31.2304, 121.4737
    assert 300 < coords.distance_m(lat, lon, *coords.wgs84_to_gcj02(lat, lon)) < 800
    assert 700 < coords.distance_m(lat, lon, *coords.wgs84_to_bd09(lat, lon)) < 1500


def test_distance_and_local_projection():
    # One degree of latitude is about 111.2 km.
    assert coords.distance_m(30.0, 114.0, 31.0, 114.0) == pytest.approx(111_195, rel=1e-3)
    proj = coords.LocalProjection(30.0, 114.0)
    x, y = proj.to_xy(30.01, 114.01)
    assert (x, y) == (pytest.approx(963.0, rel=1e-2), pytest.approx(1112.0, rel=1e-2))
    assert proj.to_latlon(x, y) == (pytest.approx(30.01), pytest.approx(114.01))
    assert (x**2 + y**2) ** 0.5 == pytest.approx(
        coords.distance_m(30.0, 114.0, 30.01, 114.01), rel=1e-3
    )
