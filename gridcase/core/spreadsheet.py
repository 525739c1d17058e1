"""Export cells that are always what they show: the one helper every export writes through.

Stored text is written as it is but for two things. Characters XML cannot carry are dropped
(`text.strip_invalid`): openpyxl refuses some of them and the rest would make the file
unreadable, so one old case could break the whole town's export. And text is never a formula:
openpyxl turns any string starting with `=` into one (`=HYPERLINK(...)` in a location would
be a live link), and Excel or WPS evaluate `+`, `-`, `@` once a person edits such a cell. So
such text is stored as a string cell with Excel's "quote prefix" style: shown exactly as
typed, without an apostrophe, and kept as text when edited. Numbers, dates and booleans stay
what they are.

A CSV file has no cell types, so there the leading character is escaped with an apostrophe
(OWASP's advice): visible, but never run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell

from .text import strip_invalid

# What makes a spreadsheet read text as a formula (a leading tab or CR hides the others).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32767  # Excel's limit for one cell


def clean(value: Any) -> Any:
    """A value as a cell may hold it: text without refused characters, within Excel's limit."""
    if isinstance(value, str):
        return strip_invalid(value)[:MAX_CELL_TEXT]
    return value


def _risky(value: str) -> bool:
    """Text that openpyxl or a spreadsheet would take for a formula or an error value."""
    return value.startswith(FORMULA_START) or value in ERROR_CODES


def _as_text(cell: Cell) -> Cell:
    # After the value is set: openpyxl has just typed it as a formula ("f") or an error ("e").
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def row(ws, values: Iterable[Any]) -> list[Any]:
    """`values` ready for `ws.append` (write-only sheets too): risky text becomes a text cell."""
    out = []
    for value in values:
        value = clean(value)
        if isinstance(value, str) and _risky(value):
            value = _as_text(WriteOnlyCell(ws, value=value))
        out.append(value)
    return out


def put(ws, row_index: int, column: int, value: Any) -> Cell:
    """`ws.cell(row, column)` set to `value` with the same care as `row`."""
    value = clean(value)
    cell = ws.cell(row=row_index, column=column, value=value)
    if isinstance(value, str) and _risky(value):
        _as_text(cell)
    return cell


def csv_row(values: Iterable[Any]) -> list[Any]:
    """`values` ready for `csv.writer.writerow`: risky text starts with an apostrophe."""
    out = []
    for value in values:
        value = clean(value)
        if isinstance(value, str) and value.startswith(FORMULA_START):
            value = "'" + value
        out.append(value)
    return out
