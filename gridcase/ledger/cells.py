"""A ledger's cells as values: text, times, yes/no, categories, parties, terms, and the words
towns write for them. Pure: no database, no clock (the caller passes the town's time zone).

Each parser raises ValueError for a cell it cannot read; `rows.parse_row` turns that into the
row's reason, naming the column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from gridcase.core import coords
from gridcase.core import text as chars

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

_LOOSE_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T\s]*(\d{1,2})[:时点](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?|分)?)?$"
)
_PARTY_SPLIT = re.compile(r"[;；\n]+")
_NAME_PHONE = re.compile(r"^(.*?)[\s,，]*((?:\+?86)?[\d\-—－() ()]{7,})$")
_TERM_NUMBER = re.compile(r"^\s*(?:\(?\d+[\.、)）:]|[(（]\d+[)）]|[①-⑳])\s*")


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


# A point's places, as Case.latitude/longitude hold them (decimal_places=6: about 0.1 m), and
# an accuracy's (Case.location_accuracy: centimetres).
DEGREE_PLACES = Decimal("0.000001")
METRE_PLACES = Decimal("0.01")
DEGREE_BOUNDS = coords.DEGREE_BOUNDS
MAX_METRES = Decimal(10_000_000)  # Case.location_accuracy's max_digits=9 with 2 places


def parse_decimal(value: Any, places: Decimal) -> Decimal | None:
    """A number cell as a Decimal rounded half-even to `places` (what the column stores, so a
    value written back reads the same); None for an empty cell. A spreadsheet's float is read
    by its shortest text (28.2281, not its binary expansion). Raises ValueError for a cell
    that is not a finite number (a yes/no cell is not one), OverflowError for a number too
    large to hold at all."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    raw = repr(value) if isinstance(value, float) else text(value).replace("−", "-")
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not number.is_finite():
        raise ValueError(raw)
    try:
        return number.quantize(places, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # more digits than the context's precision: far out of range
        raise OverflowError(raw) from None


def parse_degrees(value: Any, key: str) -> Decimal | None:
    """A WGS-84 latitude (−90..90) or longitude (−180..180) in decimal degrees, rounded
    half-even to 6 places; None for an empty cell. Raises ValueError when it is not a number
    and OverflowError when it is out of range (`DEGREE_BOUNDS[key]`)."""
    number = parse_decimal(value, DEGREE_PLACES)
    if number is not None and abs(number) > DEGREE_BOUNDS[key]:
        raise OverflowError(key)
    return number


def parse_metres(value: Any) -> Decimal | None:
    """A location fix's accuracy in metres (≥ 0), rounded half-even to centimetres; None for
    an empty cell. Raises ValueError when it is not a number, negative or too large."""
    try:
        number = parse_decimal(value, METRE_PLACES)
    except OverflowError:
        raise ValueError(value) from None
    if number is not None and not 0 <= number < MAX_METRES:
        raise ValueError(value)
    return number


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


def first_invalid(value: Any) -> int | None:
    """Where a cell (or a JSON Lines value: lists and objects too) first holds a character
    the system refuses (gridcase.core.text); None when it holds none."""
    if isinstance(value, str):
        return chars.first_invalid(value)
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            position = first_invalid(item)
            if position is not None:
                return position
    return None
