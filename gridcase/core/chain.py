"""Hash chains over append-only tables: the audit trail and the case timeline.

Each row carries its place in its chain (`seq`, from 1), the hash of the row before it
(`prev_hash`) and its own `hash`: SHA-256 over a canonical serialisation of the row's content,
its `seq` and `prev_hash`. Changing, removing or inserting a row anywhere breaks the chain from
that row on, so `gridcase audit verify` can name the first row that does not match even when
someone with database access got past the triggers that refuse UPDATE and DELETE.

A chain's head (`ChainHead`: its last `seq` and `hash`) is one row, locked for the rest of the
transaction while rows are appended (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
transactions already serialise writers). Appending costs two queries per transaction however
many rows it appends: lock the head, then move it. The hashes are computed here, in Python,
so a bulk insert needs no query per row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.db import connection, models

GENESIS = "0" * 64  # the prev_hash of a chain's first row


@dataclass(frozen=True)
class ChainSpec:
    """Which columns a chained model hashes, and how its rows split into chains."""

    name: str  # "audit", "timeline": the head's key is the name, or name:<key field value>
    fields: tuple[str, ...]  # attnames hashed, besides seq and prev_hash
    key_field: str | None = None  # one chain per value of this column (e.g. the town)

    def key(self, values: Mapping[str, Any]) -> str:
        if self.key_field is None:
            return self.name
        return f"{self.name}:{values[self.key_field]}"


# ---------------------------------------------------------------- hashing


_AS_IS = frozenset({str, int, bool, type(None)})


@lru_cache(maxsize=4096)
def _utc(value: datetime) -> str:
    # A ledger's rows share a few timestamps: convert each once.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(value: Any) -> Any:
    """One spelling per value, the same for what Python wrote and what the database returns."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        return {str(k): _plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return _utc(value)  # stored in UTC with microseconds on both databases
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # PostgreSQL's jsonb reads 2.0 back as 2
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(spec: ChainSpec, values: Mapping[str, Any]) -> bytes:
    content = {name: _plain(values[name]) for name in spec.fields}
    content["seq"] = values["seq"]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")


def row_hash(spec: ChainSpec, values: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(spec, values) + prev_hash.encode("ascii")).hexdigest()


# ---------------------------------------------------------------- appending


class Sealer:
    """Gives each row of one chain its seq, prev_hash and hash, in the order they are sealed."""

    def __init__(self, spec: ChainSpec, key: str, seq: int, last_hash: str) -> None:
        self.spec, self.key = spec, key
        self.seq, self.hash = seq, last_hash
        self._start = seq

    def seal(self, values: dict[str, Any]) -> dict[str, Any]:
        if self.spec.key(values) != self.key:
            raise ValueError(f"row belongs to chain {self.spec.key(values)}, not {self.key}")
        self.seq += 1
        values["seq"] = self.seq
        values["prev_hash"] = self.hash
        values["hash"] = self.hash = row_hash(self.spec, values, self.hash)
        return values

    @property
    def appended(self) -> int:
        return self.seq - self._start


def _head_model() -> type[models.Model]:
    # Through the app registry: core.models imports ChainSpec from here, so an import of
    # core.models here would make a circle.
    return apps.get_model("core", "ChainHead")


@contextmanager
def appending(spec: ChainSpec, key: str) -> Iterator[Sealer]:
    """Lock the chain's head, seal rows, then move the head: use inside the transaction that
    inserts the sealed rows (the rows and the head commit or roll back together)."""
    if not connection.in_atomic_block:
        raise RuntimeError("chain appends must run inside the transaction of the change")
    ChainHead = _head_model()
    heads = ChainHead.objects.select_for_update()
    head = heads.filter(key=key).first()
    if head is None:
        # The chain's first row; a concurrent first append waits on the unique key.
        ChainHead.objects.bulk_create(
            [ChainHead(key=key, seq=0, hash=GENESIS)], ignore_conflicts=True
        )
        head = heads.get(key=key)
    sealer = Sealer(spec, key, head.seq, head.hash)
    yield sealer
    if sealer.appended:
        ChainHead.objects.filter(pk=head.pk).update(seq=sealer.seq, hash=sealer.hash)


