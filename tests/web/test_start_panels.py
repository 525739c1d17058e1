"""The start page's one-click panels (issue 14): the town center closes a case from the
department's report, the governance office decides a pending appeal. Scope (another town's
cases and appeals are not shown, acting on them is 404), roles (403 with the reason), the
close refused when it may not be taken, and the decision's error path keeping the choice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gridcase.assessment import appeals
from gridcase.assessment.models import Appeal, QuarterAssessment
from gridcase.cases import services
from gridcase.cases.models import Case
from tests.assessment.builders import closed_locally
from tests.factories import local, submitted_case

pytestmark = pytest.mark.django_db

REPORT = "已拆除违建围墙"
HOME = "/"


@pytest.fixture
def now(time_machine):
    at = local(2026, 10, 21, 10)
    time_machine.move_to(at, tick=False)
    return at


def at_town(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村里协调", at=local(2026, 10, 12, 11))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 12))
    services.case_escalate(
        case=case, by=t.station_user, note="涉及两村,需镇中心协调", at=local(2026, 10, 12, 13)
    )
    return case


def reported(t):
    case = at_town(t)
    services.case_accept(case=case, by=t.center_user, at=local(2026, 10, 12, 14))
    services.case_dispatch(
        case=case, by=t.center_user, department=t.department, at=local(2026, 10, 12, 15)
    )
    services.case_accept(case=case, by=t.department_user, at=local(2026, 10, 13, 9))
    services.case_report(case=case, by=t.department_user, result=REPORT, at=local(2026, 10, 13, 10))
    return case


def html(response) -> str:
    return response.content.decode()


def close_url(case: Case) -> str:
    return reverse("web:start_close", args=[case.number])


def reported_panel(page: str) -> str:
    """The center's panel of the page, or "" when the page has none."""
    if 'id="reported"' not in page:
        return ""
    panel = page[page.index('id="reported"') :]
    return panel[: panel.index("</section>")]


# ---------------------------------------------------------------- the center's close


def test_the_center_sees_the_report_and_closes_from_it_in_one_post(login, t, now):
    case = reported(t)
    client = login(t.center_user)
    panel = reported_panel(html(client.get(HOME)))
    assert case.number in panel and t.department.name in panel and REPORT in panel
    assert case.handle_due.isoformat() in panel  # the deadline to close
    assert f'action="{close_url(case)}"' in panel and "按反馈结案" in panel

    response = client.post(close_url(case), {"version": case.version})
    assert response.status_code == 302 and response["Location"] == HOME
    case.refresh_from_db()
    assert (case.state, case.result, case.closed_level) == ("closed", REPORT, "town")
    close = case.timeline.get(action="close")
    assert (close.actor, close.note) == (t.center_user, REPORT)
    page = html(client.get(HOME))
    assert f"{case.number} 已按部门反馈结案" in page  # the message names the case
    assert not reported_panel(page)  # nothing left to close


def test_only_the_center_sees_the_panel_and_only_its_towns_cases(login, t, other_town, now):
    case = reported(t)
    theirs = reported(other_town)
    panel = reported_panel(html(login(t.center_user).get(HOME)))
    assert case.number in panel and theirs.number not in panel
    for user in (t.office_user, t.department_user, t.officer, t.leader):
        assert not reported_panel(html(login(user).get(HOME))), user


def test_closing_outside_ones_scope_is_404(login, t, other_town, now):
    case = reported(t)
    for user in (other_town.center_user, t.other_department_user, t.other_officer):
        response = login(user).post(close_url(case), {"version": case.version})
        assert response.status_code == 404, user
    case.refresh_from_db()
    assert case.state == "reported"


def test_who_sees_the_case_but_may_not_close_it_hears_why(login, t, now):
    case = reported(t)
    for user in (t.office_user, t.department_user, t.officer):
        response = login(user).post(close_url(case), {"version": case.version})
        assert response.status_code == 403, user
        assert case.number in html(response) and 'id="close-error"' in html(response)
    case.refresh_from_db()
    assert case.state == "reported"


def test_a_stale_page_or_a_case_without_a_report_is_not_closed(login, t, now):
    case = reported(t)
    client = login(t.center_user)
    # Someone acted on the case since the page was shown: refused in words, nothing changed.
    response = client.post(close_url(case), {"version": case.version - 1})
    assert response.status_code == 409
    assert "该事件刚刚已被他人处理" in html(response)
    case.refresh_from_db()
    assert case.state == "reported"
    # A case handled at the center without a department's report has nothing to close from.
    handling = at_town(t)
    services.case_accept(case=handling, by=t.center_user, at=local(2026, 10, 14, 9))
    handling.refresh_from_db()
    response = client.post(close_url(handling), {"version": handling.version})
    assert response.status_code == 409
    assert "没有待结案的部门反馈" in html(response)
    handling.refresh_from_db()
    assert handling.state == "handling"


def test_a_report_that_is_not_enough_to_close_links_to_the_case_page(login, t, now):
    # The close's element check says what is missing (here the result itself: a report
    # emptied behind the workflow's back); the case page is where it is filled in.
    case = reported(t)
    Case.objects.filter(pk=case.pk).update(result="")
    case.refresh_from_db()
    client = login(t.center_user)
    panel = reported_panel(html(client.get(HOME)))
    row = panel[panel.index(f'id="reported-{case.number}"') :]
    row = row[: row.index("</tr>")]
    assert close_url(case) not in row and "按反馈结案" not in row
    assert reverse("web:case_detail", args=[case.number]) in row and "缺少处理结果" in row
    # Posted anyway, the service refuses it the same way.
    response = client.post(close_url(case), {"version": case.version})
    assert response.status_code == 400 and "缺少处理结果" in html(response)
    case.refresh_from_db()
    assert case.state == "reported"


