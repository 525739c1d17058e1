"""One ledger row: how a row's cells become a checked `LedgerRow` (the columns are
`columns.py`, the reading of each cell `cells.py`).

Pure: no database, no clock (the caller passes `now` and the town's time zone), so the rules
of reading a ledger (assessment.md, "Importing a case ledger") are tested by tables.

A row that cannot be read raises `RowError` with every reason, in Chinese. A row that can be
read but lacks an element the case rules require is *not* an error: its `missing` lists the
missing elements, and the import marks the case nonconforming.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from gridcase.cases import elements
from gridcase.core import limits, phones
from gridcase.core import text as chars
from gridcase.core.times import time_message

from .cells import (
    AGREEMENT_FORMS,
    DEGREE_BOUNDS,
    MAJOR_CATEGORIES,
    MEDIATION_RESULTS,
    QUALITIES,
    VOID_WORDS,
    first_invalid,
    parse_bool,
    parse_category,
    parse_degrees,
    parse_metres,
    parse_parties,
    parse_terms,
    parse_time,
    text,
)
from .columns import COLUMNS, LIMITS

TIME_COLUMNS = ("occurred_at", "submitted_at", "accepted_at", "escalated_at", "closed_at")


class RowError(ValueError):
    """A row that cannot be read; `reasons` are Chinese sentences, one per problem."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(";".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """A readable row: plain values, aware datetimes (UTC), codes instead of words."""

    line: int
    case_no: str
    village: str
    officer: str
    category: str
    major: bool
    occurred_at: datetime | None
    location: str
    persons: str
    cause: str
    course: str
    parties: tuple[tuple[str, str], ...]  # (name, phone); phone "" when missing or invalid
    submitted_at: datetime
    accepted_at: datetime | None
    escalated_at: datetime | None
    closed_at: datetime | None
    result: str
    mediator: str
    mediation_result: str
    agreement_form: str
    agreement_terms: tuple[str, ...]
    quality: str
    quality_note: str
    voided: bool
    # The point in WGS-84 degrees (both or neither), rounded to the columns' 6 places.
    latitude: Decimal | None
    longitude: Decimal | None
    location_accuracy: Decimal | None  # metres
    location_mock: bool
    missing: tuple[str, ...]  # names of missing required elements, read after "缺少"

    @property
    def closed_locally(self) -> bool:
        return self.closed_at is not None and self.escalated_at is None


def _mediation_result(word: str, form: str, terms: tuple[str, ...]) -> str:
    if word:
        return MEDIATION_RESULTS[word]
    # No column: an agreement with a form or terms was reached; otherwise nobody said.
    return "agreed" if form or terms else ""


def parse_row(line: int, cells: Mapping[str, Any], *, tz: ZoneInfo, now: datetime) -> LedgerRow:
    """Read one row's cells (keyed by column key). Raises RowError naming every problem."""
    reasons: list[str] = []

    def label(key: str) -> str:
        return COLUMNS[key]

    for key in COLUMNS:
        position = first_invalid(cells.get(key))
        if position is not None:
            reasons.append(chars.invalid_message(label(key), position))

    def get_text(key: str) -> str:
        value = text(cells.get(key))
        limit = LIMITS.get(key)
        if limit and len(value) > limit:
            reasons.append(f"{label(key)}过长({len(value)}字,最多{limit}字)")
            return value[:limit]
        return value

    case_no, village, officer = get_text("case_no"), get_text("village"), get_text("officer")
    for key, value in (("case_no", case_no), ("village", village), ("officer", officer)):
        if not value:
            reasons.append(f"缺少{label(key)}")

    category, major_word = "", False
    raw_category = text(cells.get("category"))
    if not raw_category:
        reasons.append("缺少事件类别")
    else:
        try:
            category, major_word = parse_category(raw_category)
        except ValueError:
            reasons.append(
                f"事件类别“{raw_category}”无法识别(应为 矛盾纠纷、治安安全隐患、民生服务、"
                "八大行动、其他 之一)"
            )

    def get_bool(key: str) -> bool:
        try:
            return parse_bool(cells.get(key))
        except ValueError:
            reasons.append(f"{label(key)}“{text(cells.get(key))}”无法识别(应为 是 或 否)")
            return False

    major = get_bool("major") or major_word
    # Some ledgers write the status itself in the 作废 column.
    voided = text(cells.get("voided")) in VOID_WORDS or get_bool("voided")
    if major and category and category not in MAJOR_CATEGORIES:
        reasons.append("只有矛盾纠纷和治安安全隐患可以标记为重大")

    times: dict[str, datetime | None] = {}
    for key in TIME_COLUMNS:
        try:
            moment = parse_time(cells.get(key), tz)
        except (ValueError, OverflowError):
            reasons.append(
                f"{label(key)}“{text(cells.get(key))}”不是有效的时间"
                "(应为 2026-07-01 09:30 或 ISO 8601)"
            )
            moment = None
        # A time nobody means (core/times.py): the reason names the column and the cell.
        named = f"{label(key)}“{text(cells.get(key))}”"
        if moment is not None and (problem := time_message(moment, now=now, tz=tz, label=named)):
            reasons.append(problem)
            moment = None
        times[key] = moment
    submitted = times["submitted_at"]
    if submitted is None and not text(cells.get("submitted_at")):
        reasons.append("缺少上报时间")
    reasons.extend(_order_problems(times))

    word = text(cells.get("mediation_result"))
    if word and word not in MEDIATION_RESULTS:
        reasons.append(f"调解结果“{word}”无法识别(应为 达成协议 或 未达成协议)")
        word = ""
    form_word = text(cells.get("agreement_form"))
    form = AGREEMENT_FORMS.get(form_word, "")
    if form_word and not form:
        reasons.append(f"协议方式“{form_word}”无法识别(应为 书面 或 口头)")
    quality_word = text(cells.get("quality")).lower()
    if quality_word and quality_word not in QUALITIES:
        reasons.append(f"质量评定“{quality_word}”无法识别(应为 合格 或 不合格)")

    parties: list[tuple[str, str]] = []
    invalid_phones: list[tuple[str, str]] = []
    for name, phone in parse_parties(cells.get("parties")):
        if len(name) > limits.PARTY_NAME:
            reasons.append(f"当事人姓名“{name[:10]}…”过长(最多{limits.PARTY_NAME}字)")
            continue
        normal = phones.normalize_phone(phone)
        if phone and not phones.is_valid_phone(normal):
            # A wrong number is never kept; the case lacks a contact and is nonconforming.
            invalid_phones.append((name, phone))
            normal = ""
        parties.append((name, normal))

    point = _point(cells, reasons)
    location_mock = get_bool("location_mock")

    other_fields = {k: get_text(k) for k in ("location", "persons", "cause", "course")}
    result, mediator = get_text("result"), get_text("mediator")
    quality_note = get_text("quality_note")
    if reasons:
        raise RowError(reasons)

    # Every way `submitted` stays None added a reason above.
    assert submitted is not None
    terms = parse_terms(cells.get("agreement_terms"))
    row = LedgerRow(
        line=line,
        case_no=case_no,
        village=village,
        officer=officer,
        category=category,
        major=major,
        occurred_at=times["occurred_at"],
        **other_fields,
        parties=tuple(parties),
        submitted_at=submitted,
        accepted_at=times["accepted_at"],
        escalated_at=times["escalated_at"],
        closed_at=times["closed_at"],
        result=result,
        mediator=mediator,
        mediation_result=_mediation_result(word, form, terms),
        agreement_form=form,
        agreement_terms=terms,
        quality=QUALITIES.get(quality_word, "conforming"),
        quality_note=quality_note,
        voided=voided,
        latitude=point["latitude"],
        longitude=point["longitude"],
        location_accuracy=point["location_accuracy"],
        location_mock=location_mock,
        missing=(),
    )
    return _with_missing(row, invalid_phones)


