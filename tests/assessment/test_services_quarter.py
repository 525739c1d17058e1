"""The quarter's life: finalise, the snapshot, approval, appeals, adjustments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from gridcase.assessment import adjustments, appeals, services
from gridcase.assessment import quarter as life
from gridcase.assessment.models import Appeal, AssessmentEvent, QuarterAssessment
from gridcase.cases import services as case_services
from gridcase.cases.errors import ActionNotAllowed, CaseError, Conflict
from gridcase.cases.models import TimelineEntry
from gridcase.org.models import Role
from tests.assessment.builders import closed_locally, submitted
from tests.factories import local

Q4 = ["2026-10", "2026-11", "2026-12"]


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)


@pytest.fixture
def q4(t):
    """A quarter with a case closed on time in October and one nonconforming in November."""
    closed_locally(t, local(2026, 10, 12, 9))
    flawed = closed_locally(t, local(2026, 11, 10, 9))
    case_services.case_review(
        case=flawed, by=t.office_user, quality="nonconforming", note="起因描述不清"
    )
    return flawed


def total_of(t, months=Q4):
    result = services.assess_period(town=t.town, months=months)
    return result.officer(t.officer.pk).total


def finalise(t, quarter="2026-Q4", **kw):
    return life.quarter_finalise(town=t.town, quarter=quarter, by=t.office_user, **kw)


def test_finalising_is_refused_until_every_handling_deadline_has_passed(t, time_machine):
    case = submitted(t, local(2026, 12, 30, 16))  # never accepted: the local period runs on
    possible = case.local_due + timedelta(days=1)
    assert life.finalise_possible_from(t.town, "2026-Q4") == possible
    time_machine.move_to(
        local(possible.year, possible.month, possible.day, 9) - timedelta(hours=10)
    )
    with pytest.raises(CaseError) as err:
        finalise(t)
    assert f"可于 {possible} 起定稿" in err.value.message
    assert str(case.local_due) in err.value.message
    assert not QuarterAssessment.objects.filter(status="finalised").exists()

    time_machine.move_to(local(possible.year, possible.month, possible.day, 9))
    row = finalise(t)
    assert row.status == "finalised"
    assert row.finalised_by == t.office_user
    assert row.policy_code == "changtang-2016"


def test_a_quarter_is_never_finalised_before_it_ends(t):
    with pytest.raises(CaseError) as err:
        finalise(t, at=local(2026, 12, 31, 20))
    assert "2027-01-01" in err.value.message


def test_the_snapshot_is_not_changed_by_later_edits(t, q4):
    before = services.assess_period(town=t.town, months=Q4)
    row = finalise(t)
    assert row.snapshot["officers"][0]["total"] == str(before.officer(t.officer.pk).total)

    case_services.case_review(case=q4, by=t.office_user, quality="conforming", note="已补充")
    closed_locally(t, local(2026, 12, 1, 9))
    frozen = services.assess_period(town=t.town, months=Q4)
    live = services.assess_period(town=t.town, months=Q4, live=True)
    assert frozen.as_dict() == before.as_dict()
    assert frozen.status == "finalised" and not frozen.provisional
    assert live.officer(t.officer.pk).total > before.officer(t.officer.pk).total
    # A month of a finalised quarter comes from the snapshot too.
    november = services.assess_period(town=t.town, months=["2026-11"])
    [month] = november.officer(t.officer.pk).months
    assert month.nonconforming == 1


def test_two_clicks_on_finalise_give_one_success_and_one_conflict(t):
    finalise(t)
    with pytest.raises(Conflict) as err:
        finalise(t)
    assert "已定稿" in err.value.message
    assert AssessmentEvent.objects.filter(action="finalise").count() == 1


def test_only_the_governance_office_finalises_and_only_the_leader_approves(t):
    for user in (t.officer, t.leader, t.center_user):
        with pytest.raises(ActionNotAllowed):
            life.quarter_finalise(town=t.town, quarter="2026-Q4", by=user)
    with pytest.raises(CaseError) as err:
        life.quarter_approve(town=t.town, quarter="2026-Q4", by=t.leader)
    assert "尚未定稿" in err.value.message
    finalise(t)
    with pytest.raises(ActionNotAllowed):
        life.quarter_approve(town=t.town, quarter="2026-Q4", by=t.office_user)
    row = life.quarter_approve(town=t.town, quarter="2026-Q4", by=t.leader, note="同意")
    assert (row.status, row.approved_by) == ("approved", t.leader)
    with pytest.raises(Conflict):
        life.quarter_approve(town=t.town, quarter="2026-Q4", by=t.leader)
    assert services.assess_period(town=t.town, months=Q4).status == "approved"


def test_the_leader_can_send_a_finalised_quarter_back(t, q4):
    finalise(t)
    with pytest.raises(CaseError):
        life.quarter_reopen(town=t.town, quarter="2026-Q4", by=t.leader, reason="")
    row = life.quarter_reopen(town=t.town, quarter="2026-Q4", by=t.leader, reason="请复核11月")
    assert (row.status, row.snapshot) == ("draft", None)
    assert AssessmentEvent.objects.get(action="reopen").data["snapshot"]["period"] == "2026-Q4"
    assert services.assess_period(town=t.town, months=Q4).status == "draft"
    finalise(t)  # may be finalised again


def test_an_accepted_appeal_makes_the_case_conforming_and_is_on_its_timeline(t, q4):
    assert total_of(t) == Decimal("30.00") + Decimal("20.00") + Decimal("20.00")
    appeal = appeals.appeal_file(case=q4, by=t.officer, reason="起因已写明, 见附件")
    assert (appeal.status, appeal.status_at_filing, appeal.quarter) == (
        "pending",
        "nonconforming",
        "2026-Q4",
    )
    filed = TimelineEntry.objects.get(case=q4, action="appeal")
    assert (filed.actor, filed.note) == (t.officer, "起因已写明, 见附件")

    with pytest.raises(CaseError) as err:
        finalise(t)
    assert "申诉未处理" in err.value.message and q4.number in err.value.message

    appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=True, note="核实无误")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.override) == ("accepted", "conforming")
    decided = TimelineEntry.objects.get(case=q4, action="appeal_decided")
    assert decided.data == {"appeal": appeal.pk, "accepted": True, "override": "conforming"}

    result = services.assess_period(town=t.town, months=["2026-11"])
    [case] = result.officer(t.officer.pk).months[0].cases
    assert case.status == "quota"
    assert "申诉已采纳" in case.reason and "核实无误" in case.reason
    assert total_of(t) == Decimal("30.00") + Decimal("30.00") + Decimal("20.00")
    finalise(t)


def test_an_accepted_appeal_against_a_late_close_counts_it_on_time(t):
    late = closed_locally(t, local(2026, 10, 12, 9), close_at=local(2026, 10, 20, 9))
    appeal = appeals.appeal_file(case=late, by=t.officer, reason="19日系统故障无法结案")
    assert appeal.status_at_filing == "late"
    appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=True)
    result = services.assess_period(town=t.town, months=["2026-10"])
    [case] = result.officer(t.officer.pk).months[0].cases
    assert case.status == "quota"
    assert "按按时结案或上报计" in case.reason


def test_a_rejected_appeal_needs_a_reason_and_changes_nothing(t, q4):
    appeal = appeals.appeal_file(case=q4, by=t.officer, reason="不服")
    with pytest.raises(CaseError):
        appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=False)
    appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=False, note="起因确实不清")
    assert total_of(t) == Decimal("70.00")
    with pytest.raises(Conflict):
        appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=True)


def test_only_the_cases_officer_appeals_and_only_the_office_decides(t, q4):
    for user in (t.other_officer, t.office_user, t.station_user):
        with pytest.raises(ActionNotAllowed):
            appeals.appeal_file(case=q4, by=user, reason="不服")
    appeal = appeals.appeal_file(case=q4, by=t.officer, reason="不服")
    with pytest.raises(CaseError) as err:
        appeals.appeal_file(case=q4, by=t.officer, reason="再申诉")
    assert "待处理的申诉" in err.value.message
    for user in (t.officer, t.leader, t.center_user):
        with pytest.raises(ActionNotAllowed):
            appeals.appeal_decide(appeal=appeal, by=user, accept=True)
    assert Appeal.objects.get().status == "pending"


def test_no_appeal_once_the_quarter_is_finalised(t, q4):
    finalise(t)
    with pytest.raises(CaseError) as err:
        appeals.appeal_file(case=q4, by=t.officer, reason="不服")
    assert "已定稿" in err.value.message and "下一季度调整" in err.value.message
    assert not Appeal.objects.exists()


def test_an_adjustment_after_approval_is_carried_into_the_next_quarter(t, q4):
    finalise(t)
    with pytest.raises(CaseError) as err:
        adjustments.adjustment_add(
            town=t.town,
            officer=t.officer,
            quarter="2026-Q4",
            amount="10",
            reason="x",
            by=t.office_user,
        )
    assert "已审批" in err.value.message
    life.quarter_approve(town=t.town, quarter="2026-Q4", by=t.leader)
    with pytest.raises(ActionNotAllowed):
        adjustments.adjustment_add(
            town=t.town, officer=t.officer, quarter="2026-Q4", amount="10", reason="x", by=t.leader
        )
    with pytest.raises(CaseError):
        adjustments.adjustment_add(
            town=t.town,
            officer=t.officer,
            quarter="2026-Q4",
            amount="1.234",
            reason="x",
            by=t.office_user,
        )
    adjustment = adjustments.adjustment_add(
        town=t.town,
        officer=t.officer,
        quarter="2026-Q4",
        amount="10",
        reason="11月事件复核为合格, 补发扣款",
        by=t.office_user,
    )
    assert adjustment.applies_to == "2027-Q1"
    # The approved quarter itself does not change.
    assert total_of(t) == Decimal("70.00")

    q1 = services.assess_period(town=t.town, months=["2027-01", "2027-02", "2027-03"])
    officer = q1.officer(t.officer.pk)
    assert [(a.quarter, a.amount, a.reason) for a in officer.adjustments] == [
        ("2026-Q4", Decimal("10.00"), "11月事件复核为合格, 补发扣款")
    ]
    assert officer.total == sum(m.total for m in officer.months) + Decimal("10.00")
    data = officer.as_dict()
    assert data["adjustments"] == [
        {"quarter": "2026-Q4", "amount": "10.00", "reason": "11月事件复核为合格, 补发扣款"}
    ]
    # Only the quarter carries it, not its months on their own.
    assert (
        services.assess_period(town=t.town, months=["2027-01"]).officer(t.officer.pk).adjustments
        == ()
    )


def test_an_adjustment_skips_quarters_already_finalised(t, time_machine):
    finalise(t, quarter="2026-Q3")
    life.quarter_approve(town=t.town, quarter="2026-Q3", by=t.leader)
    finalise(t, quarter="2026-Q4")
    adjustment = adjustments.adjustment_add(
        town=t.town,
        officer=t.officer,
        quarter="2026-Q3",
        amount="-10",
        reason="重复计算",
        by=t.office_user,
    )
    assert adjustment.applies_to == "2027-Q1"


def test_the_status_says_when_finalising_becomes_possible(t):
    submitted(t, local(2026, 12, 30, 16))
    info = life.quarter_status(town=t.town, quarter="2026-Q4")
    assert (info.status, info.pending_appeals, info.row) == ("draft", 0, None)
    assert info.possible_from > life.finalise_possible_from(t.town, "2026-Q3")


def test_an_officer_who_left_still_receives_an_adjustment(t):
    finalise(t, quarter="2026-Q3")
    life.quarter_approve(town=t.town, quarter="2026-Q3", by=t.leader)
    adjustments.adjustment_add(
        town=t.town,
        officer=t.other_officer,
        quarter="2026-Q3",
        amount="25.50",
        reason="9月漏计一起上报",
        by=t.office_user,
    )
    Role.objects.filter(user=t.other_officer).update(active_until=date(2026, 9, 30))
    result = services.assess_period(town=t.town, months=Q4)
    gone = result.officer(t.other_officer.pk)
    assert gone.months == ()
    assert gone.total == Decimal("25.50")
    assert gone.village == "西村"
