"""A town's assessment rules as data: a TOML file parsed into a frozen ``Policy``.

The file's shape is fixed by the specification (assessment.md, "The policy file"): every key is
required; an unknown key, a wrong type or a negative amount is refused with a ``PolicyError``
that names the dotted key. The one extension is optional per-level deadlines
(``[deadlines.levels.grid]`` …), because ``domain.md`` says each level may have its own.

Amounts are exact ``Decimal`` values in yuan, never floats. The file is read with
``tomllib.loads(parse_float=Decimal)``, so ``per_closed = 12.5`` becomes ``Decimal("12.5")``
straight from the text of the file, with no binary float in between; integers and strings such
as ``"12.50"`` are accepted too. An amount may have at most two decimal places (fen).

Pure: no Django, no database.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CATEGORIES: tuple[str, ...] = (
    "dispute",
    "security_hazard",
    "livelihood_service",
    "environment_campaign",
    "other",
)
CATEGORY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "dispute": "矛盾纠纷",
        "security_hazard": "治安安全隐患",
        "livelihood_service": "民生服务",
        "environment_campaign": "优化环境“八大行动”",
        "other": "其他",
    }
)
LEVELS: tuple[str, ...] = ("grid", "village", "town", "department")
NONCONFORMING_READINGS: tuple[str, ...] = ("deduct_each", "count_as_missing")
ALLOCATIONS: tuple[str, ...] = ("worker_favorable", "chronological")

DEFAULT_POLICY_PATH: Path = Path(__file__).resolve().parent / "policies" / "changtang-2016.toml"

CENT = Decimal("0.01")


class PolicyError(ValueError):
    """A policy file that cannot be used; ``key`` is the dotted key at fault ("" if none)."""

    def __init__(self, key: str, zh: str, en: str = "", *, path: str | None = None) -> None:
        self.key = key
        self.zh = zh
        self.en = en
        self.path = path
        where = f"策略文件错误 ({path})" if path else "策略文件错误"
        subject = f"{key} " if key else ""
        message = f"{where}: {subject}{zh}"
        if en:
            message += f" ({subject}{en})"
        super().__init__(message)

    def with_path(self, path: str) -> PolicyError:
        return PolicyError(self.key, self.zh, self.en, path=path)


@dataclass(frozen=True)
class Policy:
    code: str
    name: str
    effective_from: date
    timezone: str
    accept_working_days: int
    handle_working_days: int
    # level -> (accept_working_days, handle_working_days); every level of LEVELS is present.
    # A plain dict (not a mappingproxy) so that a Policy can be pickled for background tasks;
    # left out of the hash so that a Policy stays hashable. Treat it as read-only.
    level_deadlines: Mapping[str, tuple[int, int]] = field(hash=False)
    categories: tuple[str, ...]
    late_acceptance_excludes: bool
    late_escalation_counts: bool
    monthly_amount: Decimal
    per_missing: Decimal
    max_deduction: Decimal
    quota: int
    nonconforming: str
    per_closed: Decimal
    per_escalated: Decimal
    monthly_cap: Decimal
    uncapped: tuple[str, ...]
    allocation: str
    # domain.md, Follow-up visits: within so many working days after a dispute is closed. The
    # one optional key of the file (assessment.md), so that files written before it stay valid.
    follow_up_working_days: int = 10
    # integrity.md: when two cases are suspected duplicates. An optional table ([integrity]) so
    # that files written before it stay valid; the defaults are the specification's.
    duplicate_threshold: Decimal = Decimal("0.6")  # score from 0 to 1
    duplicate_window_days: int = 30
    duplicate_distance_m: int = 300
    source: str = field(default="", repr=False)

    def __hash__(self) -> int:
        # The dataclass's hash of every field, computed once: a policy keys the rules' and the
        # explanation's memories once a month assessed (a province's 300,000), and its hash
        # (seven Decimals, the file's text) cost 2–5 µs each time. Kept out of a pickle: a
        # text's hash differs from one process to the next.
        found = self.__dict__.get("_hash")
        if found is None:
            found = hash(tuple(getattr(self, f.name) for f in _HASHED))
            object.__setattr__(self, "_hash", found)
        return found

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    def deadlines_for(self, level: str) -> tuple[int, int]:
        """``(accept_working_days, handle_working_days)`` for a handling level."""
        try:
            return self.level_deadlines[level]
        except KeyError:
            raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}") from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_uncapped(self, category: str, major: bool) -> bool:
        """Whether a case's bonus is outside the monthly cap (rule 四.2: major cases)."""
        return major and f"{category}:major" in self.uncapped


