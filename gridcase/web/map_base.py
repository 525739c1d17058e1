"""The map's base layer as the pages tell it to their script (static/web/map_base.js): a tile
server's URL template, the town's PMTiles file (served by views/tiles.py), or nothing.

One setting, GRIDCASE_MAP_TILES, split by gridcase/settings.py into the template and the file.
The file's kind (raster images or vector tiles) is read from its header, so the page loads only
the library that draws it; the header is read again only when the file changes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from gridcase.core.pmtiles import Header, NotPMTiles, read_header


@dataclass(frozen=True)
class BaseLayer:
    kind: str  # "tiles" (a URL template), "raster" or "vector" (the PMTiles file), "" (none)
    url: str = ""
    min_zoom: int = 0
    max_zoom: int = 0
    bounds: str = ""  # "west,south,east,north", PMTiles only: no tile is asked for outside


@lru_cache(maxsize=4)
def _header(path: Path, mtime_ns: int, size: int) -> Header | None:
    # mtime and size are in the key: a town that replaces its file needs no restart.
    try:
        return read_header(path)
    except (OSError, NotPMTiles):
        return None  # the system check said why at start; the map goes on without its base


def base_layer() -> BaseLayer:
    path = settings.GRIDCASE_MAP_PMTILES
    if path is not None:
        try:
            stat = path.stat()
        except OSError:
            return BaseLayer("")
        header = _header(path, stat.st_mtime_ns, stat.st_size)
        if header is None or not header.kind:
            return BaseLayer("")
        return BaseLayer(
            header.kind,
            reverse("web:map_base"),
            header.min_zoom,
            header.max_zoom,
            ",".join(f"{value:.7f}" for value in header.bounds),
        )
    if settings.GRIDCASE_MAP_TILES:
        return BaseLayer("tiles", settings.GRIDCASE_MAP_TILES)
    return BaseLayer("")
