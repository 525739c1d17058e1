"""The flow of a case through the services: state, level, deadlines and the timeline."""

from datetime import date

import pytest

from gridcase.cases import filing, services
from gridcase.cases.errors import ActionNotAllowed, CaseError, Conflict
from gridcase.cases.models import Case, TimelineEntry
from tests.factories import CLOSE_DISPUTE, local, submitted_case


def test_submit_starts_the_acceptance_clock_across_labour_day(t):
    case = submitted_case(t, local(2026, 4, 30, 10))
    assert (case.state, case.level) == ("pending", "grid")
    assert case.accept_due == date(2026, 5, 7)
    assert case.number == "CT-2026-00001"


def test_acceptance_starts_the_handling_period_with_the_make_up_saturday(t):
    case = submitted_case(t, local(2026, 5, 6, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 5, 6, 10))
    assert case.handle_due == date(2026, 5, 12)
    assert case.local_due == date(2026, 5, 12)


def test_late_acceptance_buys_no_time(t):
    case = submitted_case(t, local(2026, 6, 18, 9))
    assert case.accept_due == date(2026, 6, 23)
    services.case_accept(case=case, by=t.officer, at=local(2026, 6, 25, 9))
    assert case.local_due == date(2026, 6, 30)
    entry = case.timeline.get(action="accept")
    assert entry.data == {"late": True}


def test_submit_names_every_missing_element(t):
    at = local(2026, 10, 9, 9)
    case = filing.case_create_draft(
        town=t.town, by=t.officer, data={"category": "dispute", "location": "东村"}, at=at
    )
    with pytest.raises(CaseError) as err:
        filing.case_submit(case=case, by=t.officer, at=at)
    for word in ("发生时间", "人物", "起因", "经过", "两方当事人"):
        assert word in err.value.message
    case.refresh_from_db()
    assert case.state == "draft"
    assert case.location == "东村"


def test_a_draft_refuses_a_phone_number_that_is_not_one(t):
    at = local(2026, 10, 9, 9)
    with pytest.raises(CaseError) as err:
        filing.case_create_draft(
            town=t.town,
            by=t.officer,
            data={"category": "dispute", "parties": [{"name": "张三", "phone": "12345"}]},
            at=at,
        )
    assert "parties" in err.value.fields
    assert not Case.objects.exists()


def test_escalate_to_town_then_dispatch_report_and_close(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村站协调", at=local(2026, 10, 12, 11))
    assert (case.state, case.level) == ("pending", "village")
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 13, 9))
    assert case.handle_due == case.local_due
    services.case_escalate(
        case=case, by=t.station_user, note="村级无法处理", at=local(2026, 10, 13, 10)
    )
    assert (case.state, case.level, case.local_outcome) == ("pending", "town", "escalated")
    services.case_accept(case=case, by=t.center_user, at=local(2026, 10, 14, 9))
    services.case_dispatch(
        case=case, by=t.center_user, department=t.department, at=local(2026, 10, 14, 10)
    )
    assert (case.state, case.level) == ("pending", "department")
    services.case_accept(case=case, by=t.department_user, at=local(2026, 10, 15, 9))
    services.case_report(
        case=case, by=t.department_user, result="已处理", at=local(2026, 10, 16, 9)
    )
    assert (case.state, case.level) == ("reported", "town")
    services.case_close(
        case=case, by=t.center_user, data={"result": "已处理完毕"}, at=local(2026, 10, 16, 10)
    )
    assert case.state == "closed" and case.closed_level == "town"
    actions = list(case.timeline.values_list("action", flat=True))
    assert actions == [
        "create", "submit", "accept", "escalate", "accept", "escalate",
        "accept", "dispatch", "accept", "report", "close",
    ]  # fmt: skip


def test_a_return_to_the_village_gives_a_new_period_and_erases_the_escalation(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="上报", at=local(2026, 10, 12, 11))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 12))
    services.case_escalate(case=case, by=t.station_user, note="上报", at=local(2026, 10, 12, 13))
    services.case_return(
        case=case, by=t.center_user, reason="村级可处理", at=local(2026, 10, 15, 9)
    )
    assert (case.state, case.level, case.local_outcome) == ("handling", "village", "")
    assert case.local_due == date(2026, 10, 22)
    assert case.escalated_at is None


