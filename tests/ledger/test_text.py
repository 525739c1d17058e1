"""A ledger cell holding a character XML cannot carry is refused, naming its row and column."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from gridcase.cases.models import Case
from gridcase.ledger.rows import RowError, parse_row
from gridcase.ledger.services import import_ledger

from .conftest import row
from .test_rows import COMPLETE

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def reasons(**overrides) -> list[str]:
    with pytest.raises(RowError) as err:
        parse_row(7, {**COMPLETE, **overrides}, tz=SHANGHAI, now=NOW)
    return err.value.reasons


@pytest.mark.parametrize(
    "overrides,reason",
    [
        ({"location": "东村\x013组"}, "发生地点含有不允许的控制字符(第 3 个字符)"),
        ({"course": "\x1f两家"}, "经过含有不允许的控制字符(第 1 个字符)"),
        ({"officer": "off\ufffeicer"}, "网格专管员含有不允许的控制字符(第 4 个字符)"),
        ({"parties": "张三\x00:13800138001"}, "当事人含有不允许的控制字符(第 3 个字符)"),
        (
            {"agreement_terms": ["重建", "费用\x02各半"]},
            "协议内容含有不允许的控制字符(第 3 个字符)",
        ),
        (
            {"parties": [{"name": "李\x03四", "phone": "13800138001"}]},
            "当事人含有不允许的控制字符(第 2 个字符)",
        ),
    ],
)
def test_a_control_character_names_its_column(overrides, reason):
    assert reason in reasons(**overrides)


def test_line_breaks_and_tabs_are_text():
    parsed = parse_row(7, {**COMPLETE, "course": "第一行\r\n\t第二行"}, tz=SHANGHAI, now=NOW)
    assert parsed.course == "第一行\r\n\t第二行"


@pytest.mark.parametrize("name", ["ledger.csv", "ledger.jsonl"])
def test_the_import_names_the_row_and_imports_nothing(t, ledger, name):
    rows = [row("L-001"), row("L-002", cause="宅基地\x0b边界")]
    report = import_ledger(path_or_file=ledger(rows, name=name), town_name="长塘镇")
    assert not report.ok
    [problem] = report.problems
    line = 3 if name.endswith(".csv") else 2  # the CSV's header is line 1
    assert (problem.line, problem.reason) == (line, "起因含有不允许的控制字符(第 4 个字符)")
    assert f"第 {line} 行: 起因含有不允许的控制字符" in "\n".join(report.lines())
    assert not Case.objects.exists()
