"""A ledger's columns: their keys, the Chinese headers and the other names people give them,
and the longest text each may hold. Pure: the readers find the header row with `header_key`.
"""

from __future__ import annotations

import re
from typing import Any

from gridcase.core import limits

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
    # Where it happened, as the workbench records a located point: decimal degrees in WGS-84
    # (GPS; a GCJ-02 ledger from a Chinese map is not converted yet), both or neither; and
    # the fix's accuracy in metres and whether a mock provider gave it, when the source says.
    "latitude": "纬度",
    "longitude": "经度",
    "location_accuracy": "定位精度",
    "location_mock": "模拟定位",
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
    "定位精度(米)": "location_accuracy",
    "是否模拟定位": "location_mock",
}
_HEADERS: dict[str, str] = {k: k for k in COLUMNS} | {v: k for k, v in COLUMNS.items()} | _ALIASES
_HEADER_JUNK = re.compile(r"[\s\ufeff\u3000*＊:：]+")


def header_key(header: Any) -> str | None:
    """The column key of a header cell: English key or Chinese header, spaces and BOM ignored."""
    if header is None:
        return None
    text = _HEADER_JUNK.sub("", str(header)).replace("（", "(").replace("）", ")")
    return _HEADERS.get(text) or _HEADERS.get(text.lower())


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
