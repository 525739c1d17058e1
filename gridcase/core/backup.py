"""Backups that restore: the database, the attachments and a manifest that proves them.

A backup is one folder (or one .tar of that folder) named by its UTC time,
`gridcase-20261201T183000Z`, holding:

- `database.sqlite3` — SQLite, copied through its online backup API in one step: the copy
  reads one consistent snapshot while the app's writers go on (WAL mode);
- or `database.pgdump` — PostgreSQL, `pg_dump --format=custom` inside a REPEATABLE READ
  transaction whose snapshot is exported, so the row counts of the manifest are those of the
  dump exactly;
- `media/…` — the uploaded files (MEDIA_ROOT), copied *after* the database: an attachment's
  file is written before its row commits, so every row in the snapshot finds its file;
- `manifest.json` — created_at, gridcase version, database vendor, rows per table, and the
  SHA-256 of the dump and of every file.

Restore verifies every hash first, refuses a database that holds data unless forced, puts the
files back, then the database, then checks the row counts against the manifest. It works on
the database of the settings (`DATABASES["default"]`) and on MEDIA_ROOT; the app (serve and
worker) should be stopped while it runs.

This module knows tables only by name (it counts them all): it sits in core, below the apps.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.utils import load_backend

from . import clock

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
PREFIX = "gridcase-"
NAME_RE = re.compile(r"^gridcase-(\d{8}T\d{6}Z)(-\d+)?(\.tar)?$")
# Tables that `migrate` fills by itself: a database with rows only there holds no data yet.
BOOKKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission"})
# libpq reads these from the environment: the password never appears on a command line.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- backup


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
        vendor = _vendor(db)
        dump = work / DUMP_FILES[vendor]
        tables = _pg_dump(db, dump) if vendor == "postgresql" else _sqlite_dump(db, dump)
        files = _copy_tree(media, work / MEDIA)
        manifest = {
            "format": FORMAT,
            "created_at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "gridcase_version": _version(),
            "database": {"vendor": vendor, "file": dump.name, **_digest(dump)},
            "tables": tables,
            "attachments": files,
        }
        if vendor == "postgresql":
            manifest["database"]["pg_dump_major"] = _tool_major(_pg_tool("pg_dump"))
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


def _vendor(db: dict) -> str:
    engine = db.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"不支持备份此类数据库: {engine}")


# ---------------------------------------------------------------- files and hashes


def _digest(path: Path) -> dict:
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
    return {"sha256": sha.hexdigest(), "size": path.stat().st_size}


def _copy_file(src: Path, dest: Path) -> dict:
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


def _copy_tree(root: Path, dest: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    if not root.is_dir():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        try:
            files[rel] = _copy_file(path, dest / rel)
        except FileNotFoundError:
            # Gone between the listing and the copy: not referenced by the snapshot taken before.
            continue
    return files


def _inside(root: Path, rel: str) -> Path:
    """`root/rel`, refusing a manifest path that would leave `root` (absolute, `..`)."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BackupError(f"备份清单中的文件路径不合法: {rel}")
    return root.joinpath(*pure.parts)


# ---------------------------------------------------------------- SQLite


def _sqlite_connect(name) -> sqlite3.Connection:
    name = str(name)
    return sqlite3.connect(name, uri=name.startswith("file:"), timeout=20)


def _sqlite_dump(db: dict, dest: Path) -> dict[str, int]:
    try:
        return _sqlite_copy_out(db, dest)
    except sqlite3.Error as exc:
        raise BackupError(f"无法读取数据库 {db['NAME']}: {exc}") from exc


def _sqlite_copy_out(db: dict, dest: Path) -> dict[str, int]:
    source = _sqlite_connect(db["NAME"])
    try:
        copy = sqlite3.connect(dest)
        try:
            # pages=-1: the whole database in one step, i.e. one read transaction: a consistent
            # snapshot. In WAL mode the app's writers are not blocked meanwhile.
            source.backup(copy, pages=-1)
            # A single self-contained file (no -wal beside it).
            copy.execute("PRAGMA journal_mode=DELETE")
            ok = copy.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise BackupError(f"数据库副本检查未通过: {ok}")
            return _sqlite_counts(copy)
        finally:
            copy.close()
    finally:
        source.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: conn.execute(f"SELECT COUNT(*) FROM {_quote(n)}").fetchone()[0] for n in names}


def _sqlite_restore(db: dict, dump: Path) -> None:
    name = str(db["NAME"])
    if not name.startswith("file:") and name != ":memory:":
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{Path(dump).resolve().as_uri()}?mode=ro", uri=True)
    try:
        target = _sqlite_connect(name)
        try:
            # The backup API in reverse rather than a file copy: it takes the target's locks
            # and deals with its -wal file, where copying over a database with a stale -wal
            # beside it would corrupt it.
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(
            f"无法写入数据库 {name}: {exc}。请先停止 gridcase serve 与 worker 再恢复。"
        ) from exc
    finally:
        source.close()


