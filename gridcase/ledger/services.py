"""Import a case ledger into a town: every row or none (assessment.md, "Importing a case ledger").

Three steps. Read: every row is parsed and checked without writing (rows.py). Resolve: the
town's villages, officers and the case numbers already present are loaded in a few queries,
and every unknown name or conflict becomes a row problem. Write: only when no row has a
problem, in one transaction, in batches of bulk inserts and updates, with one "import"
timeline row per created or changed case.

Imported cases are ordinary cases: their state, level and deadlines are derived here with the
same arithmetic the case services use (`TownClock` from cases/deadlines.py), from the
town's calendar loaded once for the years the ledger spans. The per-case services are not
called per row: a county's quarter (60,000 rows) must import in well under a minute.
"""

from __future__ import annotations

import bisect
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from gridcase.cases.deadlines import TownClock
from gridcase.cases.errors import Conflict
from gridcase.cases.models import (
    Case,
    Category,
    Level,
    LocalOutcome,
    Party,
    Quality,
    Source,
    State,
    TimelineEntry,
)
from gridcase.core import audit, clock
from gridcase.core import chain as hash_chain
from gridcase.core.calendar import calendar_for
from gridcase.core.policy import Policy, default_policy, parse_policy
from gridcase.org.models import PolicyVersion, Role, Town, User, Village

from . import bulk
from .readers import LedgerError, open_ledger
from .rows import TIME_COLUMNS, LedgerRow, RowError, parse_row

__all__ = ["ImportReport", "LedgerError", "RowProblem", "case_fields", "import_ledger"]

DEFAULT_TIMEZONE = "Asia/Shanghai"
BATCH = 1000
VOID_REASON = "台账中标记为作废"
NONCONFORMING_SHOWN = 20

# The fields an import sets; a re-import compares exactly these (and the parties).
MANAGED = (
    "category",
    "major",
    "occurred_at",
    "location",
    "persons",
    "cause",
    "course",
    "result",
    "mediator",
    "mediation_result",
    "agreement_form",
    "agreement_terms",
    "village_id",
    "grid_id",
    "officer_id",
    "state",
    "level",
    "submitted_at",
    "accept_due",
    "handle_due",
    "level_accepted_at",
    "first_accept_due",
    "first_accepted_at",
    "local_due",
    "local_outcome",
    "local_outcome_at",
    "escalated_at",
    "closed_at",
    "closed_level",
    "voided_at",
    "void_reason",
    "follow_up_due",
    "quality",
    "quality_note",
    "missing_elements",
)


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行: {self.reason}"