def append(model: type[models.Model], values: dict[str, Any]) -> models.Model:
    """Insert one row of a chained model, sealed."""
    spec: ChainSpec = model.chain  # type: ignore[attr-defined]
    with appending(spec, spec.key(values)) as sealer:
        return model.objects.create(**sealer.seal(values))


def append_many(model: type[models.Model], rows: list[dict[str, Any]]) -> list[models.Model]:
    """Insert several rows, sealed in the order given: two queries per chain, one insert."""
    spec: ChainSpec = model.chain  # type: ignore[attr-defined]
    by_key: dict[str, list[dict[str, Any]]] = {}
    for values in rows:
        by_key.setdefault(spec.key(values), []).append(values)
    objects = []
    for key in sorted(by_key):  # one order for every writer: no deadlock between two
        with appending(spec, key) as sealer:
            objects += [model(**sealer.seal(values)) for values in by_key[key]]
    return model.objects.bulk_create(objects)


# ---------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Break:
    """The first row of a chain that does not match."""

    table: str
    chain: str
    row_id: int | None
    at: Any
    what: str  # which check failed, in Chinese
    expected: str
    found: str


@dataclass
class Report:
    rows: dict[str, int]  # table -> rows verified
    chains: dict[str, int]  # table -> chains verified
    breaks: list[Break]


def chained_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if isinstance(getattr(m, "chain", None), ChainSpec)]


def verify_model(model: type[models.Model], report: Report, time_field: str = "at") -> None:
    """Walk every chain of the model in order; record the first break of each chain."""
    spec: ChainSpec = model.chain  # type: ignore[attr-defined]
    table = model._meta.db_table
    head_rows = _head_model().objects
    if spec.key_field:
        head_rows = head_rows.filter(key__startswith=spec.name + ":")
    else:
        head_rows = head_rows.filter(key=spec.name)
    heads = {h.key: h for h in head_rows}
    order = [spec.key_field, "seq"] if spec.key_field else ["seq"]
    columns = ["id", "seq", "prev_hash", "hash", *spec.fields]
    if time_field not in columns:
        columns.append(time_field)
    rows = model.objects.order_by(*order).values(*columns).iterator(chunk_size=2000)
    report.rows.setdefault(table, 0)
    report.chains.setdefault(table, 0)
    seen: set[str] = set()
    key, seq, prev, broken = None, 0, GENESIS, False

    def close(key: str | None, seq: int, prev: str, broken: bool) -> None:
        if key is None or broken:
            return
        head = heads.get(key)
        if head is None or (head.seq, head.hash) != (seq, prev):
            # Rows removed from the chain's end: the head remembers more than is there.
            report.breaks.append(
                Break(
                    table,
                    key,
                    None,
                    None,
                    "链尾缺少记录 (rows missing at the chain's end)",
                    f"seq {head.seq} {head.hash}" if head else "—",
                    f"seq {seq} {prev}",
                )
            )

    for row in rows:
        report.rows[table] += 1
        row_key = spec.key(row)
        if row_key != key:
            close(key, seq, prev, broken)
            key, seq, prev, broken = row_key, 0, GENESIS, False
            seen.add(row_key)
            report.chains[table] += 1
        if broken:
            continue
        seq += 1
        problem = None
        if row["seq"] != seq:
            problem = ("序号不连续 (seq)", str(seq), str(row["seq"]))
        elif row["prev_hash"] != prev:
            problem = ("前一条的哈希不符 (prev_hash)", prev, row["prev_hash"])
        else:
            expected = row_hash(spec, row, prev)
            if row["hash"] != expected:
                problem = ("内容与哈希不符 (hash)", expected, row["hash"])
        if problem:
            what, want, got = problem
            report.breaks.append(Break(table, key, row["id"], row[time_field], what, want, got))
            broken = True
            continue
        prev = row["hash"]
    close(key, seq, prev, broken)
    for missing in sorted(set(heads) - seen):
        head = heads[missing]
        if head.seq:
            report.breaks.append(
                Break(
                    table,
                    missing,
                    None,
                    None,
                    "整条链的记录都不见了 (every row of the chain is gone)",
                    f"seq {head.seq} {head.hash}",
                    "—",
                )
            )


def verify() -> Report:
    report = Report(rows={}, chains={}, breaks=[])
    for model in chained_models():
        verify_model(model, report)
    return report
