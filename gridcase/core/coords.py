"""Coordinate systems of Chinese maps, converted to and from WGS-84. Pure.

gridcase stores every point in WGS-84 (issue 13). CGCS2000, the national datum, differs from
WGS-84 by centimetres and is treated as equal. GCJ-02 is the obfuscated system the law
requires of published maps in China (WeChat, AMap, Tencent); BD-09 is Baidu's further offset
of GCJ-02. Their formulas are the well-known published ones (as in googollee/eviltransform):
GCJ-02 is applied only inside a rough bounding box of China and is the identity outside it,
as every map app does.

GCJ-02 has no closed-form inverse: `gcj02_to_wgs84` solves it by fixed-point iteration to
well under a millimetre, so a round trip stays within centimetres (tests hold it to 2 m).
Near the bounding box's edges (72°E, 137.8°E, 0.8°N, 55.8°N: far from any town) the forward
shift may jump the box, and there the inverse is only as good as the shift allows.

Every function takes and returns (latitude, longitude) in degrees, in that order, as the
cases store them.
"""

from __future__ import annotations

import math
from enum import StrEnum

# Krasovsky 1940, the ellipsoid of the GCJ-02 formulas.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
# The mean Earth radius, for distances and the local projection (metres).
EARTH_RADIUS_M = 6371008.8
# The range of a latitude and a longitude in decimal degrees, whoever reads one (forms, API,
# ledger, boundaries).
MAX_LATITUDE = 90
MAX_LONGITUDE = 180
DEGREE_BOUNDS = {"latitude": MAX_LATITUDE, "longitude": MAX_LONGITUDE}

# The inverse stops when a step moves the point by less than this (degrees, ~1 mm).
_INVERSE_TOLERANCE = 1e-8
_INVERSE_MAX_STEPS = 30


class System(StrEnum):
    """The coordinate systems a client may state for the points it sends."""

    WGS84 = "wgs84"
    CGCS2000 = "cgcs2000"
    GCJ02 = "gcj02"
    BD09 = "bd09"


def in_china(lat: float, lon: float) -> bool:
    """The rough bounding box inside which GCJ-02 shifts points (the published one)."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _shift(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02's offset at a WGS-84 point, in degrees (dlat, dlon)."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += common
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if not in_china(lat, lon):
        return lat, lon
    dlat, dlon = _shift(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 image is (lat, lon): iterate p ← p - (f(p) - target).

    The shift changes by millimetres over hundreds of metres, so each step gains about four
    orders of magnitude; three steps are usually enough."""
    if not in_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(_INVERSE_MAX_STEPS):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        dlat, dlon = glat - lat, glon - lon
        wlat, wlon = wlat - dlat, wlon - dlon
        if abs(dlat) < _INVERSE_TOLERANCE and abs(dlon) < _INVERSE_TOLERANCE:
            break
    return wlat, wlon


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def wgs84_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))


def to_wgs84(lat: float, lon: float, system: System | str) -> tuple[float, float]:
    """A point stated in `system`, in WGS-84 (what gridcase stores)."""
    system = System(system)
    if system is System.GCJ02:
        return gcj02_to_wgs84(lat, lon)
    if system is System.BD09:
        return bd09_to_wgs84(lat, lon)
    return lat, lon  # WGS-84, and CGCS2000 which differs from it by centimetres


def from_wgs84(lat: float, lon: float, system: System | str) -> tuple[float, float]:
    """A stored WGS-84 point, in `system` (for a map that draws in GCJ-02 or BD-09)."""
    system = System(system)
    if system is System.GCJ02:
        return wgs84_to_gcj02(lat, lon)
    if system is System.BD09:
        return wgs84_to_bd09(lat, lon)
    return lat, lon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres (haversine on the mean sphere: within 0.5 %)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


class LocalProjection:
    """An equirectangular projection around a centre, in metres: x east, y north.

    Over a town (tens of kilometres) its distortion of areas is a fraction of a percent,
    which is all the boundary checks' tolerances need; it avoids a projection library."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self._kx = math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
        self._ky = math.radians(1.0) * EARTH_RADIUS_M

    @property
    def metres_per_degree(self) -> tuple[float, float]:
        """(east, north): the scale of one degree of longitude and of latitude."""
        return self._kx, self._ky

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * self._kx, (lat - self.lat0) * self._ky

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        return self.lat0 + y / self._ky, self.lon0 + x / self._kx
