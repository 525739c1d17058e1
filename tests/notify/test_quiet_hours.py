"""Quiet hours: nothing pushed between 22:00 and 07:00 local unless the case is major."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from gridcase.cases import services
from gridcase.notify import delivery, quiet
from gridcase.notify.models import Delivery, InboxItem
from tests.factories import local, submitted_case

from .conftest import webhook_for

TZ = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("moment", "pushed_at"),
    [
        (local(2026, 10, 12, 21, 59), local(2026, 10, 12, 21, 59)),
        (local(2026, 10, 12, 22, 0), local(2026, 10, 13, 7, 0)),
        (local(2026, 10, 12, 22, 30), local(2026, 10, 13, 7, 0)),
        (local(2026, 10, 13, 3, 0), local(2026, 10, 13, 7, 0)),
        (local(2026, 10, 13, 6, 59), local(2026, 10, 13, 7, 0)),
        (local(2026, 10, 13, 7, 0), local(2026, 10, 13, 7, 0)),
    ],
)
def test_an_ordinary_push_waits_for_seven_oclock(moment, pushed_at):
    assert quiet.push_at(moment, TZ, major=False) == pushed_at
    assert quiet.push_at(moment, TZ, major=True) == moment


def test_quiet_hours_are_counted_in_the_towns_time_zone():
    # 08:00 in Shanghai is 06:00 in Urumqi: a town there still sleeps, until its own 07:00.
    moment = local(2026, 10, 13, 8, 0)
    assert not quiet.is_quiet(moment, TZ)
    assert quiet.is_quiet(moment, "Asia/Urumqi")
    assert quiet.push_at(moment, "Asia/Urumqi", major=False) == local(2026, 10, 13, 9, 0)


def escalate_at(t, moment, **overrides):
    case = submitted_case(t, local(2026, 10, 12, 9), **overrides)
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    with time_machine.travel(moment, tick=False):
        services.case_escalate(case=case, by=t.officer, note="夜间发现需村站协调")
    return case


def test_an_escalation_at_half_past_ten_is_pushed_at_seven(t, receiver):
    with time_machine.travel(local(2026, 10, 12, 9), tick=False):
        webhook_for(t.station, receiver)
        escalate_at(t, local(2026, 10, 12, 22, 30))
    d = Delivery.objects.get()
    assert d.next_attempt_at == local(2026, 10, 13, 7, 0)
    # The inbox is not a push: the station sees it at once.
    assert InboxItem.objects.filter(user=t.station_user).count() == 1
    for moment in (local(2026, 10, 12, 22, 31), local(2026, 10, 13, 6, 59)):
        with time_machine.travel(moment, tick=False):
            assert delivery.deliver_due() == {}
            assert delivery.deliver(d.pk) == "deferred"
    assert receiver.requests == []
    with time_machine.travel(local(2026, 10, 13, 7, 0, 30), tick=False):
        assert delivery.deliver_due() == {"sent": 1}
    assert len(receiver.requests) == 1


def test_a_major_case_is_pushed_at_once_at_night(t, receiver):
    with time_machine.travel(local(2026, 10, 12, 9), tick=False):
        webhook_for(t.station, receiver)
        escalate_at(t, local(2026, 10, 12, 22, 30), major=True)
    with time_machine.travel(local(2026, 10, 12, 22, 30, 5), tick=False):
        assert delivery.deliver_due() == {"sent": 1}
    assert receiver.requests[0].json()["major"] is True


def test_a_retry_that_falls_in_the_quiet_hours_waits_for_seven(t, receiver):
    receiver.status = 503
    with time_machine.travel(local(2026, 10, 12, 9), tick=False):
        webhook_for(t.station, receiver)
        escalate_at(t, local(2026, 10, 12, 21, 59, 30))
    with time_machine.travel(local(2026, 10, 12, 21, 59, 40), tick=False):
        assert delivery.deliver_due() == {"retry": 1}
    assert Delivery.objects.get().next_attempt_at == local(2026, 10, 13, 7, 0)
    receiver.status = 200
    with time_machine.travel(local(2026, 10, 13, 7, 1), tick=False):
        assert delivery.deliver_due() == {"sent": 1}


def test_a_yellow_warning_found_at_midnight_is_pushed_in_the_morning(t, receiver):
    from gridcase.notify import schedule

    with time_machine.travel(local(2026, 9, 28, 9), tick=False):
        webhook_for(t.station, receiver)
        case = submitted_case(t, local(2026, 9, 28, 9))
        services.case_accept(case=case, by=t.officer)
        services.case_escalate(case=case, by=t.officer, note="需村站协调")
        assert delivery.deliver_due() == {"sent": 1}  # the escalation itself
    assert case.accept_due.isoformat() == "2026-09-30"
    with time_machine.travel(local(2026, 9, 29, 0, 0), tick=False):
        schedule.scan()
        assert delivery.deliver_due() == {}
    d = Delivery.objects.get(notification__kind="yellow")
    assert d.next_attempt_at == local(2026, 9, 29, 7, 0)
    with time_machine.travel(local(2026, 9, 29, 7, 0) + timedelta(seconds=5), tick=False):
        assert delivery.deliver_due() == {"sent": 1}
