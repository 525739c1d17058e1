"""Issue 14: everyone who must act, or whose deadline starts, is told — in the inbox and through
a channel (a real HTTP receiver on 127.0.0.1), with a link to where they act."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gridcase.assessment import appeals
from gridcase.assessment import quarter as life
from gridcase.cases import services
from gridcase.cases.deadlines import town_clock
from gridcase.notify import delivery
from gridcase.notify.channels import webhook
from gridcase.notify.messages import day_label
from gridcase.notify.models import Delivery, InboxItem, Notification
from gridcase.org.models import Role
from tests.assessment.builders import CLOSE_PLAIN, closed_locally, submitted
from tests.factories import CLOSE_DISPUTE, local, make_user

from .conftest import WEBHOOK_SECRET, webhook_for

Q4 = "2026-Q4"
NOW = local(2027, 3, 1, 9)  # after every Q4 deadline: the quarter may be finalised


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def told(notification: Notification) -> set[str]:
    return {i.user.username for i in notification.inbox_items.select_related("user")}


def last(kind: str) -> Notification:
    return Notification.objects.filter(kind=kind).latest("id")


def pushed(receiver) -> list[dict]:
    """Send what is due and return what the receiver got, each checked as a receiver would."""
    delivery.deliver_due()
    bodies = []
    for request in receiver.requests:
        assert webhook.verify(
            WEBHOOK_SECRET,
            body=request.body,
            timestamp=request.headers["X-Gridcase-Timestamp"],
            signature_header=request.headers["X-Gridcase-Signature"],
        )
        bodies.append(request.json())
    return bodies


def handling_at_village(t, at, category="dispute"):
    """A case the officer sent to the village station, which accepted it."""
    case = submitted(t, at, category=category)
    services.case_accept(case=case, by=t.officer, at=at + timedelta(minutes=5))
    services.case_escalate(
        case=case, by=t.officer, note="需村站协调", at=at + timedelta(minutes=10)
    )
    services.case_accept(case=case, by=t.station_user, at=at + timedelta(minutes=20))
    return case


# ---------------------------------------------------------------- a case closed above the grid


def test_a_dispute_closed_by_the_village_tells_its_officer_the_follow_up_deadline(t, receiver):
    case = handling_at_village(t, local(2027, 2, 25, 9))
    webhook_for(t.station, receiver)
    services.case_close(case=case, by=t.station_user, data=CLOSE_DISPUTE)
    n = last("close")
    # The deadline is the one the close set (cases.deadlines), not one computed here.
    assert case.follow_up_due == town_clock(t.town, NOW).follow_up_due(NOW)
    due = day_label(case.follow_up_due)
    assert told(n) == {"officer"}  # not the station user who closed it
    assert n.case == case
    assert n.title == f"【事件结案】{case.number} 已由村社会服务管理站结案,请于{due}前完成回访"
    assert f"回访期限:{due}" in n.body
    assert "处理结果:双方同意按原界线重建围墙" in n.body
    assert n.link.endswith(f"/cases/{case.number}/")
    [sent] = pushed(receiver)
    assert (sent["kind"], sent["id"], sent["title"]) == ("close", str(n.uid), n.title)
    assert sent["link"] == n.link
    assert receiver.requests[0].headers["X-Gridcase-Event"] == "close"


def test_a_case_closed_by_the_town_center_tells_the_officer(t, receiver):
    case = handling_at_village(t, local(2027, 2, 24, 9), category="security_hazard")
    services.case_escalate(case=case, by=t.station_user, note="村级无法处理")
    services.case_accept(case=case, by=t.center_user)
    webhook_for(t.station, receiver)
    webhook_for(t.center, receiver, "/center")
    services.case_close(case=case, by=t.center_user, data=CLOSE_PLAIN)
    n = last("close")
    assert told(n) == {"officer"}
    # No follow-up is owed for a hazard: the message says closed, and no deadline.
    assert n.title == f"【事件结案】{case.number} 已由镇社会服务管理中心结案"
    assert "回访" not in n.body
    # The officer's push goes through the village station's channel, not the center's.
    assert [r["kind"] for r in pushed(receiver)] == ["close"]
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_an_officer_closing_their_own_case_is_not_told(t):
    closed_locally(t, local(2027, 2, 26, 9), category="dispute")
    assert not Notification.objects.filter(kind="close").exists()


def test_only_the_officers_of_the_case_hear_of_its_close(t, other_town):
    case = handling_at_village(t, local(2027, 2, 25, 9))
    services.case_close(case=case, by=t.station_user, data=CLOSE_DISPUTE)
    assert told(last("close")) == {"officer"}  # not other_officer (another village)
    assert not InboxItem.objects.filter(user__town=other_town.town).exists()


# ---------------------------------------------------------------- appeals


@pytest.fixture
def q4_case(t):
    return closed_locally(t, local(2026, 11, 10, 9))


def test_an_appeal_tells_the_office_with_a_link_to_the_appeal_list(
    t, other_town, q4_case, receiver
):
    webhook_for(t.office, receiver)
    webhook_for(other_town.office, receiver, "/other")
    appeals.appeal_file(case=q4_case, by=t.officer, reason="已按时结案,应计奖励")
    n = last("appeal_filed")
    assert told(n) == {"office"}
    assert n.case == q4_case
    assert n.title == (
        f"【申诉待处理】{q4_case.number} 网格专管员对考核结果提出申诉,请在定稿前处理"
    )
    assert f"季度:{Q4}" in n.body and "申诉理由:已按时结案,应计奖励" in n.body
    assert "申诉人:officer" in n.body
    assert n.link.endswith(f"/assessment/{Q4}/appeals/")
    [sent] = pushed(receiver)
    assert (sent["kind"], sent["link"]) == ("appeal_filed", n.link)
    assert [r.path for r in receiver.requests] == ["/hook"]  # not the other town's office


def test_an_appeal_on_a_major_case_waits_for_the_morning(t, receiver, time_machine):
    webhook_for(t.office, receiver)
    case = closed_locally(t, local(2026, 11, 10, 9), category="dispute", major=True)
    time_machine.move_to(local(2027, 3, 1, 23), tick=False)
    appeals.appeal_file(case=case, by=t.officer, reason="应计重大奖励")
    n = last("appeal_filed")
    assert told(n) == {"office"}  # the inbox at once
    assert not n.major
    assert n.deliveries.get().next_attempt_at == local(2027, 3, 2, 7)


def test_the_decision_on_an_appeal_tells_the_officer_who_filed_it(t, q4_case, receiver):
    webhook_for(t.office, receiver)
    appeal = appeals.appeal_file(case=q4_case, by=t.officer, reason="应计奖励")
    appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=False, note="按规定计入")
    n = last("appeal_decided")
    assert told(n) == {"officer"}
    assert "处理结果:未采纳" in n.body and q4_case.number in n.body
    assert n.link.endswith(f"/assessment/{Q4}/officers/{t.officer.pk}/")
    # Pay is personal: the decision is not pushed to the office's group (it took it).
    assert not n.deliveries.exists()
    assert [r["kind"] for r in pushed(receiver)] == ["appeal_filed"]


# ---------------------------------------------------------------- the quarter


def test_a_finalised_quarter_tells_the_leader_and_the_office(t, q4_case, receiver):
    colleague = make_user("office2", t.town, "governance_office", unit=t.office)
    webhook_for(t.office, receiver)
    life.quarter_finalise(town=t.town, quarter=Q4, by=t.office_user)
    n = last("quarter_ready")
    assert told(n) == {"leader", colleague.username}
    assert n.link.endswith(f"/assessment/{Q4}/")
    assert [r["kind"] for r in pushed(receiver)] == ["quarter_ready"]


def test_an_approved_quarter_tells_the_office_and_every_officer_in_force(
    t, other_town, q4_case, receiver
):
    retired = make_user("retired", t.town, "officer", village=t.village)
    Role.objects.filter(user=retired).update(active_until=date(2027, 2, 28))
    webhook_for(t.office, receiver)
    webhook_for(t.station, receiver, "/station")
    life.quarter_finalise(town=t.town, quarter=Q4, by=t.office_user)
    life.quarter_approve(town=t.town, quarter=Q4, by=t.leader, note="同意")
    n = last("quarter_approved")
    # Not the leader who approved, nor an officer whose role has ended, nor another town.
    assert told(n) == {"office", "officer", "other_officer"}
    assert n.title == f"【考核已审批】长塘镇 {Q4} 考核结果已审批"
    assert "审批意见:同意" in n.body and "操作人:leader" in n.body
    assert n.link.endswith(f"/assessment/?period={Q4}")
    assert [r.path for r in receiver.requests] == []
    assert [r["kind"] for r in pushed(receiver)] == ["quarter_ready", "quarter_approved"]
    assert {r.path for r in receiver.requests} == {"/hook"}  # the office's channel only


def test_a_quarter_sent_back_tells_the_office_and_the_officers(t, q4_case, receiver):
    webhook_for(t.office, receiver)
    life.quarter_finalise(town=t.town, quarter=Q4, by=t.office_user)
    life.quarter_reopen(town=t.town, quarter=Q4, by=t.leader, reason="请复核11月")
    n = last("quarter_reopened")
    assert told(n) == {"office", "officer", "other_officer"}
    assert n.title == f"【考核退回】长塘镇 {Q4} 考核结果被退回,请综治办更正后重新定稿"
    assert "退回原因:请复核11月" in n.body
    assert "可以对本季度事件的考核结果申诉" in n.body
    sent = pushed(receiver)
    assert [r["kind"] for r in sent] == ["quarter_ready", "quarter_reopened"]
    assert sent[1]["link"] == n.link


def test_a_quarter_approved_at_night_is_in_the_inbox_at_once_and_pushed_at_seven(
    t, q4_case, receiver, time_machine
):
    webhook_for(t.office, receiver)
    life.quarter_finalise(town=t.town, quarter=Q4, by=t.office_user)
    pushed(receiver)
    time_machine.move_to(local(2027, 3, 1, 22, 30), tick=False)
    life.quarter_approve(town=t.town, quarter=Q4, by=t.leader)
    n = last("quarter_approved")
    assert "officer" in told(n)
    assert delivery.deliver_due() == {}
    assert Delivery.objects.get(notification=n).next_attempt_at == local(2027, 3, 2, 7)
    time_machine.move_to(local(2027, 3, 2, 7), tick=False)
    assert delivery.deliver_due() == {"sent": 1}
