"""Read a ledger file — CSV, XLSX or JSON Lines — into rows of cells keyed by column key.

Each row carries the line number a person sees: the row number in Excel or WPS (the header
row is line 1), or the line of a JSON Lines file. Rows are produced lazily so that a large
ledger is never held twice in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import IO, Any

from .columns import COLUMNS, REQUIRED, header_key

# A title row or two above the header is common in Excel ledgers ("长塘镇2026年三季度台账").
HEADER_SEARCH_ROWS = 10


class LedgerError(Exception):
    """The file as a whole cannot be read (format, encoding, header). The message is Chinese."""


@dataclass(frozen=True, slots=True)
class RawRow:
    line: int
    cells: dict[str, Any]
    error: str = ""  # set when the line itself cannot be parsed (bad JSON)


@dataclass
class Ledger:
    name: str  # the file's name, for messages and the timeline
    kind: str  # "csv" | "xlsx" | "jsonl"
    columns: list[str] = field(default_factory=list)  # keys found in the header
    ignored: list[str] = field(default_factory=list)  # headers that are not ours
    rows: Iterator[RawRow] = field(default_factory=lambda: iter(()))


def open_ledger(source: str | Path | IO[bytes], name: str | None = None) -> Ledger:
    """Open a ledger from a path or a binary file object (an upload). Raises LedgerError."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise LedgerError(f"找不到文件: {path}") from None
        except OSError as exc:
            raise LedgerError(f"无法读取文件 {path}: {exc.strerror}") from None
        name = name or path.name
    else:
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = name or PurePath(getattr(source, "name", "") or "台账").name
    kind = _kind(name, data)
    if kind == "xlsx":
        return _xlsx(name, data)
    if kind == "jsonl":
        return Ledger(name=name, kind="jsonl", columns=[], rows=_jsonl(_decode(data)))
    return _csv(name, _decode(data))


def _kind(name: str, data: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in (".xls", ".et"):
        raise LedgerError(
            f"“{name}”是旧版 Excel 格式,无法读取:请在 Excel 或 WPS 中另存为 .xlsx 或 CSV (UTF-8)"
        )
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return "xlsx"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "jsonl" if head == b"{" else "csv"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on Chinese Windows saves "CSV (逗号分隔)" in GBK: read it rather than refuse it.
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise LedgerError("文件编码无法识别:请另存为 UTF-8 编码的 CSV") from None


def _header(
    name: str, rows: Iterator[tuple[int, list[Any]]]
) -> tuple[int, list[str | None], Ledger]:
    """Find the header row (the first of the first few rows naming 事件编号 / case_no)."""
    for line, values in rows:
        keys = [header_key(v) for v in values]
        if "case_no" in keys:
            break
        if line >= HEADER_SEARCH_ROWS:
            break
    else:
        keys = []
    if "case_no" not in keys:
        raise LedgerError(
            f"“{name}”中找不到表头:第一行应为列名,如 事件编号、行政村、网格专管员、事件类别、"
            "上报时间(或英文 case_no、village、officer、category、submitted_at)"
        )
    seen: dict[str, str] = {}
    ignored = []
    for key, value in zip(keys, values, strict=True):
        shown = str(value).strip() if value is not None else ""
        if key is None:
            if shown:
                ignored.append(shown)
        elif key in seen:
            raise LedgerError(f"表头中“{COLUMNS[key]}”({key})出现了两次:“{seen[key]}”和“{shown}”")
        else:
            seen[key] = shown
    absent = [f"{COLUMNS[k]}({k})" for k in REQUIRED if k not in seen]
    if absent:
        raise LedgerError(f"“{name}”缺少必需的列: {'、'.join(absent)}")
    ledger = Ledger(name=name, kind="", columns=list(seen), ignored=ignored)
    return line, keys, ledger


def _rows(keys: list[str | None], rows: Iterator[tuple[int, list[Any]]]) -> Iterator[RawRow]:
    for line, values in rows:
        cells = {k: v for k, v in zip(keys, values, strict=False) if k is not None}
        if any(v is not None and str(v).strip() for v in cells.values()):
            yield RawRow(line=line, cells=cells)


def _csv(name: str, content: str) -> Ledger:
    first = content.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    # A record may span several physical lines (a quoted cell with a line break); Excel shows
    # it as one row, so the line number is the record's number, header = 1.
    numbered = enumerate(reader, start=1)
    try:
        _, keys, ledger = _header(name, numbered)
    except csv.Error as exc:
        raise LedgerError(f"“{name}”不是有效的 CSV 文件: {exc}") from None
    ledger.kind = "csv"
    ledger.rows = _guard_csv(name, _rows(keys, numbered))
    return ledger


def _guard_csv(name: str, rows: Iterator[RawRow]) -> Iterator[RawRow]:
    try:
        yield from rows
    except csv.Error as exc:
        raise LedgerError(f"“{name}”不是有效的 CSV 文件: {exc}") from None


def _xlsx(name: str, data: bytes) -> Ledger:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise LedgerError(f"“{name}”不是有效的 Excel (.xlsx) 文件: {exc}") from None
    if not book.worksheets:
        raise LedgerError(f"“{name}”中没有工作表")
    sheet = book.worksheets[0]
    numbered = enumerate((list(r) for r in sheet.iter_rows(values_only=True)), start=1)
    try:
        _, keys, ledger = _header(name, numbered)
    except LedgerError:
        book.close()
        raise
    ledger.kind = "xlsx"
    ledger.rows = _closing(book, _rows(keys, numbered))
    return ledger


def _closing(book, rows: Iterator[RawRow]) -> Iterator[RawRow]:
    try:
        yield from rows
    finally:
        book.close()


def _jsonl(content: str) -> Iterator[RawRow]:
    for line, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield RawRow(line=line, cells={}, error=f"不是有效的 JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            yield RawRow(line=line, cells={}, error="每行应为一个 JSON 对象 {…}")
            continue
        cells = {}
        for header, value in obj.items():
            key = header_key(header)
            if key is not None:
                cells[key] = value
        yield RawRow(line=line, cells=cells)