def test_close_of_a_local_dispute_needs_the_mediation_record(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    with pytest.raises(CaseError) as err:
        services.case_close(case=case, by=t.officer, data={"result": "已调解"})
    assert set(err.value.fields) == {"mediator", "mediation_result"}
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 13, 9))
    assert case.render_mediation() == (
        "由王调解进行调解,双方当事人达成书面协议:1.围墙按原界线重建;2.费用各半。"
    )
    assert case.local_outcome == "closed"
    assert case.follow_up_due == date(2026, 10, 27)


def test_an_officer_may_not_accept_at_the_town_center(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    with pytest.raises(ActionNotAllowed):
        services.case_accept(case=case, by=t.center_user)
    with pytest.raises(ActionNotAllowed):
        services.case_accept(case=case, by=t.other_officer)


def test_a_stale_copy_gets_a_conflict_and_writes_nothing(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    stale = Case.objects.get(pk=case.pk)
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    before = TimelineEntry.objects.count()
    with pytest.raises(Conflict):
        services.case_accept(case=stale, by=t.officer, at=local(2026, 10, 12, 10))
    assert TimelineEntry.objects.count() == before


def test_the_timeline_is_append_only(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    entry = case.timeline.first()
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_extension_approved_by_the_center_moves_the_department_deadline(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 9))
    services.case_escalate(case=case, by=t.officer, note="上报", at=local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 9))
    services.case_escalate(case=case, by=t.station_user, note="上报", at=local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.center_user, at=local(2026, 10, 12, 9))
    services.case_dispatch(
        case=case, by=t.center_user, department=t.department, at=local(2026, 10, 12, 10)
    )
    services.case_accept(case=case, by=t.department_user, at=local(2026, 10, 13, 9))
    assert case.handle_due == date(2026, 10, 20)
    request = services.case_request_extension(
        case=case, by=t.department_user, working_days=3, reason="需现场勘查"
    )
    with pytest.raises(ActionNotAllowed):
        services.case_decide_extension(request=request, by=t.department_user, approve=True)
    services.case_decide_extension(
        request=request, by=t.center_user, approve=True, at=local(2026, 10, 14, 9)
    )
    case.refresh_from_db()
    assert case.handle_due == date(2026, 10, 23)


def _at_department(t, case):
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 9))
    services.case_escalate(case=case, by=t.officer, note="上报", at=local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 9))
    services.case_escalate(case=case, by=t.station_user, note="上报", at=local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.center_user, at=local(2026, 10, 12, 9))
    services.case_dispatch(
        case=case, by=t.center_user, department=t.department, at=local(2026, 10, 12, 10)
    )
    services.case_accept(case=case, by=t.department_user, at=local(2026, 10, 13, 9))


def test_a_pending_extension_lapses_when_the_case_leaves_its_level(t):
    # Only the level that asked can have it decided; left pending, it blocked every later
    # request on the case (one pending request per case) and could never be decided.
    case = submitted_case(t, local(2026, 10, 12, 9))
    _at_department(t, case)
    asked = services.case_request_extension(
        case=case, by=t.department_user, working_days=3, reason="需现场勘查"
    )
    services.case_return(
        case=case, by=t.department_user, reason="不属本部门职责", at=local(2026, 10, 14, 9)
    )
    asked.refresh_from_db()
    assert asked.status == "lapsed"
    assert asked.decided_at == local(2026, 10, 14, 9)
    assert case.timeline.get(action="return").data["extension_lapsed"] == [asked.pk]
    with pytest.raises(ActionNotAllowed):
        services.case_decide_extension(request=asked, by=t.center_user, approve=True)
    again = services.case_request_extension(
        case=case, by=t.center_user, working_days=2, reason="重新协调部门"
    )
    assert again.status == "pending" and again.level == "town"


def test_a_pending_extension_stays_while_the_case_stays_at_its_level(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    _at_department(t, case)
    asked = services.case_request_extension(
        case=case, by=t.department_user, working_days=3, reason="需现场勘查"
    )
    services.case_urge(case=case, by=t.center_user, note="请加快办理")
    asked.refresh_from_db()
    assert asked.status == "pending"
    assert "extension_lapsed" not in (case.timeline.get(action="urge").data or {})


def test_void_needs_a_reason(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    with pytest.raises(CaseError):
        services.case_void(case=case, by=t.center_user, reason=" ")
    services.case_void(case=case, by=t.center_user, reason="重复录入")
    assert case.state == "voided"
