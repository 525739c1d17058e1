"""Importing a ledger into a town: ordinary cases, all or nothing, re-import safe."""

from datetime import date

import pytest
import time_machine
from django.db.models import F
from openpyxl import Workbook

from gridcase.cases import services as case_services
from gridcase.cases.errors import Conflict
from gridcase.cases.models import Case, Party, TimelineEntry
from gridcase.ledger import bulk, writing
from gridcase.ledger.services import LedgerError, import_ledger
from gridcase.org.models import Role, Town, User, Village
from tests.factories import local, submitted_case

from .conftest import row


def run(path, town="长塘镇", **options):
    return import_ledger(path_or_file=path, town_name=town, **options)


def test_a_chinese_csv_with_bom_imports_an_ordinary_closed_case(t, ledger):
    report = run(ledger([row()], chinese=True, bom=True))
    assert (report.ok, report.created, report.rows) == (True, 1, 1)
    case = Case.objects.get(town=t.town, number="L-001")
    assert (case.state, case.level, case.source) == ("closed", "village", "imported")
    assert (case.officer, case.village, case.grid) == (t.officer, t.village, t.grid)
    assert (case.local_outcome, case.local_outcome_at) == ("closed", local(2026, 7, 2, 16))
    assert case.closed_level == "village"
    assert case.first_accepted_at == local(2026, 7, 1, 10)
    assert case.first_accept_due == case.accept_due == date(2026, 7, 3)
    assert case.local_due == case.handle_due == date(2026, 7, 8)
    assert case.follow_up_due == date(2026, 7, 16)
    assert (case.quality, case.missing_elements) == ("conforming", [])
    assert case.agreement_terms == ["围墙按原界线重建", "费用各半"]
    assert case.render_mediation().startswith("由王调解进行调解,双方当事人达成书面协议")
    assert [(p.name, p.phone) for p in case.parties.all()] == [
        ("张三", "13800138001"),
        ("李四", "0731-84561234"),
    ]
    entry = case.timeline.get()
    assert (entry.action, entry.to_state) == ("import", "closed")
    assert entry.note == "从台账导入: ledger.csv 第 2 行"


def test_english_headers_without_bom(t, ledger):
    report = run(ledger([row("A-1"), row("A-2", category="other", parties="")]))
    assert report.created == 2
    assert Case.objects.get(number="A-2").category == "other"


def test_deadlines_are_those_the_services_compute_across_labour_day(t, ledger):
    run(
        ledger(
            [
                row(
                    submitted_at="2026-04-30 10:00",
                    occurred_at="2026-04-30 08:00",
                    accepted_at="2026-05-06 09:00",
                    closed_at="",
                )
            ]
        )
    )
    imported = Case.objects.get(number="L-001")
    assert imported.accept_due == date(2026, 5, 7)
    assert imported.local_due == imported.handle_due == date(2026, 5, 12)
    assert (imported.state, imported.level) == ("handling", "grid")

    entered = submitted_case(t, local(2026, 4, 30, 10))
    case_services.case_accept(case=entered, by=t.officer, at=local(2026, 5, 6, 9))
    for name in ("accept_due", "first_accept_due", "local_due", "handle_due", "state", "level"):
        assert getattr(imported, name) == getattr(entered, name), name


def test_a_case_never_accepted_has_its_local_period_from_the_acceptance_deadline(t, ledger):
    run(
        ledger(
            [
                row(
                    submitted_at="2026-04-30 10:00",
                    occurred_at="2026-04-30 08:00",
                    accepted_at="",
                    closed_at="",
                )
            ]
        )
    )
    case = Case.objects.get(number="L-001")
    assert (case.state, case.level) == ("pending", "grid")
    assert case.accept_due == date(2026, 5, 7)
    assert case.local_due == date(2026, 5, 13)  # Sat 9 May is a make-up day
    assert case.first_accepted_at is None and case.handle_due is None


def test_an_escalated_case_waits_at_the_town_center(t, ledger):
    run(
        ledger(
            [
                row(
                    escalated_at="2026-07-02 09:00",
                    closed_at="",
                    mediator="",
                    agreement_form="",
                    agreement_terms="",
                )
            ]
        )
    )
    case = Case.objects.get(number="L-001")
    assert (case.state, case.level) == ("pending", "town")
    assert (case.local_outcome, case.local_outcome_at) == ("escalated", local(2026, 7, 2, 9))
    assert case.escalated_at == local(2026, 7, 2, 9)
    assert case.accept_due == date(2026, 7, 6)
    assert case.local_due == date(2026, 7, 8)
    assert case.missing_elements == []


