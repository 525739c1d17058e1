"""Taking a backup: the database first, then the attachments, then the manifest, built under
a hidden name and renamed when complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connections

from gridcase.core import clock

from . import postgres, sqlite
from .folder import (
    DUMP_FILES,
    FORMAT,
    MANIFEST,
    MEDIA,
    PREFIX,
    BackupError,
    copy_tree,
    digest,
    vendor_of,
)


def create_backup(
    *, output: Path, archive: bool = False, database: dict | None = None, media_root=None
) -> Path:
    """Write one backup into `output` and return its path (a folder, or a .tar if `archive`).

    It is built under a hidden `.…partial` name and renamed when complete, so a backup that
    died half-way is never taken for one (nor counted by the retention)."""
    db = database or connections["default"].settings_dict
    media = Path(media_root or settings.MEDIA_ROOT).resolve()
    output = Path(output).resolve()
    if output == media or media in output.parents:
        raise BackupError(f"备份目录 {output} 不能位于附件目录 {media} 之内")
    # A backup holds every citizen's name and phone: readable by the service's user only.
    output.mkdir(mode=0o700, parents=True, exist_ok=True)
    at = clock.now()
    name = _free_name(output, at)
    work = output / f".{name}.partial"
    work.mkdir(mode=0o700)
    try:
        vendor = vendor_of(db)
        dump = work / DUMP_FILES[vendor]
        tables = postgres.dump(db, dump) if vendor == "postgresql" else sqlite.dump(db, dump)
        files = copy_tree(media, work / MEDIA)
        manifest = {
            "format": FORMAT,
            "created_at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "gridcase_version": _version(),
            "database": {"vendor": vendor, "file": dump.name, **digest(dump)},
            "tables": tables,
            "attachments": files,
        }
        if vendor == "postgresql":
            manifest["database"]["pg_dump_major"] = postgres.tool_major(postgres.pg_tool("pg_dump"))
        (work / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
        )
        if archive:
            final = output / f"{name}.tar"
            partial = output / f".{name}.tar.partial"
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w") as tar:
                tar.add(work, arcname=name)
            partial.rename(final)
            shutil.rmtree(work)
        else:
            final = output / name
            work.rename(final)
        return final
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        (output / f".{name}.tar.partial").unlink(missing_ok=True)
        raise


def _free_name(output: Path, at: datetime) -> str:
    base = PREFIX + at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    name, n = base, 1
    while any(
        (output / form.format(name)).exists()
        for form in ("{}", "{}.tar", ".{}.partial", ".{}.tar.partial")
    ):
        n += 1
        name = f"{base}-{n}"
    return name


def _version() -> str:
    try:
        return metadata.version("gridcase")
    except metadata.PackageNotFoundError:
        return "unknown"
