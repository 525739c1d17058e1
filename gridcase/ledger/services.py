"""Import a case ledger into a town: every row or none (assessment.md, "Importing a case ledger").

Three steps. Read: every row is parsed and checked without writing (rows.py). Resolve: the
town's villages, officers and the case numbers already present are loaded in a few queries,
and every unknown name or conflict becomes a row problem. Write: only when no row has a
problem, in one transaction, in batches of bulk inserts and updates, with one "import"
timeline row per created or changed case.

Imported cases are ordinary cases: their state, level and deadlines are derived
(derivation.py) with the same arithmetic the case services use (`TownClock` from
cases/deadlines.py), from the town's calendar loaded once for the years the ledger spans.
The references (references.py) and the writing (writing.py) are modules of their own.
The per-case services are not called per row: a county's quarter (60,000 rows) must import
in well under a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import IO

from django.db import transaction

from gridcase.cases.errors import Conflict
from gridcase.cases.models import Case, Source
from gridcase.cases.selectors import office_judgements
from gridcase.core import audit, clock
from gridcase.org.models import Town, User

from . import writing
from .derivation import ledger_clocks
from .readers import LedgerError, open_ledger
from .references import DEFAULT_TIMEZONE, References, case_numbers, create_town
from .report import ImportReport, RowProblem
from .rows import LedgerRow, RowError, parse_row

__all__ = ["ImportReport", "LedgerError", "RowProblem", "import_ledger"]

# ---------------------------------------------------------------- the import


def import_ledger(
    *,
    path_or_file: str | Path | IO[bytes],
    town_name: str,
    create_missing: bool = False,
    dry_run: bool = False,
    by: User | None = None,
    at: datetime | None = None,
    file_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every row of the ledger into the town, or nothing. Raises LedgerError when the
    file or the town cannot be used at all; row problems are listed in the report.
    `progress(done, total)` is told the rows written so far (0 once the file is read and
    checked, then after each batch); the workbench's import job shows it as a bar."""
    at = at or clock.now()
    town_name = (town_name or "").strip()
    if not town_name:
        raise LedgerError("请指定镇名(--town)")
    town = Town.objects.filter(name=town_name).first()
    if town is None and not create_missing:
        raise LedgerError(f"镇“{town_name}”不存在:请核对镇名,或加 --create-missing 新建该镇")
    tz = town.timezone if town else DEFAULT_TIMEZONE
    ledger = open_ledger(path_or_file, name=file_name)
    report = ImportReport(
        file=ledger.name,
        town=town_name,
        dry_run=dry_run,
        new_town=town is None,
        ignored_columns=ledger.ignored,
    )
    rows = _read(ledger.rows, tz=clock.zone(tz), now=at, report=report)
    report.rows = len(rows) + len({p.line for p in report.problems})
    refs = References.load(town)
    refs.resolve(rows, create_missing=create_missing, town_name=town_name, report=report)
    if town is not None:
        known = case_numbers(town)
        _check_existing(known, rows, report)
        _check_voids(known, rows, report)
    if report.problems:
        report.problems = _merged(report.problems)
        return report

    with transaction.atomic():
        if town is None:
            town = create_town(town_name)
        refs.create_missing(town, report)
        if report.new_officers:
            # One audit row for the people (and their officer roles) the import created.
            audit.record(
                town=town,
                by=by,
                action="person.create",
                obj=(
                    "org.user",
                    "",
                    f"台账导入 {ledger.name}: 新增网格专管员 {len(report.new_officers)} 名",
                ),
                before=None,
                after={"officers": report.new_officers, "file": ledger.name},
                at=at,
            )
        clock_at = ledger_clocks(town, rows)
        known = case_numbers(town)  # again inside the transaction: what the writes compare with
        if any(known.get(r.case_no, (0, Source.IMPORTED))[1] != Source.IMPORTED for r in rows):
            raise Conflict(
                "导入期间有人录入了台账中的事件编号,本次导入未写入任何数据。请重新导入。"
            )
        written = writing.Written()
        done = 0
        if progress is not None:
            progress(0, len(rows))
        for batch in writing.chunks(rows, writing.BATCH):
            writing.write_batch(town, batch, known, refs, clock_at, at, report, written)
            done += len(batch)
            if progress is not None:
                progress(done, len(rows))
        writing.write_related(town, written, ledger.name, by, at)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _read(raw_rows: Iterable, *, tz, now: datetime, report: ImportReport) -> list[LedgerRow]:
    rows: list[LedgerRow] = []
    first_line: dict[str, int] = {}
    for raw in raw_rows:
        if raw.error:
            report.problems.append(RowProblem(raw.line, raw.error))
            continue
        try:
            row = parse_row(raw.line, raw.cells, tz=tz, now=now)
        except RowError as exc:
            report.problems.append(RowProblem(raw.line, ";".join(exc.reasons)))
            continue
        if row.case_no in first_line:
            report.problems.append(
                RowProblem(
                    row.line, f"事件编号“{row.case_no}”与第 {first_line[row.case_no]} 行重复"
                )
            )
            continue
        first_line[row.case_no] = row.line
        rows.append(row)
    return rows


def _merged(problems: list[RowProblem]) -> list[RowProblem]:
    """One entry per line, in the order of the file."""
    by_line: dict[int, list[str]] = {}
    for problem in problems:
        by_line.setdefault(problem.line, []).append(problem.reason)
    return [RowProblem(line, ";".join(by_line[line])) for line in sorted(by_line)]


def _check_existing(
    known: dict[str, tuple[int, str]], rows: list[LedgerRow], report: ImportReport
) -> None:
    """A case entered in the system is the system's: a ledger may not overwrite it."""
    for row in rows:
        found = known.get(row.case_no)
        if found is not None and found[1] != Source.IMPORTED:
            report.problems.append(
                RowProblem(
                    row.line,
                    f"事件编号“{row.case_no}”已是系统中录入的事件,不能用台账覆盖;请核对编号",
                )
            )


def _check_voids(
    known: dict[str, tuple[int, str]], rows: list[LedgerRow], report: ImportReport
) -> None:
    """A row marked 作废 may not void a case the governance office judged nonconforming or a
    duplicate (assessment.md, "Voiding after a judgement"; writing.void_refusal): a row
    problem, so that the preview lists it and nothing is imported. The office's judgements
    of the ledger's voided rows' cases, and their states, in a query or two per thousand."""
    numbers = {
        found[0]: row.case_no
        for row in rows
        if row.voided
        and (found := known.get(row.case_no)) is not None
        and found[1] == Source.IMPORTED
    }
    judged = office_judgements(numbers)
    if not judged:
        return
    by_number = {row.case_no: row for row in rows}
    states = {
        case_id: state
        for batch in writing.chunks(list(judged), writing.BATCH)
        for case_id, state in Case.objects.filter(id__in=batch).values_list("id", "state")
    }
    for case_id, judgement in judged.items():
        row = by_number[numbers[case_id]]
        refusal = writing.void_refusal(row, case_id, states[case_id], judgement)
        if refusal:
            report.problems.append(
                RowProblem(
                    row.line,
                    f"事件编号“{row.case_no}”在台账中标记为作废,但{refusal}:"
                    "请在台账中取消作废,或由综治办在系统中作废该事件",
                )
            )
