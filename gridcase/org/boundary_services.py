"""The one way a town's boundaries are written: checked together, all or nothing, audited.

`set_boundaries` takes new boundaries (or None, to clear one) for some of a town's villages
and grids, and checks the town as it would be after the change (`boundaries.check_town`):
a grid's new boundary must fit its village's current one, and so on. Every problem is listed
at once, naming the village or grid, and nothing is written unless there are none. The town's
`boundaries_version` is renewed in the same transaction, so that every process's
point-in-polygon index (`locate`) rebuilds.

Like the other services of org: keyword-only arguments, one transaction, the scope checked
here; `by` is the town's administrator, or None for the command line (`gridcase boundaries`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import shapely
from django.db import transaction
from shapely.geometry import shape

from gridcase.core import audit
from gridcase.core.errors import ServiceError

from . import boundaries
from .boundaries import BoundaryError, Place
from .boundary_files import Feature
from .checks import require_administrator, same_town
from .models import Grid, Town, User, Village


def _summary(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the audit trail keeps of a boundary: its kind and a hash (the row keeps the
    geometry itself; a town's polygons would swell the trail)."""
    if data is None:
        return None
    return {"type": data.get("type"), "sha256": boundaries.fingerprint(data)}


def _parse(data: Any, label: str, problems: list[str]) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        geometry = shapely.force_2d(boundaries.parse(data))
    except BoundaryError as exc:
        problems.append(f"{label}:{exc}")
        return None
    return boundaries.to_geojson(geometry)


@transaction.atomic
def set_boundaries(
    *,
    by: User | None,
    town: Town,
    villages: Mapping[Village, Any] | None = None,
    grids: Mapping[Grid, Any] | None = None,
) -> int:
    """Set (a GeoJSON geometry) or clear (None) the boundaries of the given villages and
    grids of the town; returns how many changed. Raises `ServiceError` listing every
    problem."""
    villages, grids = villages or {}, grids or {}
    if by is not None:
        require_administrator(by, town)
    same_town(town, *villages, *grids)
    # One writer of a town's boundaries at a time: the check sees what the write will leave.
    Town.objects.select_for_update().filter(pk=town.pk).first()

    problems: list[str] = []
    new_village = {
        v.pk: _parse(data, f"行政村“{v.name}”", problems) for v, data in villages.items()
    }
    new_grid = {g.pk: _parse(data, f"网格“{g}”", problems) for g, data in grids.items()}
    if problems:
        raise ServiceError.from_pairs("边界有误:", [("boundary", p) for p in problems])

    all_villages = list(Village.objects.filter(town=town))
    all_grids = list(Grid.objects.filter(village__town=town).select_related("village"))
    village_places = [
        Place(v.pk, v.name, _shape(new_village.get(v.pk, v.boundary))) for v in all_villages
    ]
    grid_places = [
        Place(g.pk, str(g), _shape(new_grid.get(g.pk, g.boundary)), g.village_id) for g in all_grids
    ]
    problems = boundaries.check_town(village_places, grid_places)
    if problems:
        raise ServiceError.from_pairs("边界有误:", [("boundary", p) for p in problems])

    entries = []
    changed_villages = [v for v in all_villages if v.pk in new_village]
    changed_grids = [g for g in all_grids if g.pk in new_grid]
    for row, new in [
        *((v, new_village[v.pk]) for v in changed_villages),
        *((g, new_grid[g.pk]) for g in changed_grids),
    ]:
        if row.boundary == new:
            continue
        entries.append(
            audit.entry(
                town=town,
                by=by,
                action="boundary.set",
                obj=row,
                before={"boundary": _summary(row.boundary)},
                after={"boundary": _summary(new)},
            )
        )
        row.boundary = new
    Village.objects.bulk_update(changed_villages, ["boundary"])
    Grid.objects.bulk_update(changed_grids, ["boundary"])
    if entries:
        version = uuid.uuid4().hex
        Town.objects.filter(pk=town.pk).update(boundaries_version=version)
        town.boundaries_version = version
        audit.record_many(entries)
    return len(entries)


def _shape(data: Mapping[str, Any] | None) -> Any:
    """A stored (already checked) boundary as a shapely geometry."""
    return None if data is None else shape(data)


class _DryRun(Exception):
    """Raised to roll back a dry run once every check has passed."""


def import_boundaries(
    *,
    by: User | None,
    town: Town,
    features: Sequence[Feature],
    problems: Sequence[str] = (),
    dry_run: bool = False,
) -> int:
    """Match a file's features (`boundary_files`) with the town's villages and grids by
    name, then `set_boundaries`: all or nothing, every problem listed (the file's reading
    problems first). Returns how many boundaries change (would change, in a dry run)."""
    listed = list(problems)
    villages = {v.name: v for v in Village.objects.filter(town=town)}
    grids = {
        (g.village.name, g.name): g
        for g in Grid.objects.filter(village__town=town).select_related("village")
    }
    new_villages: dict[Village, Any] = {}
    new_grids: dict[Grid, Any] = {}
    seen: dict[tuple[str, str], int] = {}
    for feature in features:
        key = (feature.village, feature.grid)
        if not feature.village:
            listed.append(f"{feature.label}:没有写明行政村(属性 village 或 行政村,或名称)")
            continue
        if feature.village not in villages:
            listed.append(f"{feature.label}:本镇没有名为“{feature.village}”的行政村")
            continue
        if feature.grid and key not in grids:
            listed.append(f"{feature.label}:{feature.village}没有名为“{feature.grid}”的网格")
            continue
        if key in seen:
            listed.append(f"{feature.label}:与第 {seen[key]} 个要素是同一个地方")
            continue
        seen[key] = feature.number
        try:
            boundaries.parse(feature.geometry)
        except BoundaryError as exc:
            listed.append(f"{feature.label}:{exc}")
            continue
        if feature.grid:
            new_grids[grids[key]] = feature.geometry
        else:
            new_villages[villages[feature.village]] = feature.geometry
    if not features and not listed:
        listed.append("文件中没有任何边界")
    if listed:
        raise ServiceError.from_pairs("边界未导入:", [("boundary", p) for p in listed])
    try:
        with transaction.atomic():
            changed = set_boundaries(by=by, town=town, villages=new_villages, grids=new_grids)
            if dry_run:
                raise _DryRun(changed)
    except _DryRun as done:
        changed = done.args[0]
    return changed
