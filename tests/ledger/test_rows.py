"""Reading one ledger row: pure, no database."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from gridcase.ledger.cells import parse_category, parse_parties, parse_terms, parse_time
from gridcase.ledger.columns import COLUMNS, header_key
from gridcase.ledger.rows import RowError, parse_row

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 1, tzinfo=UTC)

COMPLETE = {
    "case_no": "CT-001",
    "village": "东村",
    "officer": "officer",
    "category": "矛盾纠纷",
    "occurred_at": "2026-07-01 08:00",
    "location": "东村3组",
    "persons": "张三、李四",
    "cause": "宅基地边界",
    "course": "两家因围墙位置争执",
    "parties": "张三:13800138001;李四:0731-84561234",
    "submitted_at": "2026-07-01 09:00",
    "accepted_at": "2026-07-01 10:00",
    "closed_at": "2026-07-02 16:00",
    "result": "双方同意按原界线重建围墙",
    "mediator": "王调解",
    "agreement_form": "书面",
    "agreement_terms": "1. 围墙按原界线重建\n2. 费用各半",
}


def read(**overrides):
    return parse_row(7, {**COMPLETE, **overrides}, tz=SHANGHAI, now=NOW)


def reasons(**overrides) -> list[str]:
    with pytest.raises(RowError) as err:
        read(**overrides)
    return err.value.reasons


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("事件编号", "case_no"),
        ("\ufeff事件编号", "case_no"),
        (" 行政村 ", "village"),
        ("case_no", "case_no"),
        ("Case_No", "case_no"),
        ("上报上级时间", "escalated_at"),
        ("*事件类别", "category"),
        ("序号", None),
    ],
)
def test_headers_are_english_keys_or_chinese_names(header, key):
    assert header_key(header) == key


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("dispute", ("dispute", False)),
        ("矛盾纠纷", ("dispute", False)),
        ("治安安全隐患", ("security_hazard", False)),
        ("民生服务", ("livelihood_service", False)),
        ("八大行动", ("environment_campaign", False)),
        ("优化环境八大行动", ("environment_campaign", False)),
        ("优化环境“八大行动”", ("environment_campaign", False)),
        ('优化环境"八大行动"', ("environment_campaign", False)),
        ("其他", ("other", False)),
        ("重大矛盾纠纷", ("dispute", True)),
    ],
)
def test_categories_are_codes_or_chinese_names(word, expected):
    assert parse_category(word) == expected


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("2026-07-01 09:30", datetime(2026, 7, 1, 1, 30, tzinfo=UTC)),
        ("2026-07-01 09:30:15", datetime(2026, 7, 1, 1, 30, 15, tzinfo=UTC)),
        ("2026-07-01T09:30:00+08:00", datetime(2026, 7, 1, 1, 30, tzinfo=UTC)),
        ("2026-07-01T01:30:00Z", datetime(2026, 7, 1, 1, 30, tzinfo=UTC)),
        ("2026-07-01T09:30:00+09:00", datetime(2026, 7, 1, 0, 30, tzinfo=UTC)),
        ("2026/7/1 9:30", datetime(2026, 7, 1, 1, 30, tzinfo=UTC)),
        ("2026年7月1日 9时30分", datetime(2026, 7, 1, 1, 30, tzinfo=UTC)),
        ("2026年7月1日9:30:15", datetime(2026, 7, 1, 1, 30, 15, tzinfo=UTC)),
        ("2026-07-01", datetime(2026, 6, 30, 16, 0, tzinfo=UTC)),
        (datetime(2026, 7, 1, 9, 30), datetime(2026, 7, 1, 1, 30, tzinfo=UTC)),
    ],
)
def test_times_without_offset_are_the_towns_and_offsets_are_converted(raw, utc):
    assert parse_time(raw, SHANGHAI) == utc


def test_parties_accept_full_width_separators_and_a_list():
    expected = [("张三", "13800138001"), ("李四", "0731-84561234")]
    assert parse_parties("张三：13800138001；李四：0731-84561234") == expected
    assert parse_parties("张三:13800138001;李四:0731-84561234;") == expected
    assert parse_parties([{"name": "张三", "phone": "13800138001"}, "李四:0731-84561234"]) == (
        expected
    )


def test_agreement_terms_lose_their_numbers():
    assert parse_terms("1. 围墙重建\n2、费用各半") == ("围墙重建", "费用各半")
    assert parse_terms("①围墙重建；②费用各半") == ("围墙重建", "费用各半")


def test_a_complete_row_is_read_into_plain_values():
    row = read()
    assert row.line == 7
    assert row.category == "dispute"
    assert row.submitted_at == datetime(2026, 7, 1, 1, 0, tzinfo=UTC)
    assert row.parties == (("张三", "13800138001"), ("李四", "0731-84561234"))
    assert row.mediation_result == "agreed"
    assert row.agreement_form == "written"
    assert row.agreement_terms == ("围墙按原界线重建", "费用各半")
    assert row.quality == "conforming"
    assert row.missing == ()
    assert row.closed_locally


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"case_no": " "}, "缺少事件编号"),
        ({"category": "治安"}, "事件类别“治安”无法识别"),
        ({"submitted_at": "2026-02-30 09:00"}, "上报时间“2026-02-30 09:00”不是有效的时间"),
        ({"submitted_at": ""}, "缺少上报时间"),
        ({"closed_at": "2026-06-30 09:00", "accepted_at": ""}, "结案时间早于上报时间"),
        ({"accepted_at": "2026-07-03 09:00"}, "结案时间早于受理时间"),
        ({"major": "大概"}, "是否重大“大概”无法识别"),
        ({"category": "民生服务", "major": "是"}, "只有矛盾纠纷和治安安全隐患可以标记为重大"),
        ({"closed_at": "2027-01-01 09:00"}, "结案时间“2027-01-01 09:00”不能晚于现在"),
        ({"agreement_form": "电话"}, "协议方式“电话”无法识别"),
        ({"quality": "良好"}, "质量评定“良好”无法识别"),
        ({"location": "长" * 301}, "发生地点过长"),
    ],
)
def test_a_row_that_cannot_be_read_names_the_reason(overrides, reason):
    assert any(r.startswith(reason) for r in reasons(**overrides)), reasons(**overrides)


def test_every_reason_of_a_row_is_named():
    found = reasons(case_no="", category="xx", submitted_at="昨天")
    assert len(found) == 3


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"location": ""}, ("发生地点",)),
        ({"occurred_at": "", "cause": ""}, ("发生时间", "起因")),
        ({"parties": "张三:13800138001"}, ("至少两方当事人(矛盾纠纷)",)),
        ({"parties": "张三:13800138001;李四"}, ("当事人李四的联系电话",)),
        (
            {"parties": "张三:13800138001;李四:无"},
            ("当事人李四的有效联系电话(填写的“无”不是有效号码)",),
        ),
        ({"mediator": ""}, ("调解人",)),
        ({"agreement_terms": ""}, ("协议内容(逐条填写)",)),
        ({"result": ""}, ("处理结果",)),
    ],
)
def test_a_row_lacking_an_element_is_read_with_the_missing_element(overrides, missing):
    assert read(**overrides).missing == missing


def test_an_escalated_dispute_needs_no_mediation_record():
    row = read(escalated_at="2026-07-01 11:00", mediator="", agreement_form="", agreement_terms="")
    assert row.missing == ()
    assert not row.closed_locally


@pytest.mark.parametrize(
    ("word", "voided"), [("是", True), ("已作废", True), ("", False), ("0", False)]
)
def test_the_void_column(word, voided):
    assert read(voided=word).voided is voided


def test_an_invalid_phone_is_not_kept():
    row = read(parties="张三:13800138001;李四:12345")
    assert row.parties == (("张三", "13800138001"), ("李四", ""))


@pytest.mark.parametrize("column", ["occurred_at", "submitted_at", "accepted_at", "closed_at"])
@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("0006-07-01 08:00", "“0006-07-01 08:00”不能早于2000年1月1日"),
        ("1999-12-31 23:59", "“1999-12-31 23:59”不能早于2000年1月1日"),
        ("2027-07-01 08:00", "“2027-07-01 08:00”不能晚于现在"),
        ("2026-11-01 08:11", "“2026-11-01 08:11”不能晚于现在"),  # 11 minutes after NOW
    ],
)
def test_a_time_nobody_means_is_refused_naming_the_column(column, cell, reason):
    assert f"{COLUMNS[column]}{reason}" in reasons(**{column: cell})


def test_a_time_a_few_minutes_after_now_is_a_fast_clock_not_a_typo():
    row = read(closed_at="2026-11-01 08:09")  # NOW is 08:00 in Shanghai
    assert row.closed_at == datetime(2026, 11, 1, 0, 9, tzinfo=UTC)


def test_the_first_day_of_2000_counts_in_the_town():
    row = read(occurred_at="2000-01-01 00:00", submitted_at="2026-07-01 09:00")
    assert row.occurred_at == datetime(1999, 12, 31, 16, 0, tzinfo=UTC)