def test_an_escalated_case_closed_by_the_town(t, ledger):
    run(
        ledger(
            [
                row(
                    escalated_at="2026-07-02 09:00",
                    closed_at="2026-07-06 09:00",
                    mediator="",
                    agreement_form="",
                    agreement_terms="",
                )
            ]
        )
    )
    case = Case.objects.get(number="L-001")
    assert (case.state, case.level, case.closed_level) == ("closed", "town", "town")
    assert case.local_outcome == "escalated"


def test_a_voided_row_is_a_voided_case(t, ledger):
    run(ledger([row(voided="是")]))
    case = Case.objects.get(number="L-001")
    assert case.state == "voided"
    assert case.voided_at == local(2026, 7, 2, 16)
    assert case.void_reason


def test_offsets_are_converted_and_jsonl_is_read(t, ledger):
    data = row(
        submitted_at="2026-07-01T01:00:00Z",
        accepted_at="2026-07-01T10:00:00+08:00",
        parties=[{"name": "张三", "phone": "13800138001"}, "李四:0731-84561234"],
        major=True,
    )
    report = run(ledger([data], name="cases.jsonl"))
    assert report.created == 1
    case = Case.objects.get(number="L-001")
    assert case.submitted_at == local(2026, 7, 1, 9)
    assert case.first_accepted_at == local(2026, 7, 1, 10)
    assert case.major is True
    assert case.parties.count() == 2


def test_an_xlsx_ledger_with_a_title_row_and_typed_cells(t, tmp_path):
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["长塘镇2026年三季度事件台账"])
    sheet.append(
        [
            "事件编号",
            "行政村",
            "网格专管员",
            "事件类别",
            "发生时间",
            "发生地点",
            "人物",
            "起因",
            "经过",
            "当事人",
            "上报时间",
            "受理时间",
            "结案时间",
            "处理结果",
            "序号",
        ]
    )
    sheet.append(
        [
            1001,
            "东村",
            "officer",
            "民生服务",
            datetime(2026, 7, 1, 8),
            "东村",
            "王五",
            "路灯坏了",
            "报修",
            "",
            datetime(2026, 7, 1, 9),
            datetime(2026, 7, 1, 9, 30),
            datetime(2026, 7, 3, 9),
            "已修复",
            1,
        ]
    )
    sheet.append(
        [
            1002,
            "东村",
            "officer",
            "民生服务",
            None,
            "",
            "",
            "",
            "",
            "",
            datetime(2026, 7, 1, 9),
            None,
            None,
            "",
            2,
        ]
    )
    path = tmp_path / "台账.xlsx"
    book.save(path)
    report = run(path)
    assert (report.created, report.ignored_columns) == (2, ["序号"])
    case = Case.objects.get(number="1001")
    assert case.submitted_at == local(2026, 7, 1, 9)
    assert case.state == "closed"
    assert case.timeline.get().note == "从台账导入: 台账.xlsx 第 3 行"
    assert Case.objects.get(number="1002").missing_elements == [
        "发生时间",
        "发生地点",
        "人物",
        "起因",
        "经过",
    ]


def test_a_row_lacking_elements_is_imported_nonconforming_with_the_reason(t, ledger):
    report = run(ledger([row(location="", parties="张三:13800138001"), row("L-002")]))
    assert (report.created, report.nonconforming) == (2, 1)
    case = Case.objects.get(number="L-001")
    assert case.quality == "nonconforming"
    assert case.missing_elements == ["发生地点", "至少两方当事人(矛盾纠纷)"]
    assert case.quality_note == ""  # the missing elements are the reason; no repeated note
    assert Case.objects.get(number="L-002").quality == "conforming"


def test_a_nonconforming_quality_with_its_note_is_kept(t, ledger):
    run(ledger([row(quality="不合格", quality_note="照片与事件不符")]))
    case = Case.objects.get(number="L-001")
    assert (case.quality, case.quality_note) == ("nonconforming", "照片与事件不符")
    assert case.missing_elements == []


