"""One ledger row: its columns, and how a row's cells become a checked `LedgerRow`.

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
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from gridcase.cases import elements
from gridcase.core import limits
from gridcase.core import text as chars

# key -> Chinese header, in the order of the specification's table.
COLUMNS: dict[str, str] = {
    "case_no": "事件编号",
    "village": "行政村",
    "officer": "网格专管员",
    "category": "事件类别",
    "major": "是否重大",
    "occurred_at": "发生时间",
    "location": "发生地点",
    "persons": "人物",
    "cause": "起因",
    "course": "经过",
    "parties": "当事人",
    "submitted_at": "上报时间",
    "accepted_at": "受理时间",
    "escalated_at": "上报上级时间",
    "closed_at": "结案时间",
    "result": "处理结果",
    "mediator": "调解人",
    # Not in the specification's table: the case rules need it for a dispute closed locally,
    # and without the column it is inferred from the agreement (see `_mediation_result`).
    "mediation_result": "调解结果",
    "agreement_form": "协议方式",
    "agreement_terms": "协议内容",
    "quality": "质量评定",
    "quality_note": "不合格原因",
    "voided": "作废",
}
REQUIRED = ("case_no", "village", "officer", "category", "submitted_at")

# Headers people write for the same column (exports of other platforms, older templates).
_ALIASES = {
    "编号": "case_no",
    "事件类型": "category",
    "村": "village",
    "村(社区)": "village",
    "专管员": "officer",
    "网格员": "officer",
    "重大": "major",
    "地点": "location",
    "当事人及电话": "parties",
    "上报镇中心时间": "escalated_at",
    "办结时间": "closed_at",
    "是否作废": "voided",
}
_HEADERS: dict[str, str] = {k: k for k in COLUMNS} | {v: k for k, v in COLUMNS.items()} | _ALIASES
_HEADER_JUNK = re.compile(r"[\s\ufeff\u3000*＊:：]+")


def header_key(header: Any) -> str | None:
    """The column key of a header cell: English key or Chinese header, spaces and BOM ignored."""
    if header is None:
        return None
    text = _HEADER_JUNK.sub("", str(header)).replace("（", "(").replace("）", ")")
    return _HEADERS.get(text) or _HEADERS.get(text.lower())


CATEGORY_WORDS: dict[str, tuple[str, bool]] = {
    "dispute": ("dispute", False),
    "security_hazard": ("security_hazard", False),
    "livelihood_service": ("livelihood_service", False),
    "environment_campaign": ("environment_campaign", False),
    "other": ("other", False),
    "矛盾纠纷": ("dispute", False),
    "重大矛盾纠纷": ("dispute", True),
    "治安安全隐患": ("security_hazard", False),
    "社会治安安全隐患": ("security_hazard", False),
    "重大治安安全隐患": ("security_hazard", True),
    "民生服务": ("livelihood_service", False),
    "八大行动": ("environment_campaign", False),
    "优化环境八大行动": ("environment_campaign", False),
    "其他": ("other", False),
    "其它": ("other", False),
}
MAJOR_CATEGORIES = ("dispute", "security_hazard")
_QUOTES = re.compile(r"[\s\u3000\"'“”‘’「」『』《》]+")

TRUE_WORDS = {"是", "true", "1", "yes", "y", "t", "√", "✓"}
VOID_WORDS = {"作废", "已作废"}
FALSE_WORDS = {"否", "false", "0", "no", "n", "f", "×", "x", ""}
AGREEMENT_FORMS = {
    "书面": "written",
    "书面协议": "written",
    "written": "written",
    "口头": "oral",
    "口头协议": "oral",
    "oral": "oral",
}
MEDIATION_RESULTS = {
    "达成协议": "agreed",
    "已达成协议": "agreed",
    "调解成功": "agreed",
    "agreed": "agreed",
    "未达成协议": "not_agreed",
    "调解不成": "not_agreed",
    "调解失败": "not_agreed",
    "not_agreed": "not_agreed",
}
QUALITIES = {
    "合格": "conforming",
    "conforming": "conforming",
    "不合格": "nonconforming",
    "nonconforming": "nonconforming",
}

# The longest text each column may hold: the same limits as the forms, the API and the services.
LIMITS = {
    "case_no": limits.CASE_NUMBER,
    "village": limits.PLACE_NAME,
    "officer": limits.PERSON_NAME,
    "location": limits.LOCATION,
    "persons": limits.PERSONS,
    "cause": limits.CAUSE,
    "course": limits.COURSE,
    "result": limits.RESULT,
    "mediator": limits.MEDIATOR,
    "quality_note": limits.QUALITY_NOTE,
}

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # an earlier time is a typo, not a case
TIME_COLUMNS = ("occurred_at", "submitted_at", "accepted_at", "escalated_at", "closed_at")
_LOOSE_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T\s]*(\d{1,2})[:时点](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?|分)?)?$"
)
_PARTY_SPLIT = re.compile(r"[;；\n]+")
_NAME_PHONE = re.compile(r"^(.*?)[\s,，]*((?:\+?86)?[\d\-—－() ()]{7,})$")
_TERM_NUMBER = re.compile(r"^\s*(?:\(?\d+[\.、)）:]|[(（]\d+[)）]|[①-⑳])\s*")


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
    missing: tuple[str, ...]  # names of missing required elements, read after "缺少"

    @property
    def closed_locally(self) -> bool:
        return self.closed_at is not None and self.escalated_at is None


def text(value: Any) -> str:
    """A cell as trimmed text; numbers from spreadsheets lose a spurious `.0`."""
    if type(value) is str:  # nearly every cell: the fast way first
        return value.strip()  # strip() also removes the full-width space U+3000
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def parse_time(value: Any, tz: ZoneInfo) -> datetime | None:
    """ISO 8601 or `YYYY-MM-DD HH:MM[:SS]` (also `2026/7/1 9:05`); naive means the town's zone.

    Raises ValueError for text that is not a time or names an impossible date.
    """
    if type(value) is str:
        value = value.strip()
        if not value:
            return None
    elif value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    else:
        raw = text(value)
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            match = _LOOSE_TIME.match(raw)
            if not match:
                raise
            y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
            moment = datetime(y, mo, d, h, mi, s)  # raises for 2026-02-30 or 25:00
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(word)


def parse_category(value: Any) -> tuple[str, bool]:
    """(code, major): a code, or the Chinese name with or without its quotes."""
    word = _QUOTES.sub("", text(value))
    found = CATEGORY_WORDS.get(word) or CATEGORY_WORDS.get(word.lower())
    if found is None:
        raise ValueError(word)
    return found


def parse_parties(value: Any) -> list[tuple[str, str]]:
    """`张三:13800138001;李四:0731-84561234`, full-width ：；too; a JSON list of objects too."""
    if value is None:
        return []
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, Mapping):
                items.append((text(item.get("name")), text(item.get("phone"))))
            else:
                items.extend(parse_parties(text(item)))
        return [p for p in items if p[0] or p[1]]
    parties = []
    for chunk in _PARTY_SPLIT.split(text(value)):
        chunk = chunk.strip()
        if not chunk:
            continue
        if ":" in chunk or "：" in chunk:
            name, _, phone = chunk.replace("：", ":").partition(":")
        else:
            match = _NAME_PHONE.match(chunk)
            name, phone = (match.group(1), match.group(2)) if match else (chunk, "")
        parties.append((name.strip(" ,，"), phone.strip()))
    return parties


def parse_terms(value: Any) -> tuple[str, ...]:
    """The agreement's terms as a list: one per line or `;`, leading numbers (1. 1、 ①) dropped."""
    if value is None:
        return ()
    chunks = (
        [text(v) for v in value] if isinstance(value, list) else _PARTY_SPLIT.split(text(value))
    )
    terms = (_TERM_NUMBER.sub("", chunk).strip() for chunk in chunks)
    return tuple(t for t in terms if t)


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
        position = _first_invalid(cells.get(key))
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
        if moment is not None and moment < EARLIEST:
            reasons.append(f"{label(key)}“{text(cells.get(key))}”早于2000年,请核对")
            moment = None
        elif moment is not None and moment > now:
            reasons.append(f"{label(key)}“{text(cells.get(key))}”晚于当前时间")
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
        normal = elements.normalize_phone(phone)
        if phone and not elements.is_valid_phone(normal):
            # A wrong number is never kept; the case lacks a contact and is nonconforming.
            invalid_phones.append((name, phone))
            normal = ""
        parties.append((name, normal))

    other_fields = {k: get_text(k) for k in ("location", "persons", "cause", "course")}
    result, mediator = get_text("result"), get_text("mediator")
    quality_note = get_text("quality_note")
    if reasons:
        raise RowError(reasons)

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
        missing=(),
    )
    return _with_missing(row, invalid_phones)


def _first_invalid(value: Any) -> int | None:
    """Where a cell (or a JSON Lines value: lists and objects too) first holds a character
    the system refuses (gridcase.core.text); None when it holds none."""
    if isinstance(value, str):
        return chars.first_invalid(value)
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            position = _first_invalid(item)
            if position is not None:
                return position
    return None


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
