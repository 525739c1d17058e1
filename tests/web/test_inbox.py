"""The in-app inbox page and the header's unread count."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from gridcase.cases import services as case_services
from gridcase.notify import outbox, recipients
from gridcase.notify.models import InboxItem
from gridcase.web.context_processors import inbox as inbox_context
from tests.factories import local, submitted_case

pytestmark = pytest.mark.django_db


def escalated(t, hour: int):
    """A case the officer sends to the village station: the station's people are told."""
    case = submitted_case(t, local(2026, 10, 13, hour))
    case_services.case_accept(case=case, by=t.officer, at=local(2026, 10, 13, hour, 5))
    case_services.case_escalate(
        case=case, by=t.officer, note="需村站协调", at=local(2026, 10, 13, hour, 10)
    )
    return case


@pytest.fixture
def three(t, frozen):
    return [escalated(t, hour) for hour in (8, 9, 10)]


def items_of(user):
    return list(InboxItem.objects.filter(user=user).order_by("-created_at", "-id"))


def html(response) -> str:
    return response.content.decode()


def test_the_inbox_lists_newest_first_with_unread_in_bold_and_links_to_the_case(login, t, three):
    response = login(t.station_user).get("/inbox/")
    assert response.status_code == 200
    numbers = [r["notification"].case.number for r in response.context["rows"]]
    assert numbers == [c.number for c in reversed(three)]
    page = html(response)
    assert page.count('<strong class="inbox-title">') == 3
    for item in items_of(t.station_user):
        assert f'href="/inbox/{item.pk}/open/"' in page
    assert three[0].number in page


def test_the_header_shows_the_unread_count_on_every_page(login, t, three):
    client = login(t.station_user)
    for url in ("/", "/cases/", "/inbox/"):
        page = html(client.get(url))
        assert 'href="/inbox/"' in page
        assert 'title="未读">3</span>' in page, url
    # The case page reads its own message before the header counts.
    page = html(client.get(f"/cases/{three[0].number}/"))
    assert 'title="未读">2</span>' in page
    # Nothing unread: the link without a number.
    page = html(login(t.center_user).get("/"))
    assert 'href="/inbox/"' in page and 'title="未读">' not in page


def test_marking_one_read_keeps_the_list_as_it_was(login, t, three):
    client = login(t.station_user)
    item = items_of(t.station_user)[1]
    response = client.post(f"/inbox/{item.pk}/read/", {"unread": "1", "page": "1"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?unread=1"
    item.refresh_from_db()
    assert item.read_at is not None
    response = client.get("/inbox/?unread=1")
    assert [r["item"].pk for r in response.context["rows"]] == [
        i.pk for i in items_of(t.station_user) if i.pk != item.pk
    ]
    page = html(client.get("/inbox/"))
    assert page.count('<strong class="inbox-title">') == 2
    assert 'title="未读">2</span>' in page


def test_marking_all_read(login, t, three):
    client = login(t.station_user)
    response = client.post("/inbox/read-all/", follow=True)
    assert "已将 3 条消息标为已读" in html(response)
    assert not InboxItem.objects.filter(user=t.station_user, read_at__isnull=True).exists()
    response = client.post("/inbox/read-all/", follow=True)
    assert "没有未读消息" in html(response)


def test_opening_a_case_from_the_inbox_reads_its_messages(login, t, three):
    case = three[0]
    case_services.case_urge(case=case, by=t.center_user, note="请尽快处理")
    mine = [i for i in items_of(t.station_user) if i.notification.case_id == case.pk]
    assert len(mine) == 2
    client = login(t.station_user)
    response = client.get(f"/inbox/{mine[0].pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    for item in mine:
        item.refresh_from_db()
        assert item.read_at is not None
    others = InboxItem.objects.filter(user=t.station_user, read_at__isnull=True)
    assert others.count() == 2  # the other cases' messages stay unread
    assert client.get(response["Location"]).status_code == 200


def test_a_message_without_a_case_opens_its_page_on_this_site(login, t, frozen):
    outbox.emit(
        town=t.town,
        kind="quarter_ready",
        recipients=recipients.people(users=[t.leader]),
        context={"quarter": "2026-Q3", "link": "/assessment/2026-Q3/"},
    )
    [item] = items_of(t.leader)
    response = login(t.leader).get(f"/inbox/{item.pk}/open/")
    assert response["Location"] == "/assessment/2026-Q3/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_another_persons_message_is_404_and_stays_unread(login, t, three):
    item = items_of(t.station_user)[0]
    client = login(t.center_user)
    assert client.post(f"/inbox/{item.pk}/read/").status_code == 404
    assert client.get(f"/inbox/{item.pk}/open/").status_code == 404
    client.post("/inbox/read-all/")
    item.refresh_from_db()
    assert item.read_at is None
    assert item.pk not in [r["item"].pk for r in client.get("/inbox/").context["rows"]]


def test_marking_read_needs_post(login, t, three):
    item = items_of(t.station_user)[0]
    client = login(t.station_user)
    assert client.get(f"/inbox/{item.pk}/read/").status_code == 405
    assert client.get("/inbox/read-all/").status_code == 405
    item.refresh_from_db()
    assert item.read_at is None


def test_the_inbox_needs_a_login(client, t):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_inbox_pages_and_costs_the_same_with_more_messages(
    login, t, three, django_assert_max_num_queries
):
    client = login(t.station_user)
    client.get("/inbox/")
    # session, user, roles, page count, the page's items (with notification and case),
    # the header's unread count
    with django_assert_max_num_queries(6):
        assert len(client.get("/inbox/").context["rows"]) == 3
    for hour in range(11, 20):
        escalated(t, hour)
    for _i in range(3):
        for hour in range(8, 20):
            escalated(t, hour)
    assert InboxItem.objects.filter(user=t.station_user).count() == 48
    with django_assert_max_num_queries(6):
        response = client.get("/inbox/")
    assert len(response.context["rows"]) == 30
    assert 'href="?page=2"' in html(response)
    with django_assert_max_num_queries(6):
        response = client.get("/inbox/?page=2")
    assert len(response.context["rows"]) == 18


def test_the_unread_count_costs_one_query_when_shown_and_none_otherwise(t, three):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as ctx:
        assert inbox_context(request) == {}
    assert len(ctx) == 0
    request.user = t.station_user
    with CaptureQueriesContext(connection) as ctx:
        context = inbox_context(request)
    assert len(ctx) == 0  # lazy: a redirect or a download never counts
    with CaptureQueriesContext(connection) as ctx:
        assert int(str(context["inbox_unread"])) == 3
        assert context["inbox_unread"]
    assert len(ctx) == 1