def _point(cells: Mapping[str, Any], reasons: list[str]) -> dict[str, Decimal | None]:
    """The row's latitude, longitude and accuracy; a reason added for each cell that cannot
    be read, and for a latitude without a longitude or the reverse."""
    point: dict[str, Decimal | None] = {}
    for key, bound in DEGREE_BOUNDS.items():
        raw = text(cells.get(key))
        point[key] = None
        try:
            point[key] = parse_degrees(cells.get(key), key)
        except OverflowError:
            reasons.append(f"{COLUMNS[key]}“{raw}”超出范围(−{bound} 到 {bound})")
        except ValueError:
            reasons.append(f"{COLUMNS[key]}“{raw}”不是有效的数字(应为十进制度数,如 28.228100)")
    filled = {key: bool(text(cells.get(key))) for key in DEGREE_BOUNDS}
    if filled["latitude"] != filled["longitude"]:
        given, lacking = sorted(filled, key=lambda key: not filled[key])
        reasons.append(f"有{COLUMNS[given]}而缺少{COLUMNS[lacking]}(纬度和经度须同时填写)")
    point["location_accuracy"] = None
    try:
        point["location_accuracy"] = parse_metres(cells.get("location_accuracy"))
    except ValueError:
        raw = text(cells.get("location_accuracy"))
        reasons.append(f"{COLUMNS['location_accuracy']}“{raw}”应为不小于 0 的米数")
    return point