def test_the_case_pages_close_still_starts_from_the_report(login, t, now):
    # The other way to close (the case page, e.g. to say more than the report did).
    case = reported(t)
    page = html(login(t.center_user).get(reverse("web:case_detail", args=[case.number])))
    field = page[page.index('id="id_close-result"') :]
    assert field[field.index(">") + 1 :].lstrip().startswith(REPORT)


def test_the_close_answers_only_post(login, t, now):
    case = reported(t)
    assert login(t.center_user).get(close_url(case)).status_code == 405


# ---------------------------------------------------------------- the office's appeals


def flawed_case(t):
    case = closed_locally(t, local(2026, 10, 12, 9))
    services.case_review(
        case=case,
        by=t.office_user,
        quality="nonconforming",
        note="起因描述不清",
        at=local(2026, 10, 13, 9),
    )
    return case


def appealed(t, reason="已补充起因"):
    case = flawed_case(t)
    return appeals.appeal_file(case=case, by=t.officer, reason=reason, at=local(2026, 10, 20, 9))


def decide_url(appeal: Appeal) -> str:
    return reverse("web:start_appeal_decide", args=[appeal.pk])


def appeals_panel(page: str) -> str:
    if 'id="appeals"' not in page:
        return ""
    panel = page[page.index('id="appeals"') :]
    return panel[: panel.rindex("</section>")]


def test_the_office_decides_a_pending_appeal_from_its_start_page(login, t, now):
    appeal = appealed(t)
    client = login(t.office_user)
    panel = appeals_panel(html(client.get(HOME)))
    # As the appeals page shows it: the case, the officer's reason, why it was judged 不合格.
    assert appeal.case.number in panel and "已补充起因" in panel
    assert "不合格原因" in panel and "起因描述不清" in panel
    assert "2026年第四季度" in panel
    assert f'action="{decide_url(appeal)}?town={t.town.pk}"' in panel
    assert 'name="decision" value="accept"' in panel and 'name="override"' in panel

    response = client.post(
        f"{decide_url(appeal)}?town={t.town.pk}", {"decision": "accept", "override": "conforming"}
    )
    assert response.status_code == 302 and response["Location"] == HOME
    appeal.refresh_from_db()
    assert (appeal.status, appeal.override, appeal.decided_by) == (
        "accepted",
        "conforming",
        t.office_user,
    )
    page = html(client.get(HOME))
    assert f"{appeal.case.number} 的申诉已采纳" in page and not appeals_panel(page)


def test_a_refused_decision_keeps_the_choice_and_says_why_next_to_the_appeal(login, t, now):
    appeal = appealed(t)
    client = login(t.office_user)
    response = client.post(decide_url(appeal), {"decision": "reject", "override": "on_time"})
    assert response.status_code == 400
    page = html(response)
    card = page[page.index(f'id="appeal-{appeal.pk}"') :]
    card = card[: card.index("</section>")]
    assert f'id="note-{appeal.pk}_error"' in card and "不予采纳的理由" in card  # by 处理意见
    assert 'value="reject" checked' in card and 'value="on_time" selected' in card
    assert "我的待办" in page  # the start page again, not the appeals page
    appeal.refresh_from_db()
    assert appeal.status == "pending"


def test_only_the_office_of_the_town_sees_and_decides_its_appeals(login, t, other_town, now):
    appeal = appealed(t)
    theirs = appealed(other_town, reason="他镇的申诉")
    panel = appeals_panel(html(login(t.office_user).get(HOME)))
    assert appeal.case.number in panel and theirs.case.number not in panel
    for user in (t.center_user, t.officer, t.leader, other_town.office_user):
        assert appeal.case.number not in appeals_panel(html(login(user).get(HOME))), user
    # Another town's office, or someone with no assessment role: no such appeal.
    for user in (other_town.office_user, t.center_user, t.officer):
        response = login(user).post(decide_url(appeal), {"decision": "accept"})
        assert response.status_code == 404, user
    # The leader reads the appeals but does not decide them.
    response = login(t.leader).post(decide_url(appeal), {"decision": "accept"})
    assert response.status_code == 403 and "只有镇政法综治办可以处理申诉" in html(response)
    appeal.refresh_from_db()
    assert appeal.status == "pending"


def test_appeals_of_a_finalised_quarter_are_not_offered(login, t, now):
    appeal = appealed(t)
    # (the appeal's filing made the quarter's row: the finalising sets its status)
    QuarterAssessment.objects.filter(town=t.town, quarter=appeal.quarter).update(
        status=QuarterAssessment.Status.FINALISED
    )
    assert not appeals_panel(html(login(t.office_user).get(HOME)))


def test_the_appeals_page_still_decides_and_returns_to_itself(login, t, now):
    appeal = appealed(t)
    client = login(t.office_user)
    page = html(client.get(reverse("assess:appeals", args=[appeal.quarter])))
    assert f'action="{reverse("assess:appeal_decide", args=[appeal.pk])}"' in page
    response = client.post(
        reverse("assess:appeal_decide", args=[appeal.pk]), {"decision": "reject", "note": "不符"}
    )
    assert response["Location"] == reverse("assess:appeals", args=[appeal.quarter])
    appeal.refresh_from_db()
    assert appeal.status == "rejected"