# What a policy's hash reads: the fields that its equality compares, but the deadlines by
# level, a dict (as the dataclass's own hash would read them).
_HASHED = tuple(f for f in dataclass_fields(Policy) if (f.compare if f.hash is None else f.hash))


# --- the file's shape -----------------------------------------------------------------------

_SHAPE: dict[str, tuple[str, ...]] = {
    "policy": ("code", "name", "effective_from", "timezone"),
    "deadlines": ("accept_working_days", "handle_working_days"),
    "counting": ("categories", "late_acceptance_excludes", "late_escalation_counts"),
    "base": ("monthly_amount", "quota", "per_missing", "max_deduction", "nonconforming"),
    "bonus": ("per_closed", "per_escalated", "monthly_cap", "uncapped", "allocation"),
}
_OPTIONAL = {"deadlines": ("levels", "follow_up_working_days")}
# Optional tables: a file without them takes the defaults of ``Policy``.
_OPTIONAL_TABLES: dict[str, tuple[str, ...]] = {
    "integrity": ("threshold", "window_days", "distance_m"),
}


def parse_policy(text: str) -> Policy:
    """Parse and validate a policy file's text; raise ``PolicyError`` naming the bad key."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError("", f"不是有效的 TOML: {exc}", f"not valid TOML: {exc}") from None

    _check_keys(data, "", tuple(_SHAPE), tuple(_OPTIONAL_TABLES))
    for table, keys in _SHAPE.items():
        section = _table(data, table)
        _check_keys(section, table + ".", keys, _OPTIONAL.get(table, ()))
    p, d, c, b, n = (data[t] for t in _SHAPE)
    integrity = _table(data, "integrity") if "integrity" in data else {}
    _check_keys(integrity, "integrity.", (), _OPTIONAL_TABLES["integrity"])

    accept = _working_days(d, "deadlines.accept_working_days")
    handle = _working_days(d, "deadlines.handle_working_days")
    monthly_amount = _amount(b, "base.monthly_amount")
    max_deduction = _amount(b, "base.max_deduction")
    if max_deduction > monthly_amount:
        raise PolicyError(
            "base.max_deduction",
            f"不能大于 base.monthly_amount ({monthly_amount})",
            f"must not exceed base.monthly_amount ({monthly_amount})",
        )

    return Policy(
        code=_text(p, "policy.code"),
        name=_text(p, "policy.name"),
        effective_from=_date(p, "policy.effective_from"),
        timezone=_timezone(p, "policy.timezone"),
        accept_working_days=accept,
        handle_working_days=handle,
        level_deadlines=_level_deadlines(d.get("levels"), accept, handle),
        follow_up_working_days=(
            _working_days(d, "deadlines.follow_up_working_days")
            if "follow_up_working_days" in d
            else Policy.follow_up_working_days
        ),
        categories=_categories(c, "counting.categories"),
        late_acceptance_excludes=_bool(c, "counting.late_acceptance_excludes"),
        late_escalation_counts=_bool(c, "counting.late_escalation_counts"),
        monthly_amount=monthly_amount,
        per_missing=_amount(b, "base.per_missing"),
        max_deduction=max_deduction,
        quota=_count(b, "base.quota"),
        nonconforming=_choice(b, "base.nonconforming", NONCONFORMING_READINGS),
        per_closed=_amount(n, "bonus.per_closed"),
        per_escalated=_amount(n, "bonus.per_escalated"),
        monthly_cap=_amount(n, "bonus.monthly_cap"),
        uncapped=_uncapped(n, "bonus.uncapped"),
        allocation=_choice(n, "bonus.allocation", ALLOCATIONS),
        duplicate_threshold=(
            _fraction(integrity, "integrity.threshold")
            if "threshold" in integrity
            else Policy.duplicate_threshold
        ),
        duplicate_window_days=(
            _positive(integrity, "integrity.window_days")
            if "window_days" in integrity
            else Policy.duplicate_window_days
        ),
        duplicate_distance_m=(
            _positive(integrity, "integrity.distance_m")
            if "distance_m" in integrity
            else Policy.duplicate_distance_m
        ),
        source=text,
    )


@functools.lru_cache(maxsize=256)
def parsed_policy(text: str) -> Policy:
    """``parse_policy``, remembered by the text for the life of the process: a Policy is a
    frozen value, and an assessment asks for each month's (a province's quarter: 6,000
    times, most of them the default file or a county's, each parse 0.2 ms). A refused text
    is not remembered: its error is raised again."""
    return parse_policy(text)


def load_policy_file(path: str | Path) -> Policy:
    """Read and parse a policy file; errors (also unreadable files) name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            "", f"无法读取文件: {exc}", f"cannot read the file: {exc}", path=str(path)
        ) from None
    try:
        return parsed_policy(text)
    except PolicyError as exc:
        raise exc.with_path(str(path)) from None


