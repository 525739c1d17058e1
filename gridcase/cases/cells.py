"""A case's place as one integer: the grid cell of a fixed size that holds its point.

The spatial key of the cases (the duplicate check of integrity.md; the "cases near a point"
of the town's map): ``Case.cell`` is computed by the database from latitude and longitude
(a generated column, ``CellOf`` below), and the indexes on (town, category, cell, submitted_at)
and (town, cell, submitted_at) turn "near this point, in this window" into a few short index
ranges, one per cell, however many cases the town holds (``selectors.near_q`` asks for them).
A search of any radius asks for every cell its bounding box touches (``covering``); the exact
distance is the caller's (haversine) on the few rows found.

Cells are 0.005° on each side (about 550 m north-south, 490 m east-west at 28° N): a 300 m
policy's box (600 m around the point, integrity.md) touches 9 to 16 of them. The cell of a
point is ``row * ROW_STRIDE + column`` where

    row    = floor((latitude  +  90) / 0.005)    0 … 36,000
    column = floor((longitude + 180) / 0.005)    0 … 72,000

The offsets keep both non-negative. Everything is counted in whole micro-degrees (the columns
hold six decimals), so Python, SQLite (floating point) and PostgreSQL (exact numeric) give the
same integer for every stored point, boundaries included; ``cell_of`` is the one definition,
``CellOf`` its SQL, and tests compare them on both databases.

The functions are pure (no database); ``CellOf`` is an expression the database evaluates
with its own built-in functions only (no function registered by Django on the connection), so
that the column is right whoever writes the row: the ORM, raw SQL, COPY, the sqlite3 shell or a
restore.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db.models import BigIntegerField, Func

CELL_DEGREES = Decimal("0.005")
MICRO = 1_000_000
# Micro-degrees per cell side.
CELL_MICRO = int(CELL_DEGREES * MICRO)
# A row's cells are numbered 0 … 72,000: a stride above that keeps rows apart (and readable).
ROW_STRIDE = 100_000
# Beyond this many cells a box is asked for as one range of cells per row (a policy of
# kilometres); below it, as a list of cells (one short index range each).
MAX_LISTED_CELLS = 400

# The Earth's mean radius (a sphere is close enough for "within a few hundred metres").
EARTH_RADIUS_M = 6_371_008.8

Number = float | Decimal | int | str


def micro_degrees(value: Number) -> int:
    """The value in whole micro-degrees, as the six-decimal columns hold it."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return int((exact * MICRO).to_integral_value(rounding=ROUND_HALF_EVEN))


def row_of(latitude: Number) -> int:
    return (micro_degrees(latitude) + 90 * MICRO) // CELL_MICRO


def column_of(longitude: Number) -> int:
    return (micro_degrees(longitude) + 180 * MICRO) // CELL_MICRO


def cell_of(latitude: Number | None, longitude: Number | None) -> int | None:
    """The cell of a point; ``None`` without both coordinates (as the column: NULL)."""
    if latitude is None or longitude is None:
        return None
    return row_of(latitude) * ROW_STRIDE + column_of(longitude)


def covering(
    min_lat: float, max_lat: float, min_lon: float, max_lon: float
) -> list[tuple[int, int]]:
    """The cells a bounding box touches, as (first, last) cell of each row, south to north.

    The box is widened by one micro-degree on each side: a point on its edge that is also on a
    cell boundary belongs to the cell on either side depending on how it was rounded."""
    tiny = 1 / MICRO
    first_row, last_row = row_of(min_lat - tiny), row_of(max_lat + tiny)
    first_col, last_col = column_of(min_lon - tiny), column_of(max_lon + tiny)
    return [
        (row * ROW_STRIDE + first_col, row * ROW_STRIDE + last_col)
        for row in range(first_row, last_row + 1)
    ]


def covering_cells(min_lat: float, max_lat: float, min_lon: float, max_lon: float) -> list[int]:
    """Every cell the box touches (for ``cell IN (…)``)."""
    return [
        cell
        for first, last in covering(min_lat, max_lat, min_lon, max_lon)
        for cell in range(first, last + 1)
    ]


def cell_count(ranges: list[tuple[int, int]]) -> int:
    return sum(last - first + 1 for first, last in ranges)


def around(latitude: float, longitude: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) holding every point within ``metres`` of a point
    (a sphere of the Earth's mean radius; longitude widened by the latitude's cosine)."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = math.degrees(metres / (EARTH_RADIUS_M * max(0.01, math.cos(math.radians(latitude)))))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


class CellOf(Func):
    """``cell_of`` in SQL, for ``Case.cell`` (a generated column): built-in functions only.

    PostgreSQL: numeric arithmetic is exact and FLOOR is built in (a CAST would round).
    SQLite: the values are floating point, so they are first made whole micro-degrees
    (ROUND, exact at six decimals), then divided as integers (truncation, which is the floor
    for the non-negative offsets). Neither needs SQLite's optional math functions."""

    arity = 2
    output_field = BigIntegerField()

    # (latitude, longitude) in; both placeholders are the compiled columns.
    _POSTGRESQL = (
        f"(CAST(FLOOR(({{lat}} + 90) * {MICRO // CELL_MICRO}) AS BIGINT) * {ROW_STRIDE}"
        f" + CAST(FLOOR(({{lon}} + 180) * {MICRO // CELL_MICRO}) AS BIGINT))"
    )
    _SQLITE = (
        f"((CAST(ROUND(({{lat}} + 90) * {MICRO}) AS INTEGER) / {CELL_MICRO}) * {ROW_STRIDE}"
        f" + CAST(ROUND(({{lon}} + 180) * {MICRO}) AS INTEGER) / {CELL_MICRO})"
    )

    def _sql(self, compiler: Any, template: str) -> tuple[str, tuple[Any, ...]]:
        (lat, lat_params), (lon, lon_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return template.format(lat=lat, lon=lon), (*lat_params, *lon_params)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return self._sql(compiler, self._POSTGRESQL)

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return self._sql(compiler, self._SQLITE)
