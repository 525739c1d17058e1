"""SQLite: the copy through the online backup API (one consistent snapshot while the app's
writers go on), the restore through the same API in reverse, and the row counts.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .folder import BackupError, quote


def _connect(name) -> sqlite3.Connection:
    name = str(name)
    return sqlite3.connect(name, uri=name.startswith("file:"), timeout=20)


def dump(db: dict, dest: Path) -> dict[str, int]:
    try:
        return _copy_out(db, dest)
    except sqlite3.Error as exc:
        raise BackupError(f"无法读取数据库 {db['NAME']}: {exc}") from exc


def _copy_out(db: dict, dest: Path) -> dict[str, int]:
    source = _connect(db["NAME"])
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
            return _counts(copy)
        finally:
            copy.close()
    finally:
        source.close()


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: conn.execute(f"SELECT COUNT(*) FROM {quote(n)}").fetchone()[0] for n in names}


def restore(db: dict, dump: Path) -> None:
    name = str(db["NAME"])
    if not name.startswith("file:") and name != ":memory:":
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{Path(dump).resolve().as_uri()}?mode=ro", uri=True)
    try:
        target = _connect(name)
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


def current_counts(db: dict) -> dict[str, int]:
    name = str(db["NAME"])
    if not name.startswith("file:") and not Path(name).exists():
        return {}
    conn = _connect(name)
    try:
        return _counts(conn)
    finally:
        conn.close()
