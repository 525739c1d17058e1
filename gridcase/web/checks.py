"""System checks run at every start (`gridcase serve`, `gridcase check`): a setting that names a
file is read once here, so a town learns of a wrong map file when it starts, not from a blank
map. A warning, not an error: without its base layer the map still works (a plain background),
and a backup or a restore must never be stopped by a map file."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from gridcase.core.pmtiles import NotPMTiles, read_header


@register()
def map_pmtiles_file(**kwargs) -> list[CheckMessage]:
    path = settings.GRIDCASE_MAP_PMTILES
    if path is None:
        return []
    hint = (
        "修正 GRIDCASE_MAP_TILES，或留空以不显示底图 (docs/maps.md)。"
        " Fix GRIDCASE_MAP_TILES, or leave it empty for the plain background."
    )
    try:
        header = read_header(path)
    except OSError as exc:
        problem = f"无法读取 (cannot be read: {exc.strerror or exc})"
    except NotPMTiles as exc:
        problem = f"不是 PMTiles 第3版文件 (is not a PMTiles v3 file: {exc})"
    else:
        if header.kind:
            return []
        problem = f"的瓦片类型地图无法显示 (holds tiles the map cannot draw: {header.tile_type})"
    return [
        Warning(
            f"GRIDCASE_MAP_TILES：底图文件 {path} {problem}；地图暂不显示底图"
            " (the map shows no base layer).",
            hint=hint,
            id="gridcase.W001",
        )
    ]
