"""The landing queues: each role sees the cases waiting at its level, by light and deadline."""

import re
from datetime import date
from html import unescape

import pytest

from gridcase.cases import filing, services
from gridcase.cases.deadlines import light_q
from gridcase.cases.models import Case
from gridcase.web import selectors as q
from tests.factories import CLOSE_DISPUTE, local, submitted_case

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    return [row["case"].number for row in response.context["rows"]]


def counts(response) -> dict[str, int]:
    return {tab.key: count for tab, count in response.context["tabs"] if tab.counted}


def test_login_page_is_chinese_and_lands_on_the_queue(client, t, frozen):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    page = client.get("/accounts/login/")
    assert "登录" in page.content.decode()
    response = client.post("/accounts/login/", {"username": "officer", "password": "pw"})
    assert response.status_code == 302 and response.url == "/start/"
    assert client.get("/start/").url == "/"  # an officer's start page is the queue
    assert client.get("/").status_code == 200


def test_wrong_password_is_said_in_chinese(client, t):
    response = client.post("/accounts/login/", {"username": "officer", "password": "nope"})
    assert response.status_code == 200
    assert "用户名" in response.content.decode() or "密码" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_officer_lands_on_cases_to_accept_sorted_by_light(login, t, frozen):
    # Due 8 Oct (red), due 15 Oct (yellow: the next working day), due 16 Oct (green).
    red = submitted_case(t, local(2026, 9, 29, 9))
    green = submitted_case(t, local(2026, 10, 14, 9))
    yellow = submitted_case(t, local(2026, 10, 13, 9))
    assert (red.accept_due, yellow.accept_due, green.accept_due) == (
        date(2026, 10, 8),
        date(2026, 10, 15),
        date(2026, 10, 16),
    )
    response = login(t.officer).get("/")
    assert response.context["tab"] == "accept"
    assert numbers(response) == [red.number, yellow.number, green.number]
    assert [row["light"] for row in response.context["rows"]] == ["red", "yellow", "green"]
    c = counts(response)
    assert (c["accept"], c["overdue"], c["due_soon"], c["handling"]) == (3, 1, 1, 0)
    # The late case says by how much, in working days: 9 Oct, Saturday 10 Oct (a working day
    # made up for the holiday), 12, 13 and 14 Oct.
    assert [row["late"] for row in response.context["rows"]] == [5, 0, 0]
    assert "逾期5个工作日" in response.content.decode()


def test_each_role_sees_what_waits_at_its_level(login, t, frozen):
    at_grid = submitted_case(t, local(2026, 10, 12, 9))
    at_village = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=at_village, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(
        case=at_village, by=t.officer, note="需村里协调", at=local(2026, 10, 12, 11)
    )
    at_town = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=at_town, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(
        case=at_town, by=t.officer, note="需村里协调", at=local(2026, 10, 12, 11)
    )
    services.case_accept(case=at_town, by=t.station_user, at=local(2026, 10, 12, 12))
    services.case_escalate(
        case=at_town, by=t.station_user, note="需镇里协调", at=local(2026, 10, 12, 13)
    )
    at_dept = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=at_dept, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=at_dept, by=t.officer, note="需村里", at=local(2026, 10, 12, 11))
    services.case_accept(case=at_dept, by=t.station_user, at=local(2026, 10, 12, 12))
    services.case_escalate(
        case=at_dept, by=t.station_user, note="需镇里", at=local(2026, 10, 12, 13)
    )
    services.case_accept(case=at_dept, by=t.center_user, at=local(2026, 10, 12, 14))
    services.case_dispatch(
        case=at_dept, by=t.center_user, department=t.department, at=local(2026, 10, 12, 15)
    )

    def accept_tab(user):
        return numbers(login(user).get("/?tab=accept"))

    assert accept_tab(t.officer) == [at_grid.number]
    assert accept_tab(t.station_user) == [at_village.number]
    assert accept_tab(t.center_user) == [at_town.number]
    assert accept_tab(t.department_user) == [at_dept.number]
    assert accept_tab(t.other_department_user) == []
    assert accept_tab(t.other_station_user) == []
    assert accept_tab(t.other_officer) == []
    assert sorted(accept_tab(t.office_user)) == sorted(
        c.number for c in (at_grid, at_village, at_town, at_dept)
    )


