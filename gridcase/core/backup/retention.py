"""Retention and the night: the complete backups of a folder, the pruning of old ones and the
worker's nightly backup.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from gridcase.core import clock

from .create import create_backup
from .folder import NAME_RE


def backups_in(directory: Path) -> list[Path]:
    """The complete backups in `directory`, oldest first (their names sort by time)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if NAME_RE.match(p.name)), key=_sort_key)


def _sort_key(path: Path) -> tuple[str, int]:
    m = NAME_RE.match(path.name)
    return m.group(1), int((m.group(2) or "-1")[1:])


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; anything else in the folder is left alone."""
    found = backups_in(directory)
    doomed = found[: max(len(found) - keep, 0)] if keep > 0 else []
    for path in doomed:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return doomed


def _made_at(path: Path) -> datetime:
    stamp = NAME_RE.match(path.name).group(1)
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def nightly() -> Path | None:
    """The worker's nightly backup, then the retention. None when switched off (KEEP=0) or
    when a backup less than an hour old exists (another worker's scheduler got there first)."""
    keep = settings.GRIDCASE_BACKUP_KEEP
    if keep <= 0:
        return None
    directory = Path(settings.GRIDCASE_BACKUP_DIR)
    existing = backups_in(directory)
    if existing and clock.now() - _made_at(existing[-1]) < timedelta(hours=1):
        return None
    made = create_backup(output=directory)
    prune(directory, keep)
    return made
