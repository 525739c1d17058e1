"""Queries built and compiled once per process, run for each town (or other id) they are for.

A province's quarter runs the same handful of small queries for each of its 2,000 towns (the
officers, the policy's versions, the reviews, the appeals, ...): the ORM took longer to build
and compile each one (``filter`` and ``as_sql``, 1–2 ms) than the database took to answer it,
a sixth of the whole run (bench/README.md). Here a query is built once for a stand-in id, its
SQL kept, and run with the id in its place; its rows are converted by the ORM's own converters,
so they are the values ``list(queryset)`` gives.

A query is a function of the id and of further arguments (hashable: a period's bounds, a
quarter's name), which it must read only as the query's parameters, never to choose its shape
by the id.

``together`` runs several such queries in one round trip (PostgreSQL's pipeline mode) for a
caller that knows which ones its callees will ask: each is a round trip otherwise, and a town's
assessment asks six (bench/README.md).
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ValuesListIterable

# An id that no row has: the place of the id in the compiled query's parameters.
ANY_ID = -2_147_480_001

Build = Callable[..., QuerySet]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    compiler: Any  # the SQLCompiler that compiled it: its converters, for its connection
    converters: dict[int, Any]


class Query(NamedTuple):
    """A query of this module for one id: what ``rows(build, id, *args)`` runs."""

    build: Build
    id: int
    args: tuple[Any, ...]


def query(build: Build, id_: int, *args: Any) -> Query:
    return Query(build, id_, args)


def read(one: Query) -> list[tuple[Any, ...]]:
    """``rows`` of a ``Query``."""
    return rows(one.build, one.id, *one.args)


def rows(build: Build, id_: int, *args: Any) -> list[tuple[Any, ...]]:
    """``list(build(id_, *args))``, the rows of a ``values_list`` query, from the database the
    router reads the query's model from; built and compiled once per process for each
    ``args`` and connection. Inside ``together``, the rows it read, if it read this query."""
    read = getattr(_read, "rows", None)
    if read:
        found = read.pop(Query(build, id_, args), None)
        if found is not None:
            return found
    connection, compiled, params = _for(build, id_, args)
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        return _converted(compiled, cursor.fetchall())


# The rows ``together`` read and no ``rows`` has asked for yet, by query: of this thread (a
# connection belongs to one thread).
_read = threading.local()


@contextmanager
def together(queries: Iterable[Query]) -> Iterator[None]:
    """Run ``queries`` now, those from one PostgreSQL database in one round trip, and let
    ``rows`` answer each of them inside the block from what was read, once.

    In psycopg's pipeline mode the client sends every query before it reads any result, and
    the server answers them one after the other: one wait for the network and the server
    instead of one per query. Elsewhere (SQLite, a single query) they run one by one, as
    ``rows`` would. A query asked with other arguments than the ones read is simply run."""
    outer = getattr(_read, "rows", None)
    # A query the block is inside the answer of (``answered``, an outer ``together``) is not
    # asked again.
    found = _run_together([one for one in dict.fromkeys(queries) if not outer or one not in outer])
    with answered(found):
        yield


@contextmanager
def answered(known: Mapping[Query, list[tuple[Any, ...]]]) -> Iterator[None]:
    """Let ``rows`` (and ``together``) answer the ``known`` queries inside the block from
    their given rows, once each, without asking the database: for a caller that read them for
    many ids at once (a run of many towns, ``services.run_assessor``), and for ``together``.
    The rows must be what the query gives: its values, converted, in its order."""
    # Inside another block, one memory: a query answered here is not answered again out there.
    outer = getattr(_read, "rows", None)
    read = outer if outer is not None else {}
    added = [one for one in known if one not in read]
    read.update({one: known[one] for one in added})
    _read.rows = read
    try:
        yield
    finally:
        for one in added:
            read.pop(one, None)
        _read.rows = outer


def _run_together(queries: list[Query]) -> dict[Query, list[tuple[Any, ...]]]:
    by_connection: defaultdict[Any, list[tuple[Query, _Compiled, list[Any]]]] = defaultdict(list)
    for one in queries:
        connection, compiled, params = _for(one.build, one.id, one.args)
        by_connection[connection].append((one, compiled, params))
    found: dict[Query, list[tuple[Any, ...]]] = {}
    for connection, planned in by_connection.items():
        for (one, compiled, _), raw in zip(planned, _fetch_all(connection, planned), strict=True):
            found[one] = _converted(compiled, raw)
    return found


def _fetch_all(connection: Any, planned: list[tuple[Query, _Compiled, list[Any]]]) -> list[Any]:
    connection.ensure_connection()
    pipeline = getattr(connection.connection, "pipeline", None)  # psycopg 3's, PostgreSQL's
    at_once = pipeline() if pipeline is not None and len(planned) > 1 else nullcontext()
    cursors = [connection.cursor() for _ in planned]
    try:
        with connection.wrap_database_errors, at_once:
            for cursor, (_, compiled, params) in zip(cursors, planned, strict=True):
                cursor.execute(compiled.sql, params)  # in the pipeline: sent, not waited for
            return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def _converted(compiled: _Compiled, found: list[Any]) -> list[tuple[Any, ...]]:
    if compiled.converters:  # as the ORM's results_iter does, with the same converters
        rows = compiled.compiler.apply_converters(found, compiled.converters)
        return [tuple(row) for row in rows]
    return found


def statement(build: Build, id_: int, *args: Any) -> tuple[Any, str, list[Any]]:
    """The connection the router reads ``build``'s model from, and the query's SQL and
    parameters for ``id_``, compiled as for ``rows``: for a caller that reads the cursor
    itself (its rows as the database driver gives them, not converted)."""
    connection, query, params = _for(build, id_, args)
    return connection, query.sql, params


def _for(build: Build, id_: int, args: tuple[Any, ...]) -> tuple[Any, _Compiled, list[Any]]:
    connection = connections[router.db_for_read(_model(build, args))]
    query = _compiled(build, args, connection)
    return connection, query, [id_ if value == ANY_ID else value for value in query.params]


@functools.lru_cache(maxsize=256)
def _model(build: Build, args: tuple[Any, ...]) -> type[Model]:
    return build(ANY_ID, *args).model


# By connection, not by alias: a connection belongs to one thread, and so does its compiler.
@functools.lru_cache(maxsize=256)
def _compiled(build: Build, args: tuple[Any, ...], connection: Any) -> _Compiled:
    queryset = build(ANY_ID, *args)
    if queryset._iterable_class is not ValuesListIterable:  # not flat, not named, not models
        raise TypeError(f"{build.__qualname__}: a values_list query of tuples is wanted")
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    if ANY_ID not in params:
        raise RuntimeError(f"{build.__qualname__}: the id is not a parameter of its query")
    # The values in the order values_list names them (Django 5.2 selects them so).
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    return _Compiled(sql, tuple(params), compiler, compiler.get_converters(columns))
