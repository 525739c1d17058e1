"""Times a person can mean (core/times.py) in the workbench: the entry form's occurrence time
(new and edit) and the follow-up form's date. The clock is frozen at 2026-10-14 10:00."""

import pytest
from django.conf import settings

from gridcase.cases import filing, services
from gridcase.cases.models import Case, FollowUp
from tests.factories import CLOSE_DISPUTE, local, submitted_case

from .test_case_actions import act
from .test_case_entry import form_data

pytestmark = pytest.mark.django_db

REFUSED = [
    ("0006-10-14T08:30", "发生时间不能早于2000年1月1日"),
    ("0001-01-01T00:00", "发生时间不能早于2000年1月1日"),
    ("1999-12-31T23:59", "发生时间不能早于2000年1月1日"),
    ("2027-10-14T08:30", "发生时间不能晚于现在"),
    ("2026-10-14T10:11", "发生时间不能晚于现在"),
]


@pytest.mark.parametrize(("typed", "message"), REFUSED)
def test_a_new_case_with_a_time_nobody_means_is_refused_at_the_field(
    login, t, frozen, typed, message
):
    response = login(t.officer).post("/cases/new/", form_data(occurred_at=typed))
    assert response.status_code == 400
    assert response.context["form"].errors["occurred_at"] == [message]
    assert message in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(("typed", "message"), REFUSED)
def test_an_edited_draft_with_a_time_nobody_means_is_refused(login, t, frozen, typed, message):
    draft = filing.case_create_draft(town=t.town, by=t.officer, data={"location": "东村"})
    response = login(t.officer).post(
        f"/cases/{draft.number}/edit/", form_data(occurred_at=typed, intent="save")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["occurred_at"] == [message]
    assert Case.objects.get().occurred_at is None


def test_a_time_a_person_can_mean_is_kept(login, t, frozen):
    response = login(t.officer).post("/cases/new/", form_data(occurred_at="2026-10-14T10:05"))
    assert response.status_code == 302
    assert Case.objects.get().occurred_at == local(2026, 10, 14, 10, 5)


def test_the_browser_is_told_the_earliest_time(login, t, frozen):
    html = login(t.officer).get("/cases/new/").content.decode()
    assert 'min="2000-01-01T00:00"' in html


@pytest.fixture
def closed(t):
    case = submitted_case(t, local(2026, 10, 9, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 9, 10))
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 12, 11))
    return case


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("1999-12-31", "回访日期不能早于2000年1月1日"),
        ("2026-10-11", "回访日期不能早于结案日期(2026-10-12)"),
        ("2027-10-13", "回访日期不能晚于今天"),
    ],
)
def test_a_follow_up_before_the_close_or_after_today_is_refused(
    login, t, frozen, closed, day, message
):
    response = act(login(t.officer), closed, "follow_up", visited_on=day, method="phone")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FollowUp.objects.exists()


def test_a_follow_up_on_the_day_of_the_close_is_recorded(login, t, frozen, closed):
    response = act(login(t.officer), closed, "follow_up", visited_on="2026-10-12", method="phone")
    assert response.status_code == 302
    assert FollowUp.objects.get().visited_on.isoformat() == "2026-10-12"


@pytest.mark.parametrize(
    "query",
    ["date_from=0001-01-01", "date_to=0001-01-01", "date_to=9999-12-31", "date_from=2100-01-01"],
)
@pytest.mark.parametrize("path", ["/cases/", "/cases/export.xlsx"])
def test_a_date_filter_out_of_bounds_is_ignored_not_a_500(login, t, frozen, path, query):
    submitted_case(t, local(2026, 10, 12, 9))
    response = login(t.center_user).get(f"{path}?tab=all&{query}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "date_from=0001-01-01&date_to=0001-01-31",
        "date_from=9999-12-01&date_to=9999-12-31",
        "date_from=0001-01-01",
    ],
)
def test_a_dashboard_range_out_of_bounds_is_named_not_a_500(login, t, frozen, query):
    for user in (t.center_user, t.office_user):
        assert login(user).get(f"/dashboards/?{query}").status_code == 200


def test_in_english_a_follow_up_before_the_close_is_refused_in_english(login, t, frozen, closed):
    client = login(t.officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = act(client, closed, "follow_up", visited_on="2026-10-11", method="phone")
    assert response.status_code == 400
    assert (
        "Visit date cannot be earlier than the closing date (2026-10-12)"
        in response.content.decode()
    )