def test_returned_cases_are_in_the_returned_tab_until_acted_on(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村里", at=local(2026, 10, 12, 11))
    services.case_return(
        case=case, by=t.station_user, reason="网格可自行调解", at=local(2026, 10, 13, 9)
    )
    response = login(t.officer).get("/?tab=returned")
    assert numbers(response) == [case.number]
    assert counts(response)["returned"] == 1
    services.case_escalate(case=case, by=t.officer, note="确需村里", at=local(2026, 10, 13, 10))
    assert numbers(login(t.officer).get("/?tab=returned")) == []


def test_follow_ups_due_until_one_is_recorded(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 12, 11))
    response = login(t.officer).get("/?tab=follow_up")
    assert numbers(response) == [case.number]
    services.case_follow_up(
        case=case, by=t.officer, visited_on=date(2026, 10, 13), method="phone", satisfied=True
    )
    assert numbers(login(t.officer).get("/?tab=follow_up")) == []


def test_drafts_are_the_officers_own(login, t, frozen):
    draft = filing.case_create_draft(town=t.town, by=t.officer, data={"location": "东村"})
    assert numbers(login(t.officer).get("/?tab=drafts")) == [draft.number]
    assert "drafts" not in [tab.key for tab, _ in login(t.station_user).get("/").context["tabs"]]
    assert numbers(login(t.station_user).get("/?tab=all")) == []


def test_filters_and_search(login, t, frozen):
    a = submitted_case(t, local(2026, 10, 9, 9), location="东村桥头")  # due 13 Oct: red
    b = submitted_case(
        t,
        local(2026, 10, 13, 9),
        category="security_hazard",
        parties=[],
        major=True,
        persons="王五",
    )
    client = login(t.center_user)
    assert numbers(client.get("/cases/?q=桥头")) == [a.number]
    assert numbers(client.get("/cases/?q=张三")) == [a.number]  # a party's name
    assert numbers(client.get(f"/cases/?q={b.number}")) == [b.number]
    assert numbers(client.get("/cases/?category=security_hazard")) == [b.number]
    assert numbers(client.get("/cases/?major=yes")) == [b.number]
    assert numbers(client.get("/cases/?date_from=2026-10-13")) == [b.number]
    assert numbers(client.get("/cases/?date_to=2026-10-12")) == [a.number]
    assert numbers(client.get("/cases/?light=red")) == [a.number]
    assert numbers(client.get("/cases/?light=yellow")) == [b.number]  # due 15 Oct
    assert numbers(client.get("/cases/?light=green")) == []
    assert numbers(client.get(f"/cases/?village={t.other_village.pk}")) == []
    # A wrong value is shown next to its field, not an error page.
    response = client.get("/cases/?date_from=not-a-date")
    assert response.status_code == 200
    assert response.context["form"].errors["date_from"]
    assert len(numbers(response)) == 2


def test_other_towns_cases_never_appear(login, t, other_town, frozen):
    submitted_case(t, local(2026, 10, 12, 9))
    response = login(other_town.center_user).get("/cases/")
    assert numbers(response) == []
    assert sum(counts(response).values()) == 0


def link(response, text: str) -> str | None:
    """The href of the page's link with this text, as a browser would follow it."""
    for href, label in re.findall(
        r'<a[^>]*href="([^"]*)"[^>]*>\s*([^<]*)', response.content.decode()
    ):
        if label.strip().startswith(text):
            href = unescape(href)
            return href if href.startswith("/") else response.request["PATH_INFO"] + href
    return None


def test_keyset_pages_walk_every_case_once_in_both_directions(login, t, frozen, monkeypatch):
    monkeypatch.setattr("gridcase.web.views.queues.PAGE_SIZE", 4)
    made = [submitted_case(t, local(2026, 10, d, 9)) for d in (8, 9, 9, 12, 12, 12, 13, 13, 14)]
    client = login(t.officer)
    # Follow the rendered links, as a person does: the "待受理" tab, then "下一页".
    response = client.get(link(client.get("/cases/"), "待受理"))
    assert response.context["tab"] == "accept"
    seen, pages = [], []
    while True:
        pages.append(numbers(response))
        seen += numbers(response)
        url = link(response, "下一页")
        if url is None:
            break
        response = client.get(url)
    assert sorted(seen) == sorted(c.number for c in made) and len(seen) == len(set(seen))
    assert len(pages) == 3
    # Back from the last page gives the middle page again; "第一页" the first.
    assert numbers(client.get(link(response, "上一页"))) == pages[1]
    assert numbers(client.get(link(response, "第一页"))) == pages[0]
    # The all tab walks newest first.
    response = client.get("/cases/")
    assert numbers(response)[0] == made[-1].number