def test_the_same_ledger_twice_changes_nothing(t, ledger):
    path = ledger([row("L-001"), row("L-002", category="其他", parties="")])
    run(path)
    before = list(Case.objects.order_by("id").values())
    report = run(path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(Case.objects.order_by("id").values()) == before
    assert TimelineEntry.objects.count() == 2
    assert Party.objects.count() == 2


def test_a_changed_row_updates_its_case(t, ledger):
    run(ledger([row("L-001"), row("L-002")]))
    case = Case.objects.get(number="L-001")
    report = run(
        ledger(
            [row("L-001", closed_at="", parties="张三:13800138001;王五:13900139000"), row("L-002")]
        )
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    updated = Case.objects.get(pk=case.pk)
    assert (updated.state, updated.closed_at, updated.local_outcome) == ("handling", None, "")
    assert updated.version == case.version + 1
    assert [p.name for p in updated.parties.all()] == ["张三", "王五"]
    entry = updated.timeline.order_by("id").last()
    assert entry.action == "import"
    assert (entry.from_state, entry.to_state) == ("closed", "handling")
    assert "parties" in entry.data["fields"] and "closed_at" in entry.data["fields"]
    assert Case.objects.count() == 2


def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(t, ledger):
    rows = [
        row("L-001"),
        row("L-002", category="治安"),
        row("", course="多行\n的经过"),
        row("L-004", submitted_at="2026-07-03 09:00"),
        row("L-001"),
    ]
    report = run(ledger(rows))
    assert not report.ok
    assert [(p.line, p.reason) for p in report.problems] == [
        (3, "事件类别“治安”无法识别(应为 矛盾纠纷、治安安全隐患、民生服务、八大行动、其他 之一)"),
        (4, "缺少事件编号"),
        (5, "受理时间早于上报时间;结案时间早于上报时间"),
        (6, "事件编号“L-001”与第 2 行重复"),
    ]
    assert not Case.objects.exists()
    assert "第 3 行: 事件类别“治安”无法识别" in "\n".join(report.lines())


@time_machine.travel(local(2026, 12, 6, 14), tick=False)
def test_a_time_nobody_means_is_a_row_error_naming_row_and_column(t, ledger):
    rows = [
        row("L-001"),
        row("L-002", occurred_at="0006-07-01 08:00"),
        row("L-003", submitted_at="2027-07-01 09:00", accepted_at="", closed_at=""),
        row("L-004", accepted_at="1999-12-31 10:00"),
        row("L-005", closed_at="2027-12-06 14:00"),
    ]
    report = run(ledger(rows, chinese=True))
    assert not report.ok
    assert [(p.line, p.reason) for p in report.problems] == [
        (3, "发生时间“0006-07-01 08:00”不能早于2000年1月1日"),
        (4, "上报时间“2027-07-01 09:00”不能晚于现在"),
        (5, "受理时间“1999-12-31 10:00”不能早于2000年1月1日"),
        (6, "结案时间“2027-12-06 14:00”不能晚于现在"),
    ]
    assert "第 3 行: 发生时间“0006-07-01 08:00”不能早于2000年1月1日" in report.lines()
    assert not Case.objects.exists()


def test_unknown_village_and_officer_are_named_without_create_missing(t, ledger):
    report = run(ledger([row(village="南村", officer="赵六")]))
    assert [p.line for p in report.problems] == [2]
    assert "行政村“南村”在长塘镇不存在" in report.problems[0].reason
    assert "网格专管员“赵六”在长塘镇不存在" in report.problems[0].reason
    assert not Village.objects.filter(name="南村").exists()


def test_an_unknown_town_is_an_error_naming_it(db, ledger):
    with pytest.raises(LedgerError, match="镇“青山镇”不存在"):
        run(ledger([row()]), town="青山镇")


def test_create_missing_creates_the_town_villages_and_officers(db, ledger):
    path = ledger(
        [
            row("L-1", village="南村", officer="赵六"),
            row("L-2", village="南村", officer="赵六"),
            row("L-3", village="北村", officer="钱七"),
        ]
    )
    report = run(path, town="青山镇", create_missing=True)
    assert report.ok and report.created == 3
    town = Town.objects.get(name="青山镇")
    assert town.timezone == "Asia/Shanghai" and town.code
    assert sorted(Village.objects.filter(town=town).values_list("name", flat=True)) == [
        "北村",
        "南村",
    ]
    zhao = User.objects.get(display_name="赵六")
    assert not zhao.has_usable_password()
    role = Role.objects.get(user=zhao)
    assert (role.kind, role.village.name, role.town) == ("officer", "南村", town)
    assert set(Case.objects.filter(town=town).values_list("officer__display_name", flat=True)) == {
        "赵六",
        "钱七",
    }
    assert report.new_town and report.new_villages == ["南村", "北村"]
    again = run(path, town="青山镇", create_missing=True)
    assert (again.unchanged, again.new_villages, again.new_officers) == (3, [], [])
    assert User.objects.filter(display_name="赵六").count() == 1


def test_a_new_towns_code_is_unique(db, ledger):
    Town.objects.create(name="Qingshan", code="qingshan")
    run(ledger([row()]), town="Qingshan Town", create_missing=True)
    run(ledger([row()]), town="qingshan", create_missing=True)
    codes = list(Town.objects.order_by("id").values_list("code", flat=True))
    assert len(set(codes)) == 3


def test_dry_run_reports_and_writes_nothing(db, ledger):
    report = run(
        ledger([row(village="南村", officer="赵六")]),
        town="青山镇",
        create_missing=True,
        dry_run=True,
    )
    assert (report.ok, report.created, report.new_town) == (True, 1, True)
    assert "未写入任何数据" in report.lines()[0]
    assert not Town.objects.exists() and not User.objects.exists()
    assert not Case.objects.exists()


def test_a_case_entered_in_the_system_is_not_overwritten(t, ledger):
    entered = submitted_case(t, local(2026, 7, 1, 9))
    report = run(ledger([row(entered.number)]))
    assert "已是系统中录入的事件" in report.problems[0].reason
    assert Case.objects.get(pk=entered.pk).source == "entered"


def test_a_failure_mid_way_leaves_nothing(t, ledger, monkeypatch):
    monkeypatch.setattr(writing, "BATCH", 2)
    real_write, calls = writing.write_batch, []

    def failing_write(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_write(*args)

    monkeypatch.setattr(writing, "write_batch", failing_write)
    with pytest.raises(RuntimeError):
        run(ledger([row(f"L-{i}") for i in range(5)]))
    assert not Case.objects.exists() and not TimelineEntry.objects.exists()


def test_a_case_changed_by_someone_else_during_the_import_undoes_it(t, ledger, monkeypatch):
    run(ledger([row("L-1"), row("L-2")]))
    real_update = bulk.update

    def racing_update(model, names, rows):
        # Someone reviews L-2 between the import's read and its write.
        Case.objects.filter(number="L-2").update(version=F("version") + 1)
        return real_update(model, names, rows)

    monkeypatch.setattr(bulk, "update", racing_update)
    with pytest.raises(Conflict, match="本次导入已全部撤销"):
        run(ledger([row("L-1", result="改过"), row("L-2", result="也改过"), row("L-3")]))
    assert list(Case.objects.order_by("number").values_list("number", "result")) == [
        ("L-1", "双方同意按原界线重建围墙"),
        ("L-2", "双方同意按原界线重建围墙"),
    ]


def test_an_ambiguous_officer_name_is_refused(t, ledger):
    for user in (t.officer, t.other_officer):
        user.display_name = "张伟"
        user.save()
    # Named in a third village, neither of the two namesakes' villages decides.
    Village.objects.create(town=t.town, name="南村")
    report = run(ledger([row(village="南村", officer="张伟")]))
    assert "有多人同名" in report.problems[0].reason
    # In the village of one of them, that one is meant.
    report = run(ledger([row(village="西村", officer="张伟")]))
    assert report.ok
    assert Case.objects.get().officer == t.other_officer


def test_the_import_writes_in_bulk_not_a_query_per_row(t, ledger, django_assert_max_num_queries):
    # Reads: town, villages, officers, numbers taken, calendar, policies, existing cases;
    # writes: a few multi-row inserts per batch (SQLite caps the parameters of one insert);
    # the town's timeline hash chain: find its head, create it on first use, lock it, move it.
    with django_assert_max_num_queries(16 + 4):
        run(ledger([row(f"B-{i}") for i in range(60)]))
    assert Case.objects.count() == 60