_ORDER = (
    ("occurred_at", "submitted_at", "发生时间晚于上报时间"),
    ("submitted_at", "accepted_at", "受理时间早于上报时间"),
    ("submitted_at", "escalated_at", "上报上级时间早于上报时间"),
    ("submitted_at", "closed_at", "结案时间早于上报时间"),
    ("accepted_at", "escalated_at", "上报上级时间早于受理时间"),
    ("accepted_at", "closed_at", "结案时间早于受理时间"),
    ("escalated_at", "closed_at", "结案时间早于上报上级时间"),
)


def _order_problems(times: Mapping[str, datetime | None]) -> list[str]:
    problems = []
    for earlier, later, message in _ORDER:
        first, second = times.get(earlier), times.get(later)
        if first is not None and second is not None and second < first:
            problems.append(message)
    return problems


def _with_missing(row: LedgerRow, invalid_phones: list[tuple[str, str]]) -> LedgerRow:
    """Attach the elements the case rules miss (at submit, and at close if closed)."""
    values = {
        "category": row.category,
        "occurred_at": row.occurred_at,
        "location": row.location,
        "persons": row.persons,
        "cause": row.cause,
        "course": row.course,
        "parties": [{"name": n, "phone": p} for n, p in row.parties],
        "result": row.result,
        "mediator": row.mediator,
        "mediation_result": row.mediation_result,
        "agreement_form": row.agreement_form,
        "agreement_terms": list(row.agreement_terms),
    }
    pairs = elements.missing_at_submit(values)
    if row.closed_at is not None:
        # Closed without escalation is a local close: the village's mediation record applies.
        pairs += elements.missing_at_close(values, "village" if row.closed_locally else "town")
    invalid = {name for name, _ in invalid_phones}
    missing = [
        f"当事人{name}的有效联系电话(填写的“{phone}”不是有效号码)" for name, phone in invalid_phones
    ]
    already = {f"当事人{name}的联系电话" for name in invalid}  # named with the bad number
    for _, message in pairs:
        name = _element_name(message)
        if name not in missing and name not in already:
            missing.append(name)
    return replace(row, missing=tuple(missing)) if missing else row


def _element_name(message: str) -> str:
    """'缺少发生时间' -> '发生时间', so that the assessment can write '缺少' + '、'.join(...)."""
    if message.startswith("缺少"):
        return message.removeprefix("缺少")
    if message == "矛盾纠纷需要至少两方当事人":
        return "至少两方当事人(矛盾纠纷)"
    nameless = _NAMELESS_PARTY.match(message)
    if nameless:
        return f"第{nameless.group(1)}位当事人的姓名"
    return message


_NAMELESS_PARTY = re.compile(r"^第(\d+)位当事人缺少姓名$")
