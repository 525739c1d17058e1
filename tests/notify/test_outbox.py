"""The outbox: who is told of each case action, in the action's own transaction."""

from __future__ import annotations

import pytest
import time_machine
from django.db import transaction

from gridcase.cases import services
from gridcase.cases.errors import CaseError
from gridcase.cases.models import TimelineEntry
from gridcase.cases.signals import case_event
from gridcase.notify import outbox, recipients, selectors
from gridcase.notify.models import Delivery, InboxItem, Notification
from tests.factories import local, submitted_case

from .conftest import webhook_for


def inbox_users(notification) -> set[str]:
    return {i.user.username for i in notification.inbox_items.select_related("user")}


def at_village(t, at):
    case = submitted_case(t, at)
    services.case_accept(case=case, by=t.officer, at=at)
    services.case_escalate(case=case, by=t.officer, note="需村站协调", at=at)
    return case


def at_town(t, at):
    case = at_village(t, at)
    services.case_accept(case=case, by=t.station_user, at=at)
    services.case_escalate(case=case, by=t.station_user, note="村级无法处理", at=at)
    return case


def at_department(t, at):
    case = at_town(t, at)
    services.case_accept(case=case, by=t.center_user, at=at)
    services.case_dispatch(case=case, by=t.center_user, department=t.department, at=at)
    services.case_accept(case=case, by=t.department_user, at=at)
    return case


