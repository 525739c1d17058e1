"""Restoring a backup: unpack and verify it, refuse a target that holds data unless forced,
put the files back, then the database, then check the row counts against the manifest.
"""

from __future__ import annotations

import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections

from . import postgres, sqlite
from .folder import DUMP_FILES, MANIFEST, MEDIA, BackupError, copy_file, inside, vendor_of, verify

# Tables that `migrate` fills by itself: a database with rows only there holds no data yet.
BOOKKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission"})


@contextmanager
def unpacked(backup: Path):
    """The backup's folder: itself, or its .tar extracted for the block (into the data
    directory, which is writable and has room for what is about to be restored there)."""
    backup = Path(backup)
    if backup.is_dir():
        yield backup
        return
    if not backup.is_file() or not tarfile.is_tarfile(backup):
        raise BackupError(f"找不到备份,或它不是备份目录或 .tar 文件: {backup}")
    with tempfile.TemporaryDirectory(prefix=".gridcase-restore-", dir=settings.DATA_DIR) as tmp:
        workdir = Path(tmp)
        try:
            with tarfile.open(backup) as tar:
                tar.extractall(workdir, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"备份文件 {backup.name} 已损坏,无法解包: {exc}") from exc
        found = [p.parent for p in workdir.glob(f"*/{MANIFEST}")]
        if len(found) != 1:
            raise BackupError(f"备份文件 {backup.name} 中没有唯一的 {MANIFEST}")
        yield found[0]


def data_in_place(*, database: dict | None = None, media_root=None) -> list[str]:
    """What a restore would overwrite: tables holding rows, and the attachments folder."""
    db = database or connections["default"].settings_dict
    counts = (
        postgres.current_counts(db) if vendor_of(db) == "postgresql" else sqlite.current_counts(db)
    )
    found = [f"表 {n} ({c} 行)" for n, c in sorted(counts.items()) if c and n not in BOOKKEEPING]
    media = Path(media_root or settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        found.append(f"附件目录 {media}")
    return found


def restore(
    backup: Path, *, force: bool = False, database: dict | None = None, media_root=None
) -> dict:
    """Restore a backup (folder or .tar) into the configured database and MEDIA_ROOT."""
    db = database or connections["default"].settings_dict
    media = Path(media_root or settings.MEDIA_ROOT)
    backup = Path(backup)
    with unpacked(backup) as folder:
        manifest = verify(folder)
        vendor = manifest["database"]["vendor"]
        if vendor != vendor_of(db):
            raise BackupError(
                f"此备份来自 {vendor} 数据库,当前配置的是 {vendor_of(db)}:请配置同类数据库后再恢复"
            )
        present = data_in_place(database=db, media_root=media)
        if present and not force:
            raise BackupError(
                "目标已有数据,未做任何改动: "
                + "、".join(present[:5])
                + (" 等" if len(present) > 5 else "")
                + "。确认要覆盖请加 --force。"
            )
        # Files first: should the database step fail, extra files harm nothing, while rows
        # without their files would.
        for rel in manifest["attachments"]:
            copy_file(inside(folder / MEDIA, rel), inside(media, rel))
        dump = folder / DUMP_FILES[vendor]
        if vendor == "postgresql":
            postgres.restore(db, dump, manifest["database"].get("pg_dump_major"))
            now = postgres.current_counts(db)
        else:
            sqlite.restore(db, dump)
            now = sqlite.current_counts(db)
        for table, count in sorted(manifest["tables"].items()):
            if now.get(table) != count:
                raise BackupError(
                    f"恢复后表 {table} 的行数为 {now.get(table, '无此表')},"
                    f"与备份清单的 {count} 不符"
                )
    return manifest
