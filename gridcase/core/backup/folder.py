"""What a backup folder holds and how it proves itself: its name, its files, the manifest with
the SHA-256 of each, and the check of every file against it before a restore.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path, PurePosixPath

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
PREFIX = "gridcase-"
NAME_RE = re.compile(r"^gridcase-(\d{8}T\d{6}Z)(-\d+)?(\.tar)?$")

CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def vendor_of(db: dict) -> str:
    engine = db.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"不支持备份此类数据库: {engine}")


# ---------------------------------------------------------------- files and hashes


def digest(path: Path) -> dict:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
    return {"sha256": sha.hexdigest(), "size": path.stat().st_size}


def copy_file(src: Path, dest: Path) -> dict:
    """Copy and hash in one read: the manifest holds the hash of the bytes that were copied."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    sha, size = hashlib.sha256(), 0
    tmp = dest.with_name(f".{dest.name}.partial")
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        while chunk := fin.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
            fout.write(chunk)
    os.replace(tmp, dest)
    return {"sha256": sha.hexdigest(), "size": size}


def copy_tree(root: Path, dest: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    if not root.is_dir():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        try:
            files[rel] = copy_file(path, dest / rel)
        except FileNotFoundError:
            # Gone between the listing and the copy: not referenced by the snapshot taken before.
            continue
    return files


def inside(root: Path, rel: str) -> Path:
    """`root/rel`, refusing a manifest path that would leave `root` (absolute, `..`)."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BackupError(f"备份清单中的文件路径不合法: {rel}")
    return root.joinpath(*pure.parts)


def quote(name: str) -> str:
    """A table's name in SQL: both vendors count every table, by name, for the manifest."""
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------- the manifest


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"不是完整的备份: 缺少 {MANIFEST} ({folder})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        vendor = manifest["database"]["vendor"]
        manifest["tables"].items()
        manifest["attachments"].items()
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"备份清单 {MANIFEST} 已损坏,无法读取: {exc}") from exc
    if manifest.get("format") != FORMAT or vendor not in DUMP_FILES:
        raise BackupError(f"不认识此备份的格式 (format {manifest.get('format')}, {vendor})")
    return manifest


def verify(folder: Path) -> dict:
    """Check every file of an unpacked backup against its manifest; return the manifest."""
    manifest = read_manifest(folder)
    expected = {DUMP_FILES[manifest["database"]["vendor"]]: manifest["database"]}
    for rel, meta in manifest["attachments"].items():
        expected[f"{MEDIA}/{rel}"] = meta
    for rel, meta in expected.items():
        path = inside(folder, rel)
        if not path.is_file():
            raise BackupError(f"备份已损坏: 缺少文件“{rel}”")
        if digest(path)["sha256"] != meta.get("sha256"):
            raise BackupError(f"备份已损坏: 文件“{rel}”的 SHA-256 与清单不符,拒绝恢复")
    return manifest
