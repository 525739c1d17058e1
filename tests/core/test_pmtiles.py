"""The PMTiles header: the kind of tiles and the area of the town's base-map file."""

from __future__ import annotations

import pytest
from pmtiles.tile import TileType

from gridcase.core.pmtiles import HEADER_BYTES, NotPMTiles, parse_header, read_header
from tests.basemaps import BOX, write_archive


def test_a_raster_archive_is_raster_with_its_zooms_and_area(tmp_path):
    header = read_header(write_archive(tmp_path / "town.pmtiles", max_zoom=9))
    assert header.tile_type == "png" and header.kind == "raster"
    assert (header.min_zoom, header.max_zoom) == (0, 9)
    assert header.bounds == pytest.approx(BOX)


@pytest.mark.parametrize(
    ("tile_type", "name", "kind"),
    [
        (TileType.MVT, "mvt", "vector"),
        (TileType.JPEG, "jpeg", "raster"),
        (TileType.WEBP, "webp", "raster"),
        (TileType.MLT, "mlt", ""),  # MapLibre Tiles: nothing the vendored libraries draw
        (TileType.UNKNOWN, "unknown", ""),
    ],
)
def test_the_tile_type_says_which_library_draws_it(tmp_path, tile_type, name, kind):
    header = read_header(write_archive(tmp_path / "t.pmtiles", tile=b"x", tile_type=tile_type))
    assert (header.tile_type, header.kind) == (name, kind)


def test_what_is_not_a_pmtiles_v3_header_is_refused(tmp_path):
    good = (write_archive(tmp_path / "t.pmtiles")).read_bytes()[:HEADER_BYTES]
    with pytest.raises(NotPMTiles, match="only 10 bytes"):
        parse_header(good[:10])
    with pytest.raises(NotPMTiles, match="PMTiles"):
        parse_header(b"SQLite format 3\x00" + good[16:])  # an MBTiles file, say
    with pytest.raises(NotPMTiles, match="version 2"):
        parse_header(good[:7] + b"\x02" + good[8:])