def default_policy() -> Policy:
    """Changtang's policy, the default for a new town."""
    return load_policy_file(DEFAULT_POLICY_PATH)


# --- validators: each takes the table and the dotted key, and names the key when refusing ---


def _leaf(key: str) -> str:
    return key.rsplit(".", 1)[-1]


def _check_keys(
    table: Mapping[str, Any], prefix: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    for name in table:
        if name not in required and name not in optional:
            raise PolicyError(prefix + name, "是未知的键", "is not a known key")
    for name in required:
        if name not in table:
            raise PolicyError(prefix + name, "缺失 (每个键都必须填写)", "is missing")


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data[key]
    if not isinstance(value, dict):
        raise PolicyError(key, "必须是表 ([...])", "must be a table")
    return value


def _text(table: Mapping[str, Any], key: str) -> str:
    value = table[_leaf(key)]
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(key, "必须是非空字符串", "must be a non-empty string")
    return value


def _date(table: Mapping[str, Any], key: str) -> date:
    value = table[_leaf(key)]
    # datetime is a subclass of date; a policy takes effect on a day, not at an instant.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise PolicyError(key, "必须是日期, 如 2016-05-01", "must be a date such as 2016-05-01")
    return value


def _timezone(table: Mapping[str, Any], key: str) -> str:
    value = table[_leaf(key)]
    if not isinstance(value, str):
        raise PolicyError(key, "必须是时区名, 如 Asia/Shanghai", "must be a time zone name")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(
            key,
            f"不是已知的时区: {value!r}, 如 Asia/Shanghai",
            f"is not a known time zone: {value!r}",
        ) from None
    return value


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _working_days(table: Mapping[str, Any], key: str) -> int:
    value = table[_leaf(key)]
    if not _is_int(value) or value < 1:
        raise PolicyError(key, "必须是正整数 (工作日数)", "must be a whole number of days, >= 1")
    return value


def _count(table: Mapping[str, Any], key: str) -> int:
    value = table[_leaf(key)]
    if not _is_int(value) or value < 0:
        raise PolicyError(key, "必须是非负整数", "must be a non-negative integer")
    return value


def _positive(table: Mapping[str, Any], key: str) -> int:
    value = table[_leaf(key)]
    if not _is_int(value) or value < 1:
        raise PolicyError(key, "必须是正整数", "must be a whole number, >= 1")
    return value


def _fraction(table: Mapping[str, Any], key: str) -> Decimal:
    """A score threshold: a number from 0 to 1 (exclusive of 0, which would flag everything)."""
    value = table[_leaf(key)]
    refusal = PolicyError(key, "必须是 0 到 1 之间的数, 如 0.6", "must be a number in (0, 1]")
    if isinstance(value, bool) or not (_is_int(value) or isinstance(value, Decimal)):
        raise refusal
    number = Decimal(value)
    if not number.is_finite() or not Decimal(0) < number <= Decimal(1):
        raise refusal
    return number


def _bool(table: Mapping[str, Any], key: str) -> bool:
    value = table[_leaf(key)]
    if not isinstance(value, bool):
        raise PolicyError(key, "必须是 true 或 false", "must be true or false")
    return value


def _amount(table: Mapping[str, Any], key: str) -> Decimal:
    value = table[_leaf(key)]
    refusal = PolicyError(
        key,
        "必须是非负金额 (元), 最多两位小数, 如 20 或 12.50",
        "must be a non-negative amount in yuan with at most two decimals",
    )
    if isinstance(value, bool):
        raise refusal
    if _is_int(value) or isinstance(value, Decimal):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise refusal from None
    else:
        raise refusal
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise refusal
    return amount.quantize(CENT)


def _choice(table: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = table[_leaf(key)]
    if value not in choices:
        listed = " / ".join(f'"{c}"' for c in choices)
        raise PolicyError(key, f"必须是 {listed} 之一", f"must be one of {listed}")
    return str(value)  # one of `choices`: a string already


def _string_list(table: Mapping[str, Any], key: str) -> list[str]:
    value = table[_leaf(key)]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(key, "必须是字符串列表", "must be a list of strings")
    if len(set(value)) != len(value):
        raise PolicyError(key, "有重复的项", "has a duplicate entry")
    return value


def _categories(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = _string_list(table, key)
    for code in value:
        if code not in CATEGORIES:
            raise PolicyError(
                key,
                f"含有未知的事件类别 {code!r}; 可用: {', '.join(CATEGORIES)}",
                f"has an unknown category {code!r}",
            )
    if not value:
        # An empty list would pay every officer the minimum: surely a mistake in the file.
        raise PolicyError(key, "至少要有一个事件类别", "must name at least one category")
    return tuple(value)


def _uncapped(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = _string_list(table, key)
    for entry in value:
        category, _, mark = entry.partition(":")
        if category not in CATEGORIES or mark != "major":
            raise PolicyError(
                key,
                f'的项 {entry!r} 无效, 应为 "类别:major", 如 "dispute:major"',
                f'entry {entry!r} is invalid; expected "category:major"',
            )
    return tuple(value)


def _level_deadlines(levels: object, accept: int, handle: int) -> Mapping[str, tuple[int, int]]:
    result = {level: (accept, handle) for level in LEVELS}
    if levels is None:
        return result
    if not isinstance(levels, dict):
        raise PolicyError("deadlines.levels", "必须是表", "must be a table")
    for level, overrides in levels.items():
        prefix = f"deadlines.levels.{level}"
        if level not in LEVELS:
            raise PolicyError(
                prefix,
                f"是未知的层级; 可用: {', '.join(LEVELS)}",
                f"is not a known level; expected one of {', '.join(LEVELS)}",
            )
        if not isinstance(overrides, dict):
            raise PolicyError(prefix, "必须是表", "must be a table")
        _check_keys(overrides, prefix + ".", (), ("accept_working_days", "handle_working_days"))
        level_accept = (
            _working_days(overrides, prefix + ".accept_working_days")
            if "accept_working_days" in overrides
            else accept
        )
        level_handle = (
            _working_days(overrides, prefix + ".handle_working_days")
            if "handle_working_days" in overrides
            else handle
        )
        result[level] = (level_accept, level_handle)
    return result
