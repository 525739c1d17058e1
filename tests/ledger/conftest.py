import csv
import io
import json

import pytest

CHINESE = {
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
    "agreement_form": "协议方式",
    "agreement_terms": "协议内容",
    "quality": "质量评定",
    "quality_note": "不合格原因",
    "voided": "作废",
    "latitude": "纬度",
    "longitude": "经度",
    "location_accuracy": "定位精度",
    "location_mock": "模拟定位",
}


def row(case_no: str = "L-001", **overrides) -> dict:
    """A complete dispute closed locally, as a ledger has it (English keys)."""
    data = {
        "case_no": case_no,
        "village": "东村",
        "officer": "officer",
        "category": "矛盾纠纷",
        "major": "否",
        "occurred_at": "2026-07-01 08:00",
        "location": "东村3组",
        "persons": "张三、李四",
        "cause": "宅基地边界",
        "course": "两家因围墙位置争执",
        "parties": "张三:13800138001;李四:0731-84561234",
        "submitted_at": "2026-07-01 09:00",
        "accepted_at": "2026-07-01 10:00",
        "escalated_at": "",
        "closed_at": "2026-07-02 16:00",
        "result": "双方同意按原界线重建围墙",
        "mediator": "王调解",
        "agreement_form": "书面",
        "agreement_terms": "1. 围墙按原界线重建\n2. 费用各半",
        "quality": "",
        "quality_note": "",
        "voided": "否",
    }
    data.update(overrides)
    return data


def csv_bytes(rows: list[dict], *, chinese=False, bom=False) -> bytes:
    keys = list(rows[0])
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([CHINESE.get(k, k) if chinese else k for k in keys])
    for r in rows:
        writer.writerow([r.get(k, "") for k in keys])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def jsonl_bytes(rows: list[dict]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode() + b"\n"


@pytest.fixture
def ledger(tmp_path):
    """ledger(rows, name="x.csv", **csv options) -> path of a written ledger file."""

    def write(rows, name="ledger.csv", **options):
        path = tmp_path / name
        if name.endswith(".jsonl"):
            path.write_bytes(jsonl_bytes(rows))
        else:
            path.write_bytes(csv_bytes(rows, **options))
        return path

    return write