@dataclass
class ImportReport:
    file: str
    town: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    nonconforming: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # Imported but nonconforming: the line and why (the first NONCONFORMING_SHOWN are kept).
    nonconforming_rows: list[RowProblem] = field(default_factory=list)
    new_town: bool = False
    new_villages: list[str] = field(default_factory=list)
    new_officers: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The summary a person reads, in Chinese."""
        if self.problems:
            return [
                f"台账“{self.file}”有 {len(self.problems)} 行无法读取,未导入任何事件:",
                *(str(p) for p in self.problems),
                "请在台账中改正以上各行后重新导入。",
            ]
        verb = "将" if self.dry_run else ""
        out = []
        if self.dry_run:
            out.append("试运行(--dry-run):只检查,未写入任何数据。")
        if self.new_town:
            out.append(f"{verb}新建镇: {self.town}(默认考核策略,时区 Asia/Shanghai)")
        if self.new_villages:
            out.append(f"{verb}新建行政村: {'、'.join(self.new_villages)}")
        if self.new_officers:
            out.append(f"{verb}新建网格专管员(无登录密码): {'、'.join(self.new_officers)}")
        if self.ignored_columns:
            out.append(f"未识别、已忽略的列: {'、'.join(self.ignored_columns)}")
        if not self.rows:
            out.append(f"台账“{self.file}”中没有事件行。")
            return out
        action = "检查" if self.dry_run else "导入"
        out.append(
            f"{action}台账“{self.file}”到{self.town}: 共 {self.rows} 行,"
            f"{verb}新增 {self.created} 条, {verb}更新 {self.updated} 条, 未变 {self.unchanged} 条,"
            f" 不合格 {self.nonconforming} 条。"
        )
        if self.nonconforming:
            out.append(
                f"不合格的事件缺少必备要素或被评为不合格,{verb}照常导入并标注原因,"
                "考核时按不合格处理:"
            )
            out += [f"  {p}" for p in self.nonconforming_rows]
            if self.nonconforming > len(self.nonconforming_rows):
                out.append(f"  …… 另有 {self.nonconforming - len(self.nonconforming_rows)} 条")
        return out


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
) -> ImportReport:
    """Import every row of the ledger into the town, or nothing. Raises LedgerError when the
    file or the town cannot be used at all; row problems are listed in the report."""
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
    refs = _References.load(town)
    refs.resolve(rows, create_missing=create_missing, town_name=town_name, report=report)
    if town is not None:
        _check_existing(_numbers(town), rows, report)
    if report.problems:
        report.problems = _merged(report.problems)
        return report

    with transaction.atomic():
        if town is None:
            town = _create_town(town_name)
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
        clock_at = _clocks(town, rows)
        known = _numbers(town)  # again inside the transaction: what the writes compare with
        if any(known.get(r.case_no, (0, Source.IMPORTED))[1] != Source.IMPORTED for r in rows):
            raise Conflict(
                "导入期间有人录入了台账中的事件编号,本次导入未写入任何数据。请重新导入。"
            )
        written = _Written()
        for batch in _chunks(rows, BATCH):
            _write(town, batch, known, refs, clock_at, at, report, written)
        _write_related(town, written, ledger.name, by, at)
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


def _numbers(town: Town) -> dict[str, tuple[int, str]]:
    """Every case number of the town -> (id, source), in one scan of the town's cases.

    One scan rather than `number IN (…)` per batch: without statistics SQLite answers that
    through the (town, state, level) index, reading the whole town once per batch."""
    return {
        number: (case_id, source)
        for number, case_id, source in Case.objects.filter(town=town).values_list(
            "number", "id", "source"
        )
    }


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


# ---------------------------------------------------------------- villages and officers


@dataclass(frozen=True)
class _Officer:
    user_id: int
    village_id: int | None
    grid_id: int | None


class AmbiguousOfficer(Exception):
    pass


@dataclass
class _References:
    """The town's villages and officers by name, and the ones an import will create."""

    villages: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, list[_Officer]] = field(default_factory=dict)
    by_username: dict[str, list[_Officer]] = field(default_factory=dict)
    new_villages: dict[str, None] = field(default_factory=dict)  # an ordered set
    new_officers: dict[str, dict[str, None]] = field(default_factory=dict)  # name -> villages

    @classmethod
    def load(cls, town: Town | None) -> _References:
        refs = cls()
        if town is None:
            return refs
        refs.villages = dict(Village.objects.filter(town=town).values_list("name", "id"))
        roles = Role.objects.filter(town=town, kind=Role.Kind.OFFICER).values_list(
            "user_id", "user__display_name", "user__username", "village_id", "grid_id"
        )
        for user_id, display_name, username, village_id, grid_id in roles:
            officer = _Officer(user_id, village_id, grid_id)
            if display_name:
                refs.by_name.setdefault(display_name, []).append(officer)
            refs.by_username.setdefault(username, []).append(officer)
        return refs

    def officer(self, name: str, village_id: int | None) -> tuple[int, int | None] | None:
        """(user id, grid id) of the officer so named, preferring one of the row's village."""
        candidates = self.by_name.get(name) or self.by_username.get(name) or []
        if not candidates:
            return None
        here = [c for c in candidates if c.village_id == village_id]
        users = {c.user_id for c in candidates}
        if len(users) > 1:
            if len({c.user_id for c in here}) != 1:
                raise AmbiguousOfficer(name)
            return here[0].user_id, here[0].grid_id
        return (here[0].user_id, here[0].grid_id) if here else (candidates[0].user_id, None)

    def resolve(
        self,
        rows: list[LedgerRow],
        *,
        create_missing: bool,
        town_name: str,
        report: ImportReport,
    ) -> None:
        hint = "(加 --create-missing 可自动创建)"
        for row in rows:
            village_id = self.villages.get(row.village)
            reasons = []
            if village_id is None:
                if create_missing:
                    self.new_villages[row.village] = None
                else:
                    reasons.append(f"行政村“{row.village}”在{town_name}不存在{hint}")
            try:
                found = self.officer(row.officer, village_id)
            except AmbiguousOfficer:
                reasons.append(
                    f"网格专管员“{row.officer}”在{town_name}有多人同名,无法确定是哪一位:"
                    "请改填其登录账号名"
                )
                found = True
            if found is None:
                if create_missing:
                    self.new_officers.setdefault(row.officer, {})[row.village] = None
                else:
                    reasons.append(f"网格专管员“{row.officer}”在{town_name}不存在{hint}")
            if reasons:
                report.problems.append(RowProblem(row.line, ";".join(reasons)))

    def create_missing(self, town: Town, report: ImportReport) -> None:
        if self.new_villages:
            Village.objects.bulk_create(Village(town=town, name=n) for n in self.new_villages)
            self.villages = dict(Village.objects.filter(town=town).values_list("name", "id"))
            report.new_villages = list(self.new_villages)
        if not self.new_officers:
            return
        usernames = _free_usernames(town, list(self.new_officers))
        users = User.objects.bulk_create(
            User(
                username=usernames[name],
                display_name=name,
                town=town,
                # make_password(None) is an unusable password: they log in once given one.
                password=make_password(None),
            )
            for name in self.new_officers
        )
        user_ids = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list(
                "username", "id"
            )
        )
        roles = []
        for name, villages in self.new_officers.items():
            user_id = user_ids[usernames[name]]
            for village in villages:
                officer = _Officer(user_id, self.villages[village], None)
                self.by_name.setdefault(name, []).append(officer)
                roles.append(
                    Role(
                        user_id=user_id,
                        town=town,
                        kind=Role.Kind.OFFICER,
                        village_id=self.villages[village],
                    )
                )
        Role.objects.bulk_create(roles)
        report.new_officers = [
            f"{name}({'、'.join(villages)})" for name, villages in self.new_officers.items()
        ]


