"""Issue 14: a case opened by any way in (a robot's or an e-mail's link, not only the inbox)
reads its messages; a message opens the page where its reader acts."""

from __future__ import annotations

import pytest

from gridcase.assessment import appeals
from gridcase.cases import services
from gridcase.notify.models import InboxItem
from tests.assessment.builders import closed_locally
from tests.factories import local, make_user, submitted_case

NOW = local(2027, 3, 1, 9)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def escalated(t, hour: int):
    case = submitted_case(t, local(2027, 3, 1, hour))
    services.case_accept(case=case, by=t.officer)
    services.case_escalate(case=case, by=t.officer, note="需村站协调")
    return case


def unread(user) -> set[int]:
    return set(
        InboxItem.objects.filter(user=user, read_at__isnull=True).values_list(
            "notification__case_id", flat=True
        )
    )


def test_opening_a_case_page_from_a_link_reads_its_messages_only(client, t):
    colleague = make_user("station2", t.town, "village_station", village=t.village, unit=t.station)
    first, second = escalated(t, 7), escalated(t, 8)
    services.case_urge(case=first, by=t.center_user, note="请尽快处理")
    assert unread(t.station_user) == unread(colleague) == {first.pk, second.pk}
    client.force_login(t.station_user)
    page = client.get(f"/cases/{first.number}/")  # straight from a WeCom link
    assert page.status_code == 200
    assert unread(t.station_user) == {second.pk}
    assert not InboxItem.objects.filter(
        user=t.station_user, notification__case=first, read_at__isnull=True
    ).exists()
    # A colleague's messages about the same case stay unread: they have not opened it.
    assert unread(colleague) == {first.pk, second.pk}


def test_a_case_out_of_scope_reads_nothing(client, t):
    case = escalated(t, 7)
    client.force_login(t.other_station_user)
    assert client.get(f"/cases/{case.number}/").status_code == 404
    assert unread(t.station_user) == {case.pk}


def test_an_appeal_message_opens_the_appeal_list_and_reads_the_case(client, t):
    case = closed_locally(t, local(2026, 11, 10, 9))
    appeals.appeal_file(case=case, by=t.officer, reason="应计奖励")
    [item] = InboxItem.objects.filter(user=t.office_user)
    client.force_login(t.office_user)
    response = client.get(f"/inbox/{item.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/assessment/2026-Q4/appeals/"
    item.refresh_from_db()
    assert item.read_at is not None
    assert client.get(response["Location"]).status_code == 200


def test_a_quarter_message_opens_the_officers_own_statement(client, t):
    from gridcase.assessment import quarter as life

    closed_locally(t, local(2026, 11, 10, 9))
    life.quarter_finalise(town=t.town, quarter="2026-Q4", by=t.office_user)
    life.quarter_approve(town=t.town, quarter="2026-Q4", by=t.leader)
    [item] = InboxItem.objects.filter(user=t.officer, notification__kind="quarter_approved")
    client.force_login(t.officer)
    response = client.get(f"/inbox/{item.pk}/open/")
    assert response["Location"] == "/assessment/?period=2026-Q4"
    statement = client.get(response["Location"])
    assert statement["Location"] == f"/assessment/2026-Q4/officers/{t.officer.pk}/"
    assert client.get(statement["Location"]).status_code == 200
