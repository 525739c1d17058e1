"""Small PMTiles archives for the base-map tests, written by the `pmtiles` package (the
reference implementation's Python writer): a few tiles around a point, all the same image."""

from __future__ import annotations

import io
import math
from pathlib import Path

from PIL import Image
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

# Around the test town's cases (28.1 N, 112.9 E): west, south, east, north.
BOX = (112.85, 28.05, 112.95, 28.15)
TILE_RGB = (40, 160, 90)


def png_tile(rgb: tuple[int, int, int] = TILE_RGB) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), rgb).save(out, format="PNG")
    return out.getvalue()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:  # a length-delimited protobuf field
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def mvt_earth_tile() -> bytes:
    """A Mapbox Vector Tile (v2) whose "earth" layer is one square over the whole tile: what a
    Protomaps basemap tile of dry land holds, by hand, in protobuf."""
    extent = 4096
    zigzag = lambda v: (v << 1) ^ (v >> 31)  # noqa: E731
    geometry = [
        1 | 1 << 3, zigzag(0), zigzag(0),  # MoveTo(0, 0)
        2 | 3 << 3,  # LineTo ×3, relative moves
        zigzag(extent), zigzag(0), zigzag(0), zigzag(extent), zigzag(-extent), zigzag(0),
        7 | 1 << 3,  # ClosePath
    ]  # fmt: skip
    feature = _varint(3 << 3) + _varint(3)  # type: POLYGON
    feature += _field(4, b"".join(_varint(v) for v in geometry))
    layer = _varint(15 << 3) + _varint(2)  # version 2
    layer += _field(1, b"earth") + _field(2, feature) + _varint(5 << 3) + _varint(extent)
    return _field(3, layer)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The slippy-map tile (x, y) holding the point at zoom z (Web Mercator)."""
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(x, n - 1), min(y, n - 1)


def write_archive(
    path: Path,
    *,
    tile: bytes | None = None,
    tile_type: TileType = TileType.PNG,
    max_zoom: int = 12,
    box: tuple[float, float, float, float] = BOX,
) -> Path:
    """Every tile over `box` from zoom 0 to max_zoom, each `tile` (a green PNG by default)."""
    data = png_tile() if tile is None else tile
    west, south, east, north = box
    ids = []
    for z in range(max_zoom + 1):
        x0, y0 = tile_of(west, north, z)
        x1, y1 = tile_of(east, south, z)
        ids += [zxy_to_tileid(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    with path.open("wb") as f:
        writer = Writer(f)
        for tile_id in sorted(ids):
            writer.write_tile(tile_id, data)
        writer.finalize(
            {
                "tile_type": tile_type,
                "tile_compression": Compression.NONE,
                "min_lon_e7": round(west * 10_000_000),
                "min_lat_e7": round(south * 10_000_000),
                "max_lon_e7": round(east * 10_000_000),
                "max_lat_e7": round(north * 10_000_000),
                "center_zoom": max_zoom,
            },
            {"name": "test town", "attribution": ""},
        )
    return path