def _free_usernames(town: Town, names: list[str]) -> dict[str, str]:
    """A login name per new officer: `<town code>_<name>`, numbered when taken."""
    wanted = {name: f"{town.code}_{name}"[:140] for name in names}
    taken = set(
        User.objects.filter(username__startswith=f"{town.code}_").values_list("username", flat=True)
    )
    result = {}
    for name, base in wanted.items():
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}_{n}"
        taken.add(username)
        result[name] = username
    return result


def _create_town(name: str) -> Town:
    """A new town: Asia/Shanghai, the default policy (no version row needed), a unique code."""
    base = slugify(name)[:14] or f"t{zlib.crc32(name.encode()):08x}"[:9]
    taken = set(Town.objects.filter(code__startswith=base).values_list("code", flat=True))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return Town.objects.create(name=name, code=code, timezone=DEFAULT_TIMEZONE)


# ---------------------------------------------------------------- deadlines


def _clocks(town: Town, rows: list[LedgerRow]) -> Callable[[datetime], TownClock]:
    """`clock_at(moment)`: the town's clock with the calendar of the ledger's years (loaded
    once) and the policy version in force on the moment's local day, as the services use."""
    days = [
        clock.local_date(moment, town.timezone)
        for row in rows
        for moment in (getattr(row, key) for key in TIME_COLUMNS)
        if moment is not None
    ]
    today = clock.today(town.timezone)
    first = min(days, default=today).year
    last = max(days, default=today).year
    calendar = calendar_for(town.id, first, last)
    versions = list(
        PolicyVersion.objects.filter(town=town)
        .order_by("effective_from")
        .values_list("effective_from", "source")
    )
    starts = [v[0] for v in versions]
    policies: list[Policy] = [parse_policy(source) for _, source in versions]
    fallback = TownClock(tz=town.timezone, calendar=calendar, policy=default_policy())
    clocks = [TownClock(tz=town.timezone, calendar=calendar, policy=p) for p in policies]

    def clock_at(moment: datetime) -> TownClock:
        i = bisect.bisect_right(starts, clock.local_date(moment, town.timezone))
        return clocks[i - 1] if i else fallback

    return clock_at