def _sqlite_current(db: dict) -> dict[str, int]:
    name = str(db["NAME"])
    if not name.startswith("file:") and not Path(name).exists():
        return {}
    conn = _sqlite_connect(name)
    try:
        return _sqlite_counts(conn)
    finally:
        conn.close()


# ---------------------------------------------------------------- PostgreSQL


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"找不到 {name}:PostgreSQL 的备份与恢复需要 PostgreSQL 客户端程序。"
            "请安装与数据库服务器主版本相同的客户端(如 Debian 的 postgresql-client-15),"
            f"并确保 {name} 在 PATH 上。"
        )
    return path


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)*", out)
    if not found:
        raise BackupError(f"无法识别 {path} 的版本: {out.strip()}")
    return int(found.group(1))


def _pg_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    for key, var in LIBPQ_OPTIONS.items():
        if db.get("OPTIONS", {}).get(key):
            env[var] = str(db["OPTIONS"][key])
    return env


def _pg_connect(db: dict):
    """A connection of its own (not the app's), in autocommit; the caller closes it."""
    wrapper = load_backend(db["ENGINE"]).DatabaseWrapper(db, "backup")
    try:
        wrapper.ensure_connection()
    except DatabaseError as exc:
        raise BackupError(f"无法连接数据库 {db.get('NAME')}: {exc}") from exc
    return wrapper


PG_TABLES = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    ORDER BY c.relname
"""


def _pg_counts(cursor) -> dict[str, int]:
    cursor.execute(PG_TABLES)
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for n in names:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(n)}")
        counts[n] = cursor.fetchone()[0]
    return counts


def _check_versions(tool: str, server_major: int) -> int:
    major = _tool_major(tool)
    if major < server_major:
        raise BackupError(
            f"{Path(tool).name} 的版本 ({major}) 低于数据库服务器的主版本 ({server_major}):"
            f"请安装 postgresql-client-{server_major} 并让它的 {Path(tool).name} 在 PATH 上靠前。"
        )
    return major


def _pg_dump(db: dict, dest: Path) -> dict[str, int]:
    tool = _pg_tool("pg_dump")
    wrapper = _pg_connect(db)
    try:
        _check_versions(tool, wrapper.pg_version // 10000)
        raw = wrapper.connection  # psycopg, in autocommit: the transaction is ours to manage
        with raw.cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            # pg_dump reads the very snapshot that the counts below read.
            done = subprocess.run(
                [tool, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}"],
                env=_pg_env(db),
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump 失败: {done.stderr.strip()}")
            counts = _pg_counts(cur)
            cur.execute("COMMIT")
        return counts
    finally:
        wrapper.close()


def _pg_current(db: dict) -> dict[str, int]:
    wrapper = _pg_connect(db)
    try:
        with wrapper.connection.cursor() as cur:
            return _pg_counts(cur)
    finally:
        wrapper.close()


def _pg_restore(db: dict, dump: Path, dumped_by: int | None) -> None:
    tool = _pg_tool("pg_restore")
    wrapper = _pg_connect(db)
    try:
        major = _check_versions(tool, wrapper.pg_version // 10000)
    finally:
        wrapper.close()
    if dumped_by and major < dumped_by:
        raise BackupError(
            f"此备份由 pg_dump {dumped_by} 写成,pg_restore {major} 读不了:"
            f"请安装 postgresql-client-{dumped_by}。"
        )
    # One transaction: a restore that fails leaves the database as it was. --clean drops each
    # table before creating it (rows are never updated or deleted one by one); --no-owner and
    # --no-privileges because the roles of the machine that made the dump may not exist here.
    done = subprocess.run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={db['NAME']}",
            str(dump),
        ],
        env=_pg_env(db),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败,数据库未改动: {done.stderr.strip()}")


# ---------------------------------------------------------------- verify and restore


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
        path = _inside(folder, rel)
        if not path.is_file():
            raise BackupError(f"备份已损坏: 缺少文件“{rel}”")
        if _digest(path)["sha256"] != meta.get("sha256"):
            raise BackupError(f"备份已损坏: 文件“{rel}”的 SHA-256 与清单不符,拒绝恢复")
    return manifest


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
    counts = _pg_current(db) if _vendor(db) == "postgresql" else _sqlite_current(db)
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
        if vendor != _vendor(db):
            raise BackupError(
                f"此备份来自 {vendor} 数据库,当前配置的是 {_vendor(db)}:请配置同类数据库后再恢复"
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
            _copy_file(_inside(folder / MEDIA, rel), _inside(media, rel))
        dump = folder / DUMP_FILES[vendor]
        if vendor == "postgresql":
            _pg_restore(db, dump, manifest["database"].get("pg_dump_major"))
            now = _pg_current(db)
        else:
            _sqlite_restore(db, dump)
            now = _sqlite_current(db)
        for table, count in sorted(manifest["tables"].items()):
            if now.get(table) != count:
                raise BackupError(
                    f"恢复后表 {table} 的行数为 {now.get(table, '无此表')},"
                    f"与备份清单的 {count} 不符"
                )
    return manifest


# ---------------------------------------------------------------- retention and the night


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
