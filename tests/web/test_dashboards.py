"""The dashboards: the numbers against a small hand-built town, who may see them, and the
number of queries (fixed, whatever the number of cases and villages)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridcase.assessment.quarter import quarter_finalise
from gridcase.assessment.services import assess_period
from gridcase.cases import filing, services
from gridcase.core import clock
from gridcase.org.models import Grid, Role, Village
from gridcase.web import dashboard_selectors as ds
from tests.factories import CLOSE_DISPUTE, complete_data, local, make_user, submitted_case

URL = reverse("dash:index")
PAY_URL = reverse("dash:pay")
CLOSE = {"result": "已处理完毕"}


@pytest.fixture(autouse=True)
def _always_computed(settings):
    # These tests are about the figures themselves: each page computes them (the keeping is
    # tests/web/test_dashboard_cache.py's).
    settings.GRIDCASE_DASHBOARD_MAX_AGE = 0


def _close_now(t, case, at):
    services.case_accept(case=case, by=t.officer, at=at)
    services.case_close(case=case, by=t.officer, data=CLOSE, at=at)


@pytest.fixture
def story(t):
    """Cases whose figures are known by hand (dates avoid the 2026 holidays; see comments)."""
    c = {}
    # A: a dispute submitted at 00:30 local on 1 September (still 31 August in UTC): a
    # September case, closed at the grid the next day, well before its local deadline.
    a = submitted_case(t, local(2026, 9, 1, 0, 30))
    services.case_accept(case=a, by=t.officer, at=local(2026, 9, 1, 9))
    services.case_close(case=a, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 9, 2, 9))
    c["a"] = a
    # B: livelihood, submitted Mon 3 Aug, accepted 4 Aug → local deadline Tue 11 Aug;
    # the station escalates on 13 Aug (late locally); the center accepts 14 Aug (deadline
    # 21 Aug) and closes on 20 Aug (on time at the town).
    b = submitted_case(t, local(2026, 8, 3, 9), category="livelihood_service")
    services.case_accept(case=b, by=t.officer, at=local(2026, 8, 4, 9))
    services.case_escalate(case=b, by=t.officer, note="需村里协调", at=local(2026, 8, 5, 9))
    services.case_accept(case=b, by=t.station_user, at=local(2026, 8, 6, 9))
    services.case_escalate(case=b, by=t.station_user, note="需镇里协调", at=local(2026, 8, 13, 9))
    services.case_accept(case=b, by=t.center_user, at=local(2026, 8, 14, 9))
    services.case_close(case=b, by=t.center_user, data=CLOSE, at=local(2026, 8, 20, 9))
    c["b"] = b
    # C: a hazard escalated on time (11 Aug ≤ 17 Aug), dispatched; the department accepts
    # Wed 12 Aug (deadline Wed 19 Aug) and reports Mon 24 Aug (late); the center then has
    # until 26 Aug and closes on 25 Aug (on time).
    cc = submitted_case(t, local(2026, 8, 10, 9), category="security_hazard")
    services.case_accept(case=cc, by=t.officer, at=local(2026, 8, 10, 10))
    services.case_escalate(case=cc, by=t.officer, note="隐患较大", at=local(2026, 8, 10, 11))
    services.case_accept(case=cc, by=t.station_user, at=local(2026, 8, 10, 14))
    services.case_escalate(case=cc, by=t.station_user, note="需部门处理", at=local(2026, 8, 11, 9))
    services.case_accept(case=cc, by=t.center_user, at=local(2026, 8, 11, 10))
    services.case_dispatch(
        case=cc, by=t.center_user, department=t.department, at=local(2026, 8, 11, 11)
    )
    services.case_accept(case=cc, by=t.department_user, at=local(2026, 8, 12, 9))
    services.case_report(
        case=cc, by=t.department_user, result="已加装护栏", at=local(2026, 8, 24, 9)
    )
    services.case_close(case=cc, by=t.center_user, data=CLOSE, at=local(2026, 8, 25, 9))
    c["c"] = cc
    # D: 西村, submitted Mon 14 Sep, never accepted: overdue at the grid since 17 Sep.
    d = filing.case_create_draft(
        town=t.town,
        by=t.other_officer,
        data=complete_data(local(2026, 9, 14, 9)),
        at=local(2026, 9, 14, 9),
    )
    c["d"] = filing.case_submit(case=d, by=t.other_officer, at=local(2026, 9, 14, 9))
    # E: 东村, escalated to the station on 15 Sep and never accepted there: overdue at the
    # village level (no local outcome yet: that is set when the case leaves the village).
    e = submitted_case(t, local(2026, 9, 15, 9), category="other")
    services.case_accept(case=e, by=t.officer, at=local(2026, 9, 15, 10))
    services.case_escalate(case=e, by=t.officer, note="需村里处理", at=local(2026, 9, 15, 11))
    c["e"] = e
    # F: voided (not a real matter) and G: a draft: neither is counted.
    f = submitted_case(t, local(2026, 9, 3, 9))
    services.case_void(case=f, by=t.center_user, reason="重复录入", at=local(2026, 9, 3, 10))
    filing.case_create_draft(
        town=t.town, by=t.officer, data=complete_data(local(2026, 9, 4, 9)), at=local(2026, 9, 4, 9)
    )
    # H: 00:30 local on 1 May is in the period (May); I: 23:30 local on 30 April is not.
    h = submitted_case(t, local(2026, 5, 1, 0, 30), category="other")
    _close_now(t, h, local(2026, 5, 1, 0, 40))
    i = submitted_case(t, local(2026, 4, 30, 23, 30), category="other")
    _close_now(t, i, local(2026, 4, 30, 23, 40))
    return c


@pytest.fixture
def today():
    # Wednesday 14 October 2026, 10:00 in Shanghai: the default period is 1 May – 14 Oct.
    with time_machine.travel(local(2026, 10, 14, 10), tick=False):
        yield date(2026, 10, 14)


def period():
    return ds.Period(date(2026, 5, 1), date(2026, 10, 14))


# ---------------------------------------------------------------- the numbers


def test_the_default_period_is_the_last_six_months():
    assert ds.default_period(date(2026, 10, 14)) == ds.Period(date(2026, 5, 1), date(2026, 10, 14))
    assert ds.default_period(date(2026, 3, 5)) == ds.Period(date(2025, 10, 1), date(2026, 3, 5))
    assert period().months() == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert period().quarters() == ["2026-Q2", "2026-Q3", "2026-Q4"]


def test_cases_are_counted_by_local_month_and_category(t, story, today):
    counts = ds.cases_by_month(t.town, period())
    assert counts == {
        ("2026-05", "other"): 1,  # H, submitted in the first half hour of May (local)
        ("2026-08", "livelihood_service"): 1,
        ("2026-08", "security_hazard"): 1,
        ("2026-09", "dispute"): 2,  # A (31 Aug in UTC) and D; F is voided, G a draft
        ("2026-09", "other"): 1,
    }


def test_on_time_rates_per_level_follow_their_definitions(t, story, today):
    data = ds.on_time(t.town, period())
    levels = {k: (r.total, r.on_time) for k, r in data.levels.items()}
    # Local: A and H on time, B escalated late, C escalated on time (I is in April).
    # Town: B and C closed at the center on time. Department: C reported late.
    assert levels == {"local": (4, 3), "town": (2, 2), "department": (1, 0)}
    assert data.levels["local"].percent == 75.0
    assert data.village("local", t.village.pk).percent == 75.0
    assert data.village("local", t.other_village.pk).total == 0
    assert data.month("local", "2026-08").total == 2
    assert data.month("local", "2026-08").on_time == 1
    assert data.by_department[t.department.pk].total == 1
    assert data.by_department[t.department.pk].on_time == 0


def test_a_report_keeps_the_departments_deadline_on_the_timeline(t, story):
    entry = story["c"].timeline.get(action="report")
    assert entry.data == {"due": "2026-08-19", "late": True}


def test_overdue_now_counts_open_cases_past_their_deadline(t, story, today):
    data = ds.overdue_now(t.town)
    assert data.by_level_village == {("grid", t.other_village.pk): 1, ("village", t.village.pk): 1}
    assert data.total == 2
    assert data.today == date(2026, 10, 14)


def test_overdue_now_is_judged_on_the_towns_today(t, today):
    # Submitted Mon 12 Oct: accept by the end of Wed 14 Oct, so not overdue today.
    submitted_case(t, local(2026, 10, 12, 9))
    assert ds.overdue_now(t.town).total == 0
    with time_machine.travel(local(2026, 10, 15, 0, 1), tick=False):
        # One minute past local midnight (still 14 Oct in UTC): overdue.
        assert ds.overdue_now(t.town).total == 1


def test_pay_is_summed_by_village_from_the_assessment(t, story, today):
    quarters = ds.pay_by_village(t.town, period())
    assert [q.quarter for q in quarters] == ["2026-Q2", "2026-Q3", "2026-Q4"]
    q3 = quarters[1]
    result = assess_period(town=t.town, months=clock.quarter_months("2026-Q3"))
    by_officer = {o.village: o.total for o in result.officers}
    assert q3.by_village == {"东村": by_officer["东村"], "西村": by_officer["西村"]}
    assert q3.total == result.total
    assert q3.status == "draft"


def test_pay_of_a_finalised_quarter_comes_from_its_snapshot(t, story, today):
    quarter_finalise(town=t.town, quarter="2026-Q3", by=t.office_user)
    frozen = ds.pay_by_village(t.town, period())[1]
    # A late September case closed after finalising changes the live figures, not the
    # finalised ones.
    late = filing.case_create_draft(
        town=t.town,
        by=t.other_officer,
        data=complete_data(local(2026, 9, 29, 9), category="livelihood_service"),
        at=local(2026, 9, 29, 9),
    )
    filing.case_submit(case=late, by=t.other_officer, at=local(2026, 9, 29, 9))
    services.case_accept(case=late, by=t.other_officer, at=local(2026, 9, 29, 10))
    services.case_close(case=late, by=t.other_officer, data=CLOSE, at=local(2026, 9, 29, 11))
    live = assess_period(town=t.town, months=clock.quarter_months("2026-Q3"), live=True)
    again = ds.pay_by_village(t.town, period())[1]
    assert again.status == "finalised"
    assert again.by_village == frozen.by_village
    assert live.total != frozen.total


def test_the_quarter_not_yet_begun_is_left_out(t, today):
    quarters = ds.pay_by_village(t.town, ds.Period(date(2026, 9, 1), date(2026, 12, 31)))
    assert [q.quarter for q in quarters] == ["2026-Q3", "2026-Q4"]
    future = ds.pay_by_village(t.town, ds.Period(date(2027, 1, 1), date(2027, 3, 31)))
    assert future == []


# ---------------------------------------------------------------- the page


@pytest.mark.parametrize("who", ["leader", "office_user", "center_user", "admin_user"])
def test_town_wide_roles_see_the_dashboard(t, story, today, client, who):
    client.force_login(getattr(t, who))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "统计看板" in html and t.town.name in html
    assert html.count("<svg") == 5
    # The pay panel is loaded after the page (htmx), with a plain link for no JavaScript.
    assert f'href="{PAY_URL}?' in html
    response = client.get(PAY_URL)
    assert response.status_code == 200
    assert response.content.decode().count("<svg") == 1


@pytest.mark.parametrize(
    "who", ["officer", "station_user", "department_user", "other_department_user"]
)
def test_other_roles_get_404_and_no_menu_entry(t, today, client, who):
    client.force_login(getattr(t, who))
    assert client.get(URL).status_code == 404
    assert client.get(PAY_URL).status_code == 404
    home = client.get(reverse("web:home")).content.decode()
    assert URL not in home


def test_the_menu_shows_the_dashboard_to_the_leader(t, today, client):
    client.force_login(t.leader)
    assert f'href="{URL}"' in client.get(reverse("web:home")).content.decode()


def test_another_towns_leader_cannot_ask_for_this_town(t, other_town, today, client):
    client.force_login(other_town.leader)
    assert client.get(URL, {"town": t.town.pk}).status_code == 404
    assert client.get(PAY_URL, {"town": t.town.pk}).status_code == 404
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["town"] == other_town.town


def test_a_role_that_has_ended_sees_no_dashboard(t, today, client):
    Role.objects.filter(user=t.leader).update(active_until=date(2026, 10, 1))
    client.force_login(t.leader)
    assert client.get(URL).status_code == 404


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


def test_the_page_shows_the_hand_counted_numbers(t, story, today, client):
    client.force_login(t.leader)
    response = client.get(URL)
    ctx = response.context
    assert ctx["cases"]["total"] == 6
    assert [r["total"] for r in ctx["cases"]["rows"]] == [1, 0, 0, 2, 3, 0]
    assert [row["pct"] for row in ctx["on_time"]["levels"]] == ["75%", "100%", "0%"]
    assert ctx["overdue"]["total"] == 2
    html = response.content.decode()
    # The numbers beside the chart, and a link from an overdue count to those cases.
    assert "75%" in html
    assert f"village={t.other_village.pk}" in html and "light=red" in html


def test_the_date_range_filters_every_panel(t, story, today, client):
    client.force_login(t.leader)
    response = client.get(URL, {"date_from": "2026-09-01", "date_to": "2026-09-30"})
    ctx = response.context
    assert ctx["period"] == ds.Period(date(2026, 9, 1), date(2026, 9, 30))
    assert ctx["cases"]["total"] == 3
    assert ctx["on_time"]["levels"][0]["rate"].total == 1  # only A
    # The pay panel is asked for with the same range.
    assert "date_from=2026-09-01" in ctx["query"] and "date_to=2026-09-30" in ctx["query"]
    response = client.get(PAY_URL, {"date_from": "2026-09-01", "date_to": "2026-09-30"})
    assert [q["quarter"] for q in response.context["pay"]["quarters"]] == ["2026-Q3"]


def test_the_pay_panel_shows_the_villages_sums(t, story, today, client):
    client.force_login(t.leader)
    response = client.get(PAY_URL)
    rows = {row["village"]: row for row in response.context["pay"]["rows"]}
    quarters = ds.pay_by_village(t.town, period())
    assert [q["quarter"] for q in response.context["pay"]["quarters"]] == [
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert rows["东村"]["cells"] == [q.by_village.get("东村", ds.ZERO) for q in quarters]
    assert rows["东村"]["total"] == sum(q.by_village.get("东村", ds.ZERO) for q in quarters)
    assert "<html" in response.content.decode()


def test_the_pay_panel_comes_as_a_fragment_for_htmx(t, story, today, client):
    client.force_login(t.leader)
    response = client.get(PAY_URL, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and '<section id="pay"' in html


def test_a_wrong_range_is_explained_and_the_default_is_shown(t, today, client):
    client.force_login(t.leader)
    response = client.get(URL, {"date_from": "2026-10-01", "date_to": "2026-09-01"})
    assert response.status_code == 200
    assert "截止日期不能早于起始日期" in response.content.decode()
    assert response.context["period"] == ds.Period(date(2026, 5, 1), date(2026, 10, 14))
    response = client.get(URL, {"date_from": "2020-01-01", "date_to": "2026-10-01"})
    assert "时间范围最长 24 个月" in response.content.decode()


def test_a_superuser_chooses_the_town(t, other_town, today, client, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(root)
    response = client.get(URL, {"town": other_town.town.pk})
    assert response.context["town"] == other_town.town
    assert 'name="town"' in response.content.decode()


# ---------------------------------------------------------------- queries


def _bigger(t):
    """More villages, grids, officers and cases than the story."""
    for n in range(6):
        village = Village.objects.create(town=t.town, name=f"新村{n}")
        grid = Grid.objects.create(village=village, name="第一网格")
        officer = make_user(f"officer_{n}", t.town, "officer", village=village, grid=grid)
        for day in (3, 10, 17):
            at = local(2026, 8, day, 9)
            case = filing.case_create_draft(town=t.town, by=officer, data=complete_data(at), at=at)
            filing.case_submit(case=case, by=officer, at=at)


def _queries(client, url=URL):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_cases_or_villages(
    t, story, today, client, django_assert_max_num_queries
):
    client.force_login(t.leader)
    small, small_pay = _queries(client), _queries(client, PAY_URL)
    _bigger(t)
    client.force_login(t.leader)
    assert _queries(client) == small
    assert _queries(client, PAY_URL) == small_pay
    # session, user, roles, the header's unread count; villages, departments; three on-time
    # aggregates, the cases by month, the overdue ones.
    with django_assert_max_num_queries(11):
        client.get(URL)
    # session, user, roles, villages; then the assessment of three quarters (a handful each)
    with django_assert_max_num_queries(30):
        client.get(PAY_URL)


def test_a_finalised_quarter_costs_fewer_queries_not_more(t, story, today, client):
    client.force_login(t.leader)
    before = _queries(client, PAY_URL)
    quarter_finalise(town=t.town, quarter="2026-Q3", by=t.office_user)
    client.force_login(t.leader)
    assert _queries(client, PAY_URL) <= before


def test_pay_totals_are_decimal_yuan(t, story, today):
    for quarter in ds.pay_by_village(t.town, period()):
        for amount in quarter.by_village.values():
            assert isinstance(amount, Decimal)
            assert amount == amount.quantize(Decimal("0.01"))