def case_fields(row: LedgerRow, clock_at: Callable[[datetime], TownClock]) -> dict[str, Any]:
    """State, level, deadlines and outcome of an imported case, as the services would set them.

    Submit: the grid's acceptance deadline, and a local period from it. First acceptance: the
    local period runs from the acceptance day or its deadline, whichever is earlier. Escalation
    (to the town center): the local outcome, and the center's acceptance deadline. A close
    without escalation is a local close.
    """
    submitted = clock_at(row.submitted_at).at_submit(row.submitted_at)
    first_accept_due = submitted["first_accept_due"]
    if row.accepted_at is not None:
        local_due = clock_at(row.accepted_at).handle_due(
            Level.GRID, row.accepted_at, first_accept_due
        )
    else:
        local_due = submitted["local_due"]
    f: dict[str, Any] = {
        "submitted_at": row.submitted_at,
        "first_accept_due": first_accept_due,
        "first_accepted_at": row.accepted_at,
        "local_due": local_due,
        "escalated_at": row.escalated_at,
        "closed_at": row.closed_at,
        "closed_level": "",
        "local_outcome": LocalOutcome.NONE,
        "local_outcome_at": None,
        "follow_up_due": None,
        "voided_at": None,
        "void_reason": "",
    }
    if row.escalated_at is not None:
        level = Level.TOWN
        f |= {
            "accept_due": clock_at(row.escalated_at).accept_due(Level.TOWN, row.escalated_at),
            "handle_due": None,
            "level_accepted_at": None,
            "local_outcome": LocalOutcome.ESCALATED,
            "local_outcome_at": row.escalated_at,
        }
    else:
        level = Level.VILLAGE if row.closed_at is not None else Level.GRID
        f |= {
            "accept_due": first_accept_due,
            "handle_due": local_due if row.accepted_at is not None else None,
            "level_accepted_at": row.accepted_at,
        }
    if row.closed_at is not None:
        state = State.CLOSED
        f["closed_level"] = level
        if row.escalated_at is None:
            f |= {"local_outcome": LocalOutcome.CLOSED, "local_outcome_at": row.closed_at}
        if row.category == Category.DISPUTE:
            f["follow_up_due"] = clock_at(row.closed_at).follow_up_due(row.closed_at)
    elif row.escalated_at is not None:
        state = State.PENDING  # the town center has yet to accept it
    elif row.accepted_at is not None:
        state = State.HANDLING
    else:
        state = State.PENDING
    if row.voided:
        state = State.VOIDED
        known = (row.submitted_at, row.accepted_at, row.escalated_at, row.closed_at)
        f |= {"voided_at": max(t for t in known if t is not None), "void_reason": VOID_REASON}
    nonconforming = bool(row.missing) or row.quality == Quality.NONCONFORMING
    f |= {
        "state": state,
        "level": level,
        "category": row.category,
        "major": row.major,
        "occurred_at": row.occurred_at,
        "location": row.location,
        "persons": row.persons,
        "cause": row.cause,
        "course": row.course,
        "result": row.result,
        "mediator": row.mediator,
        "mediation_result": row.mediation_result,
        "agreement_form": row.agreement_form,
        "agreement_terms": list(row.agreement_terms),
        "quality": Quality.NONCONFORMING if nonconforming else Quality.CONFORMING,
        # The missing elements are the reason (missing_elements); a note would repeat them.
        "quality_note": row.quality_note,
        "missing_elements": list(row.missing),
    }
    return f


# ---------------------------------------------------------------- writing


@dataclass
class _Written:
    """What the case batches wrote, for the parties and timeline rows written after them:
    (row, state, level) of each created case; (id, row, old state, old level, state, level,
    changed fields) of each updated one."""

    created: list[tuple[LedgerRow, str, str]] = field(default_factory=list)
    changed: list[tuple[int, LedgerRow, str, str, str, str, list[str]]] = field(
        default_factory=list
    )


