"""The header of a PMTiles v3 archive (the town's base map as one file): what kind of tiles it
holds and where, read from its first 127 bytes. The tiles themselves are read by the browser
(the vendored `pmtiles` / `protomaps-leaflet` libraries) through HTTP ranges; the server only
needs to know the kind, to tell the page which library draws it.

The layout is the specification's (github.com/protomaps/PMTiles, spec/v3/spec.md): all numbers
little-endian, positions in degrees times 10^7.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

HEADER_BYTES = 127
_LAYOUT = struct.Struct("<7sB11QBBBBBBiiiiBii")
assert _LAYOUT.size == HEADER_BYTES

# The tile type byte (spec: 0 unknown, 1 MVT, 2 PNG, 3 JPEG, 4 WebP, 5 AVIF, 6 MapLibre Tiles).
TILE_TYPES = {1: "mvt", 2: "png", 3: "jpeg", 4: "webp", 5: "avif", 6: "mlt"}
RASTER = frozenset({"png", "jpeg", "webp", "avif"})


class NotPMTiles(ValueError):
    """The bytes are not a PMTiles v3 header (another format, another version, cut short)."""


@dataclass(frozen=True)
class Header:
    tile_type: str  # "mvt", "png", "jpeg", "webp", "avif", "mlt" or "unknown"
    min_zoom: int
    max_zoom: int
    # West, south, east, north in degrees (WGS-84).
    bounds: tuple[float, float, float, float]

    @property
    def kind(self) -> str:
        """ "raster" (images), "vector" (Mapbox Vector Tiles) or "" (nothing the map draws)."""
        if self.tile_type in RASTER:
            return "raster"
        return "vector" if self.tile_type == "mvt" else ""


def parse_header(data: bytes) -> Header:
    if len(data) < HEADER_BYTES:
        raise NotPMTiles(f"only {len(data)} bytes, a PMTiles header has {HEADER_BYTES}")
    fields = _LAYOUT.unpack_from(data)
    magic, version = fields[0], fields[1]
    if magic != b"PMTiles":
        raise NotPMTiles("it does not start with “PMTiles”")
    if version != 3:
        raise NotPMTiles(f"it is PMTiles version {version}, not 3 (convert it: pmtiles convert)")
    tile_type, min_zoom, max_zoom = fields[16], fields[17], fields[18]
    west, south, east, north = (value / 10_000_000 for value in fields[19:23])
    return Header(
        tile_type=TILE_TYPES.get(tile_type, "unknown"),
        min_zoom=min_zoom,
        max_zoom=max_zoom,
        bounds=(west, south, east, north),
    )


def read_header(path: Path) -> Header:
    """Raises OSError when the file cannot be read, NotPMTiles when it is not PMTiles v3."""
    with path.open("rb") as f:
        return parse_header(f.read(HEADER_BYTES))
