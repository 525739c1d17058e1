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
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


def rows(build: Build, id_: int, *args: Any) -> list[tuple[Any, ...]]:
    """``list(build(id_, *args))``, the rows of a ``values_list`` query, from the database the
    router reads the query's model from; built and compiled once per process for each
    ``args`` and connection."""
    connection, query, params = _for(build, id_, args)
    with connection.cursor() as cursor:
        cursor.execute(query.sql, params)
        found = cursor.fetchall()
    if query.converters:  # as the ORM's results_iter does, with the same converters
        return [tuple(row) for row in query.compiler.apply_converters(found, query.converters)]
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