def _write(
    town: Town,
    batch: list[LedgerRow],
    known: dict[str, tuple[int, str]],
    refs: _References,
    clock_at: Callable[[datetime], TownClock],
    at: datetime,
    report: ImportReport,
    written: _Written,
) -> None:
    """One batch of cases: a query for the existing ones and one for their parties (by id),
    then a many-row INSERT for the new and a compare-and-swap UPDATE for the changed."""
    ids = [known[row.case_no][0] for row in batch if row.case_no in known]
    existing = {
        values["number"]: values
        for values in Case.objects.filter(id__in=ids).values("id", "number", "version", *MANAGED)
    }
    old_parties: dict[int, list[tuple[str, str]]] = {}
    if ids:
        for case_id, name, phone in (
            Party.objects.filter(case_id__in=ids)
            .order_by("case_id", "position", "id")
            .values_list("case_id", "name", "phone")
        ):
            old_parties.setdefault(case_id, []).append((name, phone))

    created: list[tuple[LedgerRow, dict[str, Any]]] = []
    changed: list[tuple[LedgerRow, dict[str, Any], dict[str, Any], list[str]]] = []
    for row in batch:
        village_id = refs.villages[row.village]
        officer_id, grid_id = refs.officer(row.officer, village_id)
        fields = case_fields(row, clock_at) | {
            "village_id": village_id,
            "officer_id": officer_id,
            "grid_id": grid_id,
        }
        if fields["quality"] == Quality.NONCONFORMING:
            report.nonconforming += 1
            if len(report.nonconforming_rows) < NONCONFORMING_SHOWN:
                report.nonconforming_rows.append(RowProblem(row.line, _why(row)))
        old = existing.get(row.case_no)
        if old is None:
            created.append((row, fields))
            continue
        diff = [name for name in MANAGED if old[name] != fields[name]]
        if old_parties.get(old["id"], []) != list(row.parties):
            diff.append("parties")
        if diff:
            changed.append((row, fields, old, diff))
        else:
            report.unchanged += 1

    bulk.insert(
        Case,
        (
            fields | {"town_id": town.id, "number": row.case_no, "source": Source.IMPORTED}
            for row, fields in created
        ),
        now=at,
    )
    swapped = bulk.update(
        Case,
        [*MANAGED, "version", "updated_at"],
        (
            (old["id"], old["version"], fields | {"version": old["version"] + 1, "updated_at": at})
            for _, fields, old, _ in changed
        ),
    )
    if swapped != len(changed):
        raise Conflict("导入期间有事件刚被他人修改,本次导入已全部撤销,未写入任何数据。请重新导入。")
    written.created += [(row, f["state"], f["level"]) for row, f in created]
    written.changed += [
        (old["id"], row, old["state"], old["level"], f["state"], f["level"], diff)
        for row, f, old, diff in changed
    ]
    report.created += len(created)
    report.updated += len(changed)


def _why(row: LedgerRow) -> str:
    why = [f"缺少{'、'.join(row.missing)}"] if row.missing else []
    if row.quality == Quality.NONCONFORMING:
        why.append(f"质量评定不合格({row.quality_note})" if row.quality_note else "质量评定不合格")
    return f"{row.case_no} {';'.join(why)}"


def _write_related(
    town: Town, written: _Written, file_name: str, by: User | None, at: datetime
) -> None:
    """The parties of the created and changed cases, and one "import" timeline row each."""
    ids = {n: case_id for n, (case_id, _) in _numbers(town).items()} if written.created else {}
    replaced = [(case_id, row) for case_id, row, *_, diff in written.changed if "parties" in diff]
    for batch in _chunks([case_id for case_id, _ in replaced], BATCH):
        Party.objects.filter(case_id__in=batch).delete()
    bulk.insert(
        Party,
        (
            {"case_id": case_id, "name": name, "phone": phone, "position": position}
            for case_id, row in chain(
                ((ids[row.case_no], row) for row, _, _ in written.created), replaced
            )
            for position, (name, phone) in enumerate(row.parties)
        ),
        now=at,
    )

    def entry(case_id, row, old_state, old_level, state, level, diff=None) -> dict[str, Any]:
        data: dict[str, Any] = {"file": file_name, "line": row.line}
        if diff is not None:
            data["fields"] = diff
        return {
            "case_id": case_id,
            "town_id": town.pk,
            "at": at,
            "actor_id": by.pk if by is not None else None,
            "action": "import",
            "from_state": old_state,
            "to_state": state,
            "from_level": old_level,
            "to_level": level,
            "note": f"从台账导入: {file_name} 第 {row.line} 行",
            "data": data,
        }

    # The town's timeline chain: its head is locked once and each row sealed in Python as it
    # streams to the database, so the chain costs two queries however long the ledger.
    spec = TimelineEntry.chain
    with hash_chain.appending(spec, spec.key({"town_id": town.pk})) as sealer:
        bulk.insert(
            TimelineEntry,
            (
                sealer.seal(row)
                for row in chain(
                    (
                        entry(ids[row.case_no], row, "", "", st, lv)
                        for row, st, lv in written.created
                    ),
                    (entry(*change) for change in written.changed),
                )
            ),
            now=at,
        )


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