def test_tab_links_keep_the_filters(login, t, frozen):
    submitted_case(t, local(2026, 10, 12, 9))
    response = login(t.center_user).get("/cases/?category=dispute&q=x")
    href = link(response, "已超期")
    assert "category=dispute" in href and "q=x" in href and "tab=overdue" in href
    export = re.search(r'href="([^"]*export.xlsx[^"]*)"', response.content.decode()).group(1)
    assert unescape(export).startswith("/cases/export.xlsx?") and "category=dispute" in export


def test_queue_query_count_does_not_grow_with_rows(
    login, t, frozen, django_assert_num_queries, layout_queries
):
    for day in (8, 9, 12, 13):
        submitted_case(t, local(2026, 10, day, 9))
    client = login(t.officer)
    client.get("/")  # warm the process caches (the library calendar)
    # session, user, roles, calendar overrides, villages, the open tabs' counts, the
    # follow-up count, the draft count, the page's ids and its rows (web/keyset.py)
    with django_assert_num_queries(10 + layout_queries(t.officer)):
        response = client.get("/?tab=accept")
    assert len(response.context["rows"]) == 4
    for day in (8, 9, 12, 13):
        submitted_case(t, local(2026, 10, day, 10), location="别处")
    # A search reads the n-gram index once more first (cases.search.candidates_q).
    with django_assert_num_queries(11 + layout_queries(t.officer)):
        response = client.get("/?tab=accept&q=别处")
    assert len(response.context["rows"]) == 4


def test_light_filter_matches_the_light_shown(t, frozen):
    for d in (8, 12, 13, 14):
        submitted_case(t, local(2026, 10, d, 9))
    days = q.user_days(t.officer)
    by_town = {day.town_id: day for day in days}
    for light in ("red", "yellow", "green"):
        cases = Case.objects.filter(light_q(light, days)).select_related("town")
        assert cases and all(by_town[c.town_id].case_light(c) == light for c in cases)


def test_light_of_scoped_cases_names_the_town_only_for_several(t, other_town, frozen):
    """Within a person's cases of one town the light needs no second `town_id = ?` (SQLite
    then walked the town's widest index: issue 15); with several towns each keeps its own
    today, and unscoped it always names the town."""
    for d in (8, 12, 13, 14):
        submitted_case(t, local(2026, 10, d, 9))
        submitted_case(other_town, local(2026, 10, d, 9))
    days = q.user_days(t.center_user)
    both = days + q.user_days(other_town.center_user)
    scoped = q.queue_cases(t.center_user)

    def where(cond) -> str:
        return str(Case.objects.filter(cond).query).split(" WHERE ", 1)[1]

    for light in ("red", "yellow", "green"):
        assert "town_id" not in where(light_q(light, days, scoped=True))
        assert "town_id" in where(light_q(light, days))
        assert "town_id" in where(light_q(light, both, scoped=True))
        mine = set(scoped.filter(light_q(light, days, scoped=True)))
        assert mine == set(scoped.filter(light_q(light, days)))
        assert mine and all(c.town_id == t.town.pk for c in mine)
        both_towns = set(Case.objects.filter(light_q(light, both, scoped=True)))
        assert {c.town_id for c in both_towns} == {t.town.pk, other_town.town.pk}


def test_chinese_first_and_english_on_request(client, t, frozen):
    client.force_login(t.officer)
    assert "我的待办" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert "My queue" in html and "To accept" in html and 'lang="en"' in html


def test_every_page_has_the_navigation_for_the_role(login, t, frozen):
    officer = login(t.officer).get("/").content.decode()
    assert "录入事件" in officer
    station = login(t.station_user).get("/").content.decode()
    assert 'href="/cases/new/"' not in station


def test_a_cursor_that_is_not_ours_shows_the_first_page(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 12, 9))
    client = login(t.officer)
    for cursor in ("garbage", "2026-13-01~1", "~", "2026-10-12T09:00:00+08:00~x"):
        response = client.get("/cases/", {"after": cursor})
        assert response.status_code == 200 and numbers(response) == [case.number]
        response = client.get("/", {"tab": "accept", "before": cursor})
        assert response.status_code == 200 and numbers(response) == [case.number]
