"""What a case may say: the checks on a draft's content and on a close's result, before any
write. Every source files through these (the workbench, the API, Open311); the limits are
core/limits.py's, which the ledger import reads its rows with too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gridcase.core import clock, coords, limits, phones, text, times
from gridcase.org.models import Grid, Town, Village

from . import elements
from .errors import CaseError
from .models import MAJOR_CATEGORIES, Case, Category

CONTENT_FIELDS = (
    "category",
    "major",
    "title",
    "occurred_at",
    "location",
    "latitude",
    "longitude",
    "location_accuracy",
    "location_mock",
    "persons",
    "cause",
    "course",
)
TEXT_LIMITS = limits.CASE_TEXT
# The names people know them by (the elements' labels, and the optional title).
TEXT_LABELS = {"title": gettext_noop("标题")} | {
    f: elements.LABELS[f] for f in TEXT_LIMITS if f != "title"
}


def _unknown(fields: set[str]) -> CaseError:
    message = _("未知字段")
    return CaseError(
        _("未知字段: %(fields)s") % {"fields": ", ".join(sorted(fields))},
        {f: [message] for f in fields},
    )


def _invalid_chars(label: str, position: int) -> str:
    """core/text.py's message, in the reader's language."""
    return _(text.MESSAGE) % {"label": _(label), "position": position}


def clean_content(town: Town, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    unknown = set(data) - set(CONTENT_FIELDS) - {"parties", "village", "grid"}
    if unknown:
        raise _unknown(unknown)
    if "category" in data:
        if data["category"] not in Category.values:
            errors.setdefault("category", []).append(_("请选择事件类别"))
        else:
            clean["category"] = data["category"]
    for field, limit in TEXT_LIMITS.items():
        if field in data:
            value = data[field] if data[field] is not None else ""
            if not isinstance(value, str):
                errors.setdefault(field, []).append(_("应为文字"))
            elif len(value) > limit:
                errors.setdefault(field, []).append(_("过长(最多%(n)s字)") % {"n": limit})
            elif (position := text.first_invalid(value)) is not None:
                message = _invalid_chars(TEXT_LABELS[field], position)
                errors.setdefault(field, []).append(message)
            else:
                clean[field] = value.strip()
    if "major" in data:
        clean["major"] = bool(data["major"])
    if "occurred_at" in data:
        value = data["occurred_at"]
        if value is not None and not isinstance(value, datetime):
            errors.setdefault("occurred_at", []).append(_("发生时间格式不正确"))
        elif value is not None and value.tzinfo is None:
            errors.setdefault("occurred_at", []).append(_("发生时间缺少时区"))
        elif value is not None and (
            problem := times.time_problem(value, now=clock.now(), tz=town.timezone)
        ):
            label = _(elements.LABELS["occurred_at"])
            errors.setdefault("occurred_at", []).append(_(problem) % {"label": label})
        else:
            clean["occurred_at"] = value
    for field, bound in coords.DEGREE_BOUNDS.items():
        if field in data:
            value = data[field]
            if value is None or value == "":
                clean[field] = None
                continue
            try:
                number = Decimal(str(value)).quantize(Decimal("0.000001"))
                if abs(number) > bound:
                    raise ValueError
                clean[field] = number
            except (ArithmeticError, ValueError):
                errors.setdefault(field, []).append(
                    _("应为 -%(bound)s 到 %(bound)s 之间的数字") % {"bound": bound}
                )
    if "location_accuracy" in data:
        value = data["location_accuracy"]
        if value is None or value == "":
            clean["location_accuracy"] = None
        else:
            try:
                number = Decimal(str(value)).quantize(Decimal("0.01"))
                if not 0 <= number < 10_000_000:
                    raise ValueError
                clean["location_accuracy"] = number
            except (ArithmeticError, ValueError):
                errors.setdefault("location_accuracy", []).append(_("定位精度应为不小于 0 的米数"))
    if "location_mock" in data:
        if not isinstance(data["location_mock"], bool | None):
            errors.setdefault("location_mock", []).append(_("模拟定位应为是或否"))
        else:
            clean["location_mock"] = bool(data["location_mock"])
    if "parties" in data:
        parties = []
        for party in data["parties"] or []:
            if not isinstance(party, Mapping):
                errors.setdefault("parties", []).append(_("当事人格式不正确"))
                continue
            name = str(party.get("name") or "").strip()[:50]
            phone = phones.normalize_phone(str(party.get("phone") or ""))
            if (position := text.first_invalid(name)) is not None:
                message = _invalid_chars(gettext_noop("当事人姓名"), position)
                errors.setdefault("parties", []).append(message)
                continue
            if name or phone:
                parties.append({"name": name, "phone": phone})
        for field, message in elements.party_errors(parties):
            errors.setdefault(field, []).append(message)
        clean["parties"] = parties
    if "village" in data:
        village = data["village"]
        if not isinstance(village, Village) or village.town_id != town.id:
            errors.setdefault("village", []).append(_("行政村不属于本镇"))
        else:
            clean["village"] = village
    if "grid" in data and data["grid"] is not None:
        grid = data["grid"]
        village = clean.get("village")
        if not isinstance(grid, Grid) or grid.village.town_id != town.id:
            errors.setdefault("grid", []).append(_("网格不属于本镇"))
        elif village and grid.village_id != village.id:
            errors.setdefault("grid", []).append(_("网格不属于所选行政村"))
        else:
            clean["grid"] = grid
            # A grid names its village: the officer's scope is then checked against it.
            clean.setdefault("village", grid.village)
    if errors:
        first = next(iter(errors.items()))
        raise CaseError(f"{first[0]}: {first[1][0]}", errors)
    return clean


def check_major(category: str, major: bool) -> None:
    if major and category not in MAJOR_CATEGORIES:
        message = _("只有矛盾纠纷和治安安全隐患可以标记为重大")
        raise CaseError(message, {"major": [message]})


CLOSE_FIELDS = ("result", "mediator", "mediation_result", "agreement_form", "agreement_terms")


def clean_close(data: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    unknown = set(data) - set(CLOSE_FIELDS)
    if unknown:
        raise _unknown(unknown)
    for field in ("result", "mediator"):
        if field in data:
            value = str(data[field] or "").strip()
            if len(value) > (limits.RESULT if field == "result" else limits.MEDIATOR):
                errors.setdefault(field, []).append(_("过长"))
            clean[field] = value
    if "mediation_result" in data:
        if data["mediation_result"] not in ("", None, "agreed", "not_agreed"):
            errors.setdefault("mediation_result", []).append(
                _("调解结果应为“达成协议”或“未达成协议”")
            )
        clean["mediation_result"] = data["mediation_result"] or ""
    if "agreement_form" in data:
        if data["agreement_form"] not in ("", None, "written", "oral"):
            errors.setdefault("agreement_form", []).append(_("协议方式应为“书面”或“口头”"))
        clean["agreement_form"] = data["agreement_form"] or ""
    if "agreement_terms" in data:
        terms = data["agreement_terms"] or []
        if isinstance(terms, str):
            terms = terms.splitlines()
        clean["agreement_terms"] = [str(t).strip() for t in terms if str(t).strip()]
    if errors:
        raise CaseError(_("结案信息有误"), errors)
    return clean


def follow_up_day_problem(case: Case, visited_on: date, at: datetime) -> str | None:
    """A follow-up visit follows the close (while the case is still open, its submission), and
    is not dated after today in the town (core/times.py)."""
    tz = case.town.timezone
    since, since_label = case.closed_at, _("结案日期")
    if since is None:
        since, since_label = case.submitted_at, _("提交日期")
    day = clock.local_date(since, tz) if since is not None else None
    problem = times.day_problem(visited_on, since=day, today=clock.local_date(at, tz))
    if problem is None:
        return None
    return _(problem) % {
        "label": _("回访日期"),
        "since": since_label,
        "day": day.isoformat() if day is not None else "",
    }
