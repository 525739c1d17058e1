"""A ledger imported again (the same case numbers) after the governance office judged some of
its cases: the office's judgement stands (assessment.md, "Which cases count", 4 — the office's
judgement wins over the automatic flag and the ledger's own 质量评定), and "Voiding after a
judgement": only the office voids a case it judged nonconforming or a duplicate, so a ledger
row marked 作废 may not void it — the import refuses that row, and so imports nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gridcase.assessment import integrity_services
from gridcase.cases import services as case_services
from gridcase.cases.errors import ActionNotAllowed, Conflict
from gridcase.cases.models import Case, TimelineEntry
from gridcase.cases.selectors import allowed_actions
from gridcase.ledger import services as ledger_services
from gridcase.ledger.models import ImportJob
from gridcase.ledger.services import import_ledger
from tests.assessment.builders import suspected
from tests.factories import local

from .conftest import csv_bytes, row

NOW = local(2026, 9, 1, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def run(path, **options):
    return import_ledger(path_or_file=path, town_name="长塘镇", **options)


def review(t, number, quality, note=""):
    case = Case.objects.get(number=number)
    case_services.case_review(
        case=case, by=t.office_user, quality=quality, note=note, at=local(2026, 8, 1, 9)
    )


def test_a_reimport_keeps_the_offices_nonconforming_judgement(t, ledger):
    path = ledger([row("L-1"), row("L-2")])
    run(path)
    review(t, "L-1", "nonconforming", "照片与事件不符")
    case = Case.objects.get(number="L-1")
    assert "void" not in allowed_actions(t.officer, case)

    # The same ledger again (its 质量评定 empty: 合格 by default), with one fact corrected.
    again = ledger([row("L-1", result="双方同意重建围墙"), row("L-2")], name="again.csv")
    preview = run(again, dry_run=True)
    assert preview.ok
    assert [(k.line, k.case_no) for k in preview.kept_judgements] == [(2, "L-1")]
    text = "\n".join(preview.lines())
    assert "保留综治办评定" in text and "第 2 行" in text and "L-1" in text

    report = run(again)
    assert report.ok and report.updated == 1 and report.unchanged == 1
    assert [k.line for k in report.kept_judgements] == [2]
    assert report.nonconforming == 1  # the office's judgement, as it stands
    case = Case.objects.get(number="L-1")
    # Before the fix the ledger's 合格 replaced the office's 不合格 on the case.
    assert (case.quality, case.quality_note) == ("nonconforming", "照片与事件不符")
    assert case.result == "双方同意重建围墙"  # the ledger's facts are still the ledger's
    assert "void" not in allowed_actions(t.officer, case)


def test_a_reimport_keeps_the_offices_conforming_judgement_over_the_automatic_flag(t, ledger):
    path = ledger([row(location="")])
    run(path)
    review(t, "L-001", "conforming", "已补充地点")
    preview = run(path, dry_run=True)
    assert [k.line for k in preview.kept_judgements] == [2]
    assert preview.nonconforming == 0
    assert any("保留综治办评定" in line and "合格" in line for line in preview.lines())
    report = run(path)
    assert report.ok and report.nonconforming == 0
    case = Case.objects.get()
    # Before the fix the automatic flag (缺少发生地点) made it 不合格 again on its page.
    assert (case.quality, case.quality_note) == ("conforming", "已补充地点")
    assert case.missing_elements == ["发生地点"]  # the facts stay what the ledger says


def test_a_reimport_the_office_agrees_with_is_not_reported(t, ledger):
    path = ledger([row(quality="不合格", quality_note="不实")])
    run(path)
    review(t, "L-001", "nonconforming", "不实")
    report = run(path)
    assert report.ok and report.unchanged == 1 and report.kept_judgements == []


def test_a_reimport_may_not_void_a_case_the_office_judged_nonconforming(t, ledger):
    run(ledger([row("L-1"), row("L-2")]))
    review(t, "L-1", "nonconforming", "不实")
    timeline_rows = TimelineEntry.objects.count()
    again = ledger([row("L-1", voided="是"), row("L-2", result="改过"), row("L-3")], name="b.csv")
    for dry_run in (True, False):
        report = run(again, dry_run=dry_run)
        assert not report.ok
        [problem] = report.problems
        assert problem.line == 2
        assert "L-1" in problem.reason and "只有综治办可以作废" in problem.reason
        assert "第 2 行" in "\n".join(report.lines())
    # All or nothing: before the fix L-1 was voided (escaping its deduction).
    case = Case.objects.get(number="L-1")
    assert (case.state, case.quality) == ("closed", "nonconforming")
    assert Case.objects.get(number="L-2").result == "双方同意按原界线重建围墙"
    assert not Case.objects.filter(number="L-3").exists()
    assert TimelineEntry.objects.count() == timeline_rows


def test_a_reimport_may_not_void_a_case_the_office_confirmed_a_duplicate(t, ledger):
    still_open = {"closed_at": "", "result": "", "mediator": ""}
    still_open |= {"agreement_form": "", "agreement_terms": ""}
    first_row = row("L-1", **still_open)
    second_row = row("L-2", submitted_at="2026-07-01 09:30", **still_open)
    run(ledger([first_row, second_row]))
    first, second = Case.objects.get(number="L-1"), Case.objects.get(number="L-2")
    assert "void" in allowed_actions(t.officer, second)
    pair = suspected(t, second, first, found_at=NOW - timedelta(days=30))
    integrity_services.confirm(pair, by=t.office_user, reason="同一纠纷录入两次")
    report = run(ledger([first_row, second_row | {"voided": "是"}]))
    [problem] = report.problems
    assert problem.line == 3 and "重复" in problem.reason and "只有综治办可以作废" in problem.reason
    assert Case.objects.get(number="L-2").state == "handling"
    # The officer may not void the duplicate in the workbench either (before the fix: could).
    assert "void" not in allowed_actions(t.officer, second)
    with pytest.raises(ActionNotAllowed, match="重复"):
        case_services.case_void(case=second, by=t.officer, reason="录入有误")
    # The case it repeats was not judged: the ledger may void that one.
    assert run(ledger([first_row | {"voided": "是"}, second_row])).ok
    assert Case.objects.get(number="L-1").state == "voided"


def test_a_reimport_that_keeps_an_office_void_is_not_refused(t, ledger):
    """The office voided its judged case; the ledger says 作废 too: nothing to refuse."""
    still_open = {"closed_at": "", "result": "", "mediator": ""}
    open_row = row(**still_open, agreement_form="", agreement_terms="")
    run(ledger([open_row]))
    review(t, "L-001", "nonconforming", "不实")
    case = Case.objects.get()
    case_services.case_void(case=case, by=t.office_user, reason="不属实", at=local(2026, 8, 2, 9))
    report = run(ledger([open_row | {"voided": "是"}]))
    assert report.ok
    assert Case.objects.get().state == "voided"


def test_the_offices_judgements_are_read_in_one_query_for_the_ledger(
    t, ledger, django_assert_max_num_queries
):
    path = ledger([row(f"B-{i}") for i in range(60)])
    run(path)
    for i in range(0, 60, 3):
        review(t, f"B-{i}", "nonconforming", "不实")
    again = ledger([row(f"B-{i}", voided="是" if i % 2 else "否") for i in range(60)], name="v.csv")
    # As tests/ledger/test_import.py's import of 60 new rows, plus the office's judgements.
    with django_assert_max_num_queries(16 + 4 + 1):
        report = run(again)
    assert len(report.problems) == 10  # the odd multiples of three


def test_a_reimport_does_not_undo_a_void_made_in_the_system(t, ledger):
    """The office voided an imported case in the system (a made-up matter); the ledger, which
    still lists it as 否, is imported again: the case stays voided, and the report says so.
    Before the fix the re-import brought it back, to be paid for."""
    still_open = {"closed_at": "", "result": "", "mediator": ""}
    still_open |= {"agreement_form": "", "agreement_terms": ""}
    rows = [row("L-1", **still_open), row("L-2", **still_open)]
    path = ledger(rows)
    run(path)
    case = Case.objects.get(number="L-1")
    case_services.case_void(case=case, by=t.office_user, reason="核实为虚构事件")
    preview = run(path, dry_run=True)
    assert [(k.line, k.case_no) for k in preview.kept_voids] == [(2, "L-1")]
    assert any("保留系统中的作废" in line and "L-1" in line for line in preview.lines())
    report = run(path)
    assert report.ok and report.unchanged == 2
    case.refresh_from_db()
    assert (case.state, case.void_reason) == ("voided", "核实为虚构事件")
    # A void the ledger itself made is the ledger's to undo.
    run(ledger([rows[0], rows[1] | {"voided": "是"}], name="b.csv"))
    assert Case.objects.get(number="L-2").state == "voided"
    again = run(path)
    assert [k.case_no for k in again.kept_voids] == ["L-1"]
    assert Case.objects.get(number="L-2").state == "handling"


def test_a_reimport_keeps_the_offices_judgement_of_major(t, ledger):
    """The office's review also judges 重大 (the bonus of a major case is outside the cap): a
    ledger that still says 否 does not take that back."""
    path = ledger([row()])
    run(path)
    case = Case.objects.get()
    case_services.case_review(case=case, by=t.office_user, quality="conforming", major=True)
    report = run(path)
    assert report.ok and report.unchanged == 1
    assert [(k.line, k.case_no) for k in report.kept_judgements] == [(2, "L-001")]
    assert any("保留综治办评定重大" in line for line in report.lines())
    assert Case.objects.get().major is True  # before the fix: False again
    # A category that cannot be major: the ledger's category is a fact, so major goes.
    assert run(ledger([row(category="民生服务", parties="")], name="b.csv")).ok
    assert Case.objects.get().major is False


def test_a_judgement_made_while_the_ledger_is_checked_still_stops_its_void(t, ledger, monkeypatch):
    """The office judges a case between the import's check and its write: the write reads the
    judgements again with the cases it updates, and undoes the whole import."""
    run(ledger([row("L-1"), row("L-2")]))

    def judged_meanwhile(known, rows, report):
        review(t, "L-1", "nonconforming", "不实")

    monkeypatch.setattr(ledger_services, "_check_voids", judged_meanwhile)
    with pytest.raises(Conflict, match="导入期间综治办评定了事件“L-1”"):
        run(ledger([row("L-1", voided="是"), row("L-2", result="改过")], name="b.csv"))
    assert Case.objects.get(number="L-1").state == "closed"
    assert Case.objects.get(number="L-2").result == "双方同意按原界线重建围墙"


def test_the_workbench_preview_says_what_a_reimport_does_with_judged_cases(
    t, ledger, client, worker_in_process, django_capture_on_commit_callbacks
):
    """The office clerk's check page (the dry run) names the kept judgement and the refused
    void, by line, before anything is imported."""
    run(ledger([row("L-1"), row("L-2")]))
    review(t, "L-1", "nonconforming", "照片与事件不符")
    review(t, "L-2", "nonconforming", "不实")
    client.force_login(t.office_user)

    def check(rows) -> str:
        content = csv_bytes(rows, chinese=True)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("web:ledger_upload", args=[t.town.pk]),
                {"file": SimpleUploadedFile("台账.csv", content, content_type="text/csv")},
            )
        return client.get(response["Location"]).content.decode()

    page = check([row("L-1"), row("L-2", voided="是")])
    assert "第 3 行" in page and "只有综治办可以作废" in page
    assert ImportJob.objects.get().state != ImportJob.State.CHECKED  # nothing to confirm
    page = check([row("L-1"), row("L-2")])
    assert "保留综治办评定不合格" in page and "第 2 行" in page and "第 3 行" in page