def last(kind: str) -> Notification:
    return Notification.objects.filter(kind=kind).latest("id")


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_escalation_to_the_village_tells_the_village_station_only(t, receiver):
    webhook_for(t.station, receiver)
    webhook_for(t.center, receiver, "/center")
    case = at_village(t, local(2026, 10, 12, 11))
    n = last("escalate")
    assert n.case == case
    assert inbox_users(n) == {"station"}
    assert [d.channel.unit for d in n.deliveries.all()] == [t.station]
    assert n.title == f"【事件上报】{case.number} 已上报至村社会服务管理站,请及时受理"


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_escalation_to_the_town_tells_the_town_center(t, receiver):
    webhook_for(t.center, receiver)
    at_town(t, local(2026, 10, 12, 11))
    n = last("escalate")
    assert inbox_users(n) == {"center"}
    assert n.deliveries.get().channel.unit == t.center
    assert "上报理由:村级无法处理" in n.body


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_dispatch_tells_the_department_and_its_report_tells_the_center(t):
    case = at_department(t, local(2026, 10, 12, 11))
    assert inbox_users(last("dispatch")) == {"department"}
    services.case_report(case=case, by=t.department_user, result="已调解")
    report = last("report")
    assert inbox_users(report) == {"center"}
    assert "处理结果:已调解" in report.body


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_a_return_tells_the_level_below(t):
    case = at_town(t, local(2026, 10, 12, 11))
    services.case_return(case=case, by=t.center_user, reason="请村站先行调解")
    n = last("return")
    assert inbox_users(n) == {"station"}
    assert "退回原因:请村站先行调解" in n.body
    services.case_return(case=case, by=t.station_user, reason="请网格员补充材料")
    assert inbox_users(last("return")) == {"officer"}


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_urging_tells_the_handlers_at_the_case_level(t):
    case = at_village(t, local(2026, 10, 12, 11))
    services.case_urge(case=case, by=t.center_user, note="今天务必受理")
    n = last("urge")
    assert inbox_users(n) == {"station"}
    assert "督办意见:今天务必受理" in n.body


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_an_extension_request_goes_to_the_center_and_its_decision_to_the_requester(t):
    case = at_department(t, local(2026, 10, 12, 11))
    request = services.case_request_extension(
        case=case, by=t.department_user, working_days=3, reason="需现场勘查"
    )
    assert inbox_users(last("extension_requested")) == {"center"}
    services.case_decide_extension(request=request, by=t.center_user, approve=True, note="同意")
    n = last("extension_decided")
    assert inbox_users(n) == {"department"}
    case.refresh_from_db()
    assert "延期申请已批准" in n.title
    assert "新的办结期限:2026年10月22日(星期四)" in n.body
    assert case.handle_due.isoformat() == "2026-10-22"


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_the_actor_is_not_told_of_their_own_action(t):
    case = at_village(t, local(2026, 10, 12, 11))
    # The station user urges nobody but the officer at grid level; here: a village case
    # urged by someone who is also a station user of the village.
    from gridcase.org.models import Role

    Role.objects.create(user=t.center_user, town=t.town, kind="village_station", village=t.village)
    services.case_urge(case=case, by=t.center_user, note="请受理")
    assert inbox_users(last("urge")) == {"station"}


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_people_whose_role_has_ended_are_not_told(t):
    from datetime import date

    from gridcase.org.models import Role

    Role.objects.filter(user=t.station_user).update(active_until=date(2026, 9, 30))
    at_village(t, local(2026, 10, 12, 11))
    assert inbox_users(last("escalate")) == set()


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_a_failing_action_leaves_no_notification(t, receiver, django_capture_on_commit_callbacks):
    webhook_for(t.station, receiver)
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer)

    def later_step_fails(sender, action, **kwargs):
        if action == "escalate":
            raise RuntimeError("a later step of the action failed")

    case_event.connect(later_step_fails, dispatch_uid="test-fail")
    try:
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
            services.case_escalate(case=case, by=t.officer, note="需村站协调")
    finally:
        case_event.disconnect(dispatch_uid="test-fail")
    assert not Notification.objects.exists()
    assert not InboxItem.objects.exists()
    assert not Delivery.objects.exists()
    assert not TimelineEntry.objects.filter(action="escalate").exists()
    assert callbacks == []
    case.refresh_from_db()
    assert case.level == "grid"


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_a_refused_action_writes_no_notification(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer)
    with pytest.raises(CaseError):
        services.case_escalate(case=case, by=t.officer, note="")
    assert not Notification.objects.exists()


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_deliveries_are_enqueued_only_after_commit(t, receiver, django_capture_on_commit_callbacks):
    webhook_for(t.station, receiver)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        at_village(t, local(2026, 10, 12, 11))
        assert receiver.requests == []
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: Huey runs the task at once in tests
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == "sent"


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_a_queue_that_is_down_loses_nothing(t, receiver, monkeypatch):
    from gridcase.notify import delivery, tasks

    def broken(delivery_id):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "deliver_task", broken)
    webhook_for(t.station, receiver)
    at_village(t, local(2026, 10, 12, 11))
    outbox.enqueue(list(Delivery.objects.values_list("id", flat=True)))  # logs, no raise
    assert Delivery.objects.get().status == "pending"
    assert delivery.deliver_due() == {"sent": 1}
    assert len(receiver.requests) == 1


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_emit_for_the_assessment_tells_the_leader_and_office(t, receiver):
    webhook_for(t.office, receiver)
    finder = recipients.Finder(t.town, local(2026, 10, 12, 11).date())
    with transaction.atomic():
        n = outbox.emit(
            town=t.town,
            kind="quarter_ready",
            recipients=finder.leaders() | finder.office(),
            context={"quarter": "2026-Q3", "link": "/assessment/2026-Q3/"},
        )
    assert inbox_users(n) == {"leader", "office"}
    assert n.title == "【考核待审批】长塘镇 2026-Q3 考核结果已定稿,请审批"
    assert n.link.endswith("/assessment/2026-Q3/")
    assert n.deliveries.get().channel.unit == t.office


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_a_notification_that_reaches_nobody_is_shown_to_the_administrator(t):
    with transaction.atomic():
        n = outbox.emit(town=t.town, kind="quarter_ready", recipients=recipients.NOBODY, context={})
    assert list(selectors.undeliverable_notifications(t.admin_user)) == [n]


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_submitting_and_accepting_tell_nobody(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer)
    assert not Notification.objects.exists()


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_the_officer_hears_of_a_nonconforming_review_and_of_a_void_by_others(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_review(case=case, by=t.office_user, quality="nonconforming", note="缺少照片")
    n = last("review")
    assert inbox_users(n) == {"officer"}
    assert "不合格原因:缺少照片" in n.body
    services.case_review(case=case, by=t.office_user, quality="conforming")
    assert Notification.objects.filter(kind="review").count() == 1
    services.case_void(case=case, by=t.center_user, reason="重复录入")
    assert inbox_users(last("void")) == {"officer"}
    other = submitted_case(t, local(2026, 10, 12, 9))
    services.case_void(case=other, by=t.officer, reason="录入错误")
    assert Notification.objects.filter(kind="void").count() == 1
