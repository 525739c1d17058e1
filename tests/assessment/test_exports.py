"""The result for people: the terminal table and the payroll workbook, read back."""

import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gridcase.assessment import adjustments, exports, services
from gridcase.assessment import quarter as life
from gridcase.assessment.results import PeriodResult, PolicyRef
from gridcase.cases import services as case_services
from gridcase.org.models import User
from tests.assessment.builders import closed_locally, submitted
from tests.factories import local

Q4 = ["2026-10", "2026-11", "2026-12"]


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)


@pytest.fixture
def named(t):
    """Officers with the Chinese names a payroll shows."""
    User.objects.filter(pk=t.officer.pk).update(display_name="张伟")
    User.objects.filter(pk=t.other_officer.pk).update(display_name="欧阳娜娜")
    return t


def workbook(result):
    return load_workbook(io.BytesIO(exports.render_xlsx(result)))


def test_the_payroll_sheet_has_one_row_per_officer_with_months_total_and_signature(named):
    t = named
    case = closed_locally(t, local(2026, 10, 12, 9))
    submitted(t, local(2026, 11, 12, 9), category="environment_campaign")
    result = services.assess_period(town=t.town, months=Q4)
    wb = workbook(result)
    assert wb.sheetnames == ["工资表", "张伟", "欧阳娜娜"]
    ws = wb["工资表"]
    assert "长塘镇" in ws["A1"].value and "2026年第四季度" in ws["A1"].value
    assert "未定稿" in ws["A1"].value
    header = [c.value for c in ws[3]]
    assert header == [
        "序号",
        "行政村",
        "网格专管员",
        "2026年10月",
        "2026年11月",
        "2026年12月",
        "季度合计",
        "签字",
        "计算说明",
    ]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=5)]
    assert rows[0][:7] == [1, "东村", "张伟", 30, 20, 20, 70]
    assert rows[1][:7] == [2, "西村", "欧阳娜娜", 20, 20, 20, 60]
    assert rows[0][7] is None  # room to sign
    assert [c.value for c in ws[6]][2:7] == ["合计", 50, 40, 40, 130]
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$3:$3"

    detail = wb["张伟"]
    lines = [[c.value for c in row] for row in detail.iter_rows(min_row=5)]
    first = lines[0]
    assert first[:5] == ["2026年10月", case.number, "治安安全隐患", "计入任务量", 0]
    assert first[5] == "四.1: 计入基本任务量"
    statuses = [line[3] for line in lines if line[1] not in ("本月小计",)]
    assert "不计入" in statuses


def test_a_provisional_payroll_is_marked_and_a_finalised_one_comes_from_the_snapshot(t):
    flawed = closed_locally(t, local(2026, 11, 10, 9))
    provisional = services.assess_period(
        town=t.town, months=Q4, today=local(2026, 11, 11, 9).date()
    )
    assert "暂定" in workbook(provisional)["工资表"]["A1"].value

    life.quarter_finalise(town=t.town, quarter="2026-Q4", by=t.office_user)
    case_services.case_review(case=flawed, by=t.office_user, quality="nonconforming", note="不实")
    frozen = services.assess_period(town=t.town, months=Q4)
    ws = workbook(frozen)["工资表"]
    assert "已定稿" in ws["A1"].value
    assert ws["G4"].value == 70  # 20 + 30 + 20, as frozen before the review


def test_adjustments_get_a_column_and_a_line_with_their_reason(t):
    life.quarter_finalise(town=t.town, quarter="2026-Q3", by=t.office_user)
    life.quarter_approve(town=t.town, quarter="2026-Q3", by=t.leader)
    adjustments.adjustment_add(
        town=t.town,
        officer=t.officer,
        quarter="2026-Q3",
        amount="-10",
        reason="9月一起事件重复录入",
        by=t.office_user,
    )
    result = services.assess_period(town=t.town, months=Q4)
    wb = workbook(result)
    ws = wb["工资表"]
    assert [c.value for c in ws[3]][6:9] == ["调整", "季度合计", "签字"]
    assert [c.value for c in ws[4]][6:8] == [-10, 50]
    last = [c.value for c in list(wb["officer"].iter_rows())[-1]]
    assert last[0] == "调整" and last[4] == -10 and last[5] == "9月一起事件重复录入"
    table = exports.render_table(result)
    assert "调整" in table and "-10.00" in table


def test_sheet_titles_are_valid_and_unique():
    used: set[str] = set()
    assert exports._sheet_title("张伟", used) == "张伟"
    assert exports._sheet_title("张伟", used) == "张伟(2)"
    assert exports._sheet_title("a/b:c", used) == "a_b_c"
    assert exports._sheet_title("工资表", used) == "工资表(2)"
    assert len(exports._sheet_title("长" * 40, used)) <= 31


def test_the_table_aligns_chinese_names_by_their_width_in_the_terminal(named):
    t = named
    closed_locally(t, local(2026, 10, 12, 9))
    text = exports.render_table(services.assess_period(town=t.town, months=Q4))
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("序号"))
    rows = [line for line in lines if line.startswith(("1 ", "2 "))]
    assert len(rows) == 2
    # The total column ends at the same terminal column on every line.
    totals = ("合计", "70.00", "60.00")
    ends = [
        exports.width(line[: line.index(total) + len(total)])
        for line, total in zip([header, *rows], totals, strict=True)
    ]
    assert len(set(ends)) == 1, ends
    assert "张伟" in rows[0] and "欧阳娜娜" in rows[1]
    assert "说明:" in text and "超期" in text  # the legend


def test_the_verbose_table_lists_every_case_with_its_reason(t):
    case = closed_locally(t, local(2026, 10, 12, 9), close_at=local(2026, 10, 20, 9))
    text = exports.render_table(
        services.assess_period(town=t.town, months=["2026-10"]), verbose=True
    )
    [line] = [line for line in text.splitlines() if case.number in line]
    assert "超期" in line and "四.3" in line and "2026-10-19" in line


def test_width_counts_wide_characters_twice():
    assert exports.width("abc") == 3
    assert exports.width("张伟") == 4
    assert exports.width("ＡＢ") == 4  # full-width letters
    assert exports.pad("张伟", 6) == "张伟  "
    assert exports.pad("70.00", 7, right=True) == "  70.00"


def test_the_json_text_is_the_result_as_a_dict():
    result = PeriodResult(
        town_id=1,
        town="长塘镇",
        period="2026-10",
        months=("2026-10",),
        policy=PolicyRef("p", "策略"),
        month_policies={"2026-10": PolicyRef("p", "策略")},
        provisional=False,
        officers=(),
    )
    assert json.loads(exports.to_json(result)) == {
        "period": "2026-10",
        "policy": {"code": "p", "name": "策略"},
        "provisional": False,
        "officers": [],
    }
    assert result.total == Decimal("0.00")
    assert "(本期没有网格专管员)" in exports.render_table(result)
