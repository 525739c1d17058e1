"""PostgreSQL: `pg_dump --format=custom` inside a REPEATABLE READ transaction whose snapshot
is exported (so the manifest's row counts are the dump's exactly), `pg_restore` in one
transaction, and the client tools' versions checked against the server's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import DatabaseError
from django.db.utils import load_backend

from .folder import BackupError, quote

# libpq reads these from the environment: the password never appears on a command line.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"找不到 {name}:PostgreSQL 的备份与恢复需要 PostgreSQL 客户端程序。"
            "请安装与数据库服务器主版本相同的客户端(如 Debian 的 postgresql-client-15),"
            f"并确保 {name} 在 PATH 上。"
        )
    return path


def tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)*", out)
    if not found:
        raise BackupError(f"无法识别 {path} 的版本: {out.strip()}")
    return int(found.group(1))


def _env(db: dict) -> dict[str, str]:
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


def _connect(db: dict):
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


def _counts(cursor) -> dict[str, int]:
    cursor.execute(PG_TABLES)
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for n in names:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(n)}")
        counts[n] = cursor.fetchone()[0]
    return counts


def check_versions(tool: str, server_major: int) -> int:
    major = tool_major(tool)
    if major < server_major:
        raise BackupError(
            f"{Path(tool).name} 的版本 ({major}) 低于数据库服务器的主版本 ({server_major}):"
            f"请安装 postgresql-client-{server_major} 并让它的 {Path(tool).name} 在 PATH 上靠前。"
        )
    return major


def dump(db: dict, dest: Path) -> dict[str, int]:
    tool = pg_tool("pg_dump")
    wrapper = _connect(db)
    try:
        check_versions(tool, wrapper.pg_version // 10000)
        raw = wrapper.connection  # psycopg, in autocommit: the transaction is ours to manage
        with raw.cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            # pg_dump reads the very snapshot that the counts below read.
            done = subprocess.run(
                [tool, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}"],
                env=_env(db),
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump 失败: {done.stderr.strip()}")
            counts = _counts(cur)
            cur.execute("COMMIT")
        return counts
    finally:
        wrapper.close()


def partitioned_tables(db: dict) -> list[str]:
    """The database's partitioned tables (their partitions go with them)."""
    wrapper = _connect(db)
    try:
        with wrapper.connection.cursor() as cur:
            cur.execute(
                "SELECT c.relname FROM pg_partitioned_table p"
                " JOIN pg_class c ON c.oid = p.partrelid"
                " WHERE pg_table_is_visible(c.oid) ORDER BY c.relname"
            )
            return [row[0] for row in cur.fetchall()]
    finally:
        wrapper.close()


def current_counts(db: dict) -> dict[str, int]:
    wrapper = _connect(db)
    try:
        with wrapper.connection.cursor() as cur:
            return _counts(cur)
    finally:
        wrapper.close()


def restore(db: dict, dump: Path, dumped_by: int | None) -> None:
    tool = pg_tool("pg_restore")
    wrapper = _connect(db)
    try:
        major = check_versions(tool, wrapper.pg_version // 10000)
    finally:
        wrapper.close()
    if dumped_by and major < dumped_by:
        raise BackupError(
            f"此备份由 pg_dump {dumped_by} 写成,pg_restore {major} 读不了:"
            f"请安装 postgresql-client-{dumped_by}。"
        )
    # One transaction: a restore that fails leaves the database as it was. pg_restore writes
    # the script (--clean drops each table before creating it; --no-owner and
    # --no-privileges because the roles of the machine that made the dump may not exist
    # here) and psql runs it in one transaction, after dropping the partitioned tables:
    # --clean would first drop each partition's inherited keys, which PostgreSQL refuses
    # (core/partitions.py), and with the parent gone those drops find nothing to do.
    drops = [f"--command=DROP TABLE IF EXISTS {quote(t)} CASCADE" for t in partitioned_tables(db)]
    script = subprocess.Popen(
        [tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-", str(dump)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # psql reads the script as pg_restore writes it (never the whole dump in memory); its
    # --command and --file run in order, in the one transaction.
    done = subprocess.run(
        [
            pg_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={db['NAME']}",
            *drops,
            "--file=-",
        ],
        env=_env(db),
        stdin=script.stdout,
        capture_output=True,
    )
    script.stdout.close()  # type: ignore[union-attr]
    written = script.wait()
    if written != 0 or done.returncode != 0:
        said = script.stderr.read() + done.stderr  # type: ignore[union-attr]
        raise BackupError(f"pg_restore 失败,数据库未改动: {said.decode(errors='replace').strip()}")
