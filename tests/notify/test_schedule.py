"""The schedule across holidays: each warning on the right working day, once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from gridcase.cases import services
from gridcase.notify import schedule
from gridcase.notify.models import DigestSent, Notification, SentWarning
from tests.factories import CLOSE_DISPUTE, local, submitted_case


def days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def run_scans(first: date, last: date, hours=(0, 23)) -> None:
    """The scan as the worker runs it: the first and the last run of every day, holidays
    included (the worker runs it every ten minutes in between)."""
    for day in days(first, last):
        for hour in hours:
            with time_machine.travel(local(day.year, day.month, day.day, hour, 5), tick=False):
                schedule.scan()


def warning_days(case, kind: str) -> list[date]:
    return [
        n.created_at.astimezone(local(2026, 1, 1).tzinfo).date()
        for n in Notification.objects.filter(case=case, kind=kind).order_by("id")
    ]


@pytest.mark.parametrize(
    ("submitted", "due", "yellow_on", "red_on"),
    [
        # Due on the working day before National Day: warned the day before, red on 1 Oct.
        (date(2026, 9, 28), date(2026, 9, 30), date(2026, 9, 29), date(2026, 10, 1)),
        # Due on the first working day after it: the next working day of 30 Sep is 8 Oct,
        # so the yellow warning comes before the holiday, and not again during it.
        (date(2026, 9, 29), date(2026, 10, 8), date(2026, 9, 30), date(2026, 10, 9)),
        # Mid-Autumn Friday 25 Sep is closed: due Mon 28 Sep is next after Thu 24 Sep.
        (date(2026, 9, 23), date(2026, 9, 28), date(2026, 9, 24), date(2026, 9, 29)),
        # Sun 20 Sep is a make-up working day: it counts, and it is the day of the warning.
        (date(2026, 9, 18), date(2026, 9, 21), date(2026, 9, 20), date(2026, 9, 22)),
    ],
)
def test_yellow_and_red_come_once_on_the_right_day(t, submitted, due, yellow_on, red_on):
    at = local(submitted.year, submitted.month, submitted.day, 9)
    with time_machine.travel(at, tick=False):
        case = submitted_case(t, at)
    assert case.accept_due == due
    run_scans(submitted, due + timedelta(days=3))
    assert warning_days(case, "yellow") == [yellow_on]
    assert warning_days(case, "red") == [red_on]


def test_warnings_go_to_the_handlers_and_red_also_to_the_supervisors(t):
    at = local(2026, 10, 12, 9)
    with time_machine.travel(at, tick=False):
        case = submitted_case(t, at)
        services.case_accept(case=case, by=t.officer)
        services.case_escalate(case=case, by=t.officer, note="需村站协调")
    run_scans(date(2026, 10, 12), date(2026, 10, 16), hours=(9,))
    yellow = Notification.objects.get(case=case, kind="yellow")
    red = Notification.objects.get(case=case, kind="red")
    assert {i.user.username for i in yellow.inbox_items.all()} == {"station"}
    assert {i.user.username for i in red.inbox_items.all()} == {"station", "center"}
    assert yellow.title.startswith(f"【即将到期】{case.number} 受理期限为2026年10月14日")
    assert red.title == f"【已超期】{case.number} 受理期限2026年10月14日(星期三)已过,请立即办理"


def test_an_extension_gives_a_new_deadline_that_warns_again(t):
    at = local(2026, 10, 12, 9)
    with time_machine.travel(at, tick=False):
        case = submitted_case(t, at)
        services.case_accept(case=case, by=t.officer)
        services.case_escalate(case=case, by=t.officer, note="需协调")
        services.case_accept(case=case, by=t.station_user)
        services.case_escalate(case=case, by=t.station_user, note="需镇处理")
        services.case_accept(case=case, by=t.center_user)
        services.case_dispatch(case=case, by=t.center_user, department=t.department)
        services.case_accept(case=case, by=t.department_user)
    assert case.handle_due == date(2026, 10, 19)
    run_scans(date(2026, 10, 12), date(2026, 10, 16), hours=(9,))
    assert warning_days(case, "yellow") == [date(2026, 10, 16)]
    with time_machine.travel(local(2026, 10, 16, 10), tick=False):
        request = services.case_request_extension(
            case=case, by=t.department_user, working_days=3, reason="需现场勘查"
        )
        services.case_decide_extension(request=request, by=t.center_user, approve=True)
    case.refresh_from_db()
    assert case.handle_due == date(2026, 10, 22)
    run_scans(date(2026, 10, 16), date(2026, 10, 26), hours=(9,))
    assert warning_days(case, "yellow") == [date(2026, 10, 16), date(2026, 10, 21)]
    assert warning_days(case, "red") == [date(2026, 10, 23)]
    assert set(SentWarning.objects.filter(case=case).values_list("kind", "due")) == {
        ("yellow", date(2026, 10, 19)),
        ("yellow", date(2026, 10, 22)),
        ("red", date(2026, 10, 22)),
    }


def test_a_closed_case_is_not_warned(t):
    at = local(2026, 10, 12, 9)
    with time_machine.travel(at, tick=False):
        case = submitted_case(t, at)
        services.case_accept(case=case, by=t.officer)
        services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE)
    run_scans(date(2026, 10, 12), date(2026, 10, 20), hours=(9,))
    assert not Notification.objects.filter(kind__in=["yellow", "red"]).exists()


def closed_dispute(t, at: datetime):
    with time_machine.travel(at, tick=False):
        case = submitted_case(t, at)
        services.case_accept(case=case, by=t.officer)
        return services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE)


def test_a_follow_up_is_reminded_when_due_and_once_more_when_overdue(t):
    case = closed_dispute(t, local(2026, 9, 21, 9))
    # 10 working days after Mon 21 Sep, across Mid-Autumn and National Day.
    assert case.follow_up_due == date(2026, 10, 12)
    run_scans(date(2026, 9, 21), date(2026, 10, 20), hours=(9,))
    # The next working day of Sat 10 Oct (a make-up day) is Mon 12 Oct.
    assert warning_days(case, "follow_up_due") == [date(2026, 10, 10)]
    assert warning_days(case, "follow_up_overdue") == [date(2026, 10, 13)]
    n = Notification.objects.get(case=case, kind="follow_up_due")
    assert {i.user.username for i in n.inbox_items.all()} == {"officer"}
    assert n.title == f"【回访提醒】{case.number} 请于2026年10月12日(星期一)前完成回访"


def test_a_visited_case_needs_no_follow_up_reminder(t):
    case = closed_dispute(t, local(2026, 9, 21, 9))
    with time_machine.travel(local(2026, 9, 28, 9), tick=False):
        services.case_follow_up(
            case=case, by=t.officer, visited_on=date(2026, 9, 28), method="phone", satisfied=True
        )
    run_scans(date(2026, 9, 28), date(2026, 10, 20), hours=(9,))
    assert not Notification.objects.filter(kind__startswith="follow_up").exists()


def test_the_morning_digest_comes_once_on_working_days_from_eight(t):
    with time_machine.travel(local(2026, 9, 28, 9), tick=False):
        late = submitted_case(t, local(2026, 9, 28, 9))  # due 30 Sep
    assert late.accept_due == date(2026, 9, 30)
    run_scans(date(2026, 10, 7), date(2026, 10, 9), hours=(7, 8, 9, 12))
    digests = Notification.objects.filter(kind="digest").order_by("id")
    # 7 Oct is a holiday; 8 and 9 Oct are working days: one digest each, from 08:00.
    assert [d.created_at.astimezone(local(2026, 1, 1).tzinfo).hour for d in digests] == [8, 8]
    assert list(DigestSent.objects.values_list("day", flat=True).order_by("day")) == [
        date(2026, 10, 8),
        date(2026, 10, 9),
    ]
    first = digests[0]
    assert first.title == "【每日汇总】长塘镇 2026年10月8日(星期四)"
    assert "超期事件共 1 件:" in first.body
    assert "· 网格:东村 1 件" in first.body
    assert {i.user.username for i in first.inbox_items.all()} == {"office", "center"}


def test_two_scans_at_the_same_time_send_each_warning_once(t):
    at = local(2026, 9, 29, 9)
    with time_machine.travel(at, tick=False):
        case = submitted_case(t, local(2026, 9, 28, 9))
        schedule.scan()
        schedule.scan()
    assert Notification.objects.filter(case=case, kind="yellow").count() == 1


def test_the_calendar_is_loaded_once_per_town_per_scan(t, other_town, monkeypatch):
    # The scan's town day comes from cases.deadlines (the one home of a town's today and
    # calendar); counted from after the cases are submitted, so only the scan's loads count.
    from gridcase.cases import deadlines as module

    calls = []
    real = module.calendar_for

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    with time_machine.travel(local(2026, 9, 29, 9), tick=False):
        for _ in range(3):
            submitted_case(t, local(2026, 9, 28, 9))
        monkeypatch.setattr(module, "calendar_for", counting)
        schedule.scan()
    assert sorted(c[0] for c in calls) == sorted([t.town.id, other_town.town.id])
    assert Notification.objects.filter(kind="yellow").count() == 3


def test_a_scan_of_many_cases_asks_the_database_a_bounded_number_of_times(
    t, django_assert_max_num_queries
):
    with time_machine.travel(local(2026, 9, 29, 9), tick=False):
        for _ in range(6):
            submitted_case(t, local(2026, 9, 28, 9))
        schedule.scan()  # the first run sends six warnings
        assert Notification.objects.filter(kind="yellow").count() == 6
        # A run with nothing new to send costs a few queries, whatever the number of cases.
        with django_assert_max_num_queries(5):
            schedule.scan()
