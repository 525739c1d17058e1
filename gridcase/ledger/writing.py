"""Writing an import: in batches of bulk inserts and compare-and-swap updates, then the
parties and one "import" timeline row per created or changed case, sealed into the town's
chain as they stream. A batch costs a few queries however many rows it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

from gridcase.cases.deadlines import TownClock
from gridcase.cases.errors import Conflict
from gridcase.cases.models import Case, Party, Quality, Source, State, TimelineEntry
from gridcase.cases.selectors import (
    NO_JUDGEMENT,
    OfficeJudgement,
    judgement_refusal,
    office_judgements,
)
from gridcase.core import chain as hash_chain
from gridcase.core import limits
from gridcase.org.models import Town, User

from . import bulk
from .cells import MAJOR_CATEGORIES
from .derivation import case_fields
from .references import References, case_numbers
from .report import ImportReport, KeptJudgement, KeptVoid, RowProblem
from .rows import LedgerRow

BATCH = 1000  # rows per bulk statement
NONCONFORMING_SHOWN = 20

# The fields an import sets; a re-import compares exactly these (and the parties).
MANAGED = (
    "category",
    "major",
    "occurred_at",
    "location",
    "latitude",
    "longitude",
    "location_accuracy",
    "location_mock",
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


@dataclass
class Written:
    """What the case batches wrote, for the parties and timeline rows written after them:
    (row, state, level) of each created case; (id, row, old state, old level, state, level,
    changed fields) of each updated one."""

    created: list[tuple[LedgerRow, str, str]] = field(default_factory=list)
    changed: list[tuple[int, LedgerRow, str, str, str, str, list[str]]] = field(
        default_factory=list
    )


def write_batch(
    town: Town,
    batch: list[LedgerRow],
    known: dict[str, tuple[int, str]],
    refs: References,
    clock_at: Callable[[datetime], TownClock],
    at: datetime,
    report: ImportReport,
    written: Written,
) -> None:
    """One batch of cases: a query for the existing ones and one for their parties (by id),
    then a many-row INSERT for the new and a compare-and-swap UPDATE for the changed.
    The governance office's judgements of the existing cases are read after them (a query,
    when there are any): a judgement made after that read bumps the case's version, so the
    compare-and-swap refuses the batch. Its quality and 重大 stay whatever the row says, as
    does a void made in the system, and a row may not void a case it binds."""
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
    voided_here = _voided_in_the_system(batch, existing)
    judged = office_judgements({old["id"]: number for number, old in existing.items()})

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
        old = existing.get(row.case_no)
        office = judged.get(old["id"], NO_JUDGEMENT) if old is not None else NO_JUDGEMENT
        review = office.review
        if review is not None:
            _keep_review(row, fields, review, report)
        if office.major is not None:
            _keep_major(row, fields, office.major, report)
        if old is not None and old["id"] in voided_here:
            _keep_void(row, fields, old, report)
        if old is not None and void_refusal(row, old["id"], old["state"], office):
            # Judged since the import checked the ledger (services._check_voids).
            raise Conflict(
                f"导入期间综治办评定了事件“{row.case_no}”,台账不能再作废它;"
                "本次导入已全部撤销,未写入任何数据。请重新导入。"
            )
        if fields["quality"] == Quality.NONCONFORMING:
            report.nonconforming += 1
            if len(report.nonconforming_rows) < NONCONFORMING_SHOWN:
                report.nonconforming_rows.append(RowProblem(row.line, _why(row, review)))
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


def void_refusal(row: LedgerRow, case_id: int, state: str, judged: OfficeJudgement) -> str:
    """Why the row may not void its existing (imported) case, or "": the void rule's own
    refusal (cases.selectors.judgement_refusal), asked as someone with no relation to the
    case — whoever runs the import, a ledger's 作废 is not the office's decision on that case.
    A case already voided is left as it is."""
    if not row.voided or state == State.VOIDED:
        return ""
    case = Case(pk=case_id, number=row.case_no, source=Source.IMPORTED, state=state)
    return judgement_refusal("void", case, frozenset(), judged)


def _keep_review(
    row: LedgerRow, fields: dict[str, Any], review: tuple[str, str], report: ImportReport
) -> None:
    """The governance office's judgement wins over the ledger's 质量评定 and the automatic
    check (assessment.md, "Which cases count", 4): the case keeps the office's quality and
    note — what its page shows and what the office's void rule reads — while the ledger's
    facts, its missing elements among them, are still the ledger's. Said in the report when
    the row alone would have judged otherwise."""
    quality, note = review
    if quality not in (Quality.CONFORMING, Quality.NONCONFORMING):
        return
    if fields["quality"] != quality:
        report.kept_judgements.append(
            KeptJudgement(row.line, row.case_no, office=quality, ledger=fields["quality"])
        )
    fields["quality"], fields["quality_note"] = quality, note[: limits.QUALITY_NOTE]


def _voided_in_the_system(batch: list[LedgerRow], existing: dict[str, dict[str, Any]]) -> set[int]:
    """The batch's cases voided in the system (a "void" on their timeline, by the office, the
    town center or the officer) that their row does not mark 作废: a query only when there
    are such cases. A void the ledger made is its own ("import" rows) and not among them."""
    candidates = [
        old["id"]
        for row in batch
        if not row.voided
        and (old := existing.get(row.case_no)) is not None
        and old["state"] == State.VOIDED
    ]
    if not candidates:
        return set()
    return set(
        TimelineEntry.objects.filter(case_id__in=candidates, action="void").values_list(
            "case_id", flat=True
        )
    )


def _keep_void(
    row: LedgerRow, fields: dict[str, Any], old: dict[str, Any], report: ImportReport
) -> None:
    """A void made in the system stands: a re-import of a ledger that still lists the case
    as 否 does not bring back a case the office (or whoever could) voided — to be paid for.
    The rest of the row's facts are still the ledger's."""
    fields |= {
        "state": State.VOIDED,
        "voided_at": old["voided_at"],
        "void_reason": old["void_reason"],
    }
    report.kept_voids.append(KeptVoid(row.line, row.case_no, old["void_reason"]))


def _keep_major(row: LedgerRow, fields: dict[str, Any], major: bool, report: ImportReport) -> None:
    """The office's review also judges 重大 (a major case's bonus is outside the month's cap):
    that stays too — unless the ledger's category is one that cannot be major, a fact the
    office's word does not outlive."""
    if major and fields["category"] not in MAJOR_CATEGORIES:
        return
    if fields["major"] != major:
        words = {True: "major", False: "ordinary"}
        report.kept_judgements.append(
            KeptJudgement(row.line, row.case_no, office=words[major], ledger=words[fields["major"]])
        )
    fields["major"] = major


def _why(row: LedgerRow, review: tuple[str, str] | None = None) -> str:
    if review is not None and review[0] == Quality.NONCONFORMING:  # it stands (_keep_review)
        note = f"({review[1]})" if review[1] else ""
        return f"{row.case_no} 综治办评定不合格{note}"
    why = [f"缺少{'、'.join(row.missing)}"] if row.missing else []
    if row.quality == Quality.NONCONFORMING:
        why.append(f"质量评定不合格({row.quality_note})" if row.quality_note else "质量评定不合格")
    return f"{row.case_no} {';'.join(why)}"


def write_related(
    town: Town, written: Written, file_name: str, by: User | None, at: datetime
) -> None:
    """The parties of the created and changed cases, and one "import" timeline row each."""
    ids = {n: case_id for n, (case_id, _) in case_numbers(town).items()} if written.created else {}
    replaced = [(case_id, row) for case_id, row, *_, diff in written.changed if "parties" in diff]
    for batch in chunks([case_id for case_id, _ in replaced], BATCH):
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


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
