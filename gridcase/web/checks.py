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
        "Fix GRIDCASE_MAP_TILES (docs/maps.md), or leave it empty for the plain background. "
        "修正 GRIDCASE_MAP_TILES，或留空以不显示底图。"
    )
    try:
        header = read_header(path)
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror or exc})"
    except NotPMTiles as exc:
        problem = f"is not a PMTiles v3 file: {exc}"
    else:
        if header.kind:
            return []
        problem = f"holds tiles of a type the map cannot draw ({header.tile_type})"
    return [
        Warning(
            f"GRIDCASE_MAP_TILES: the base map {path} {problem}; the map shows no base layer.",
            hint=hint,
            id="gridcase.W001",
        )
    ]
