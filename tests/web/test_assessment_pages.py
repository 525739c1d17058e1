"""The assessment pages: the office's overview and actions, the leader's approval, the officer's
own statement and appeals; scope (404), roles (403 with the reason), and pinned query counts."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from gridcase.assessment import appeals, exports
from gridcase.assessment import quarter as life
from gridcase.assessment.models import Adjustment, Appeal, QuarterAssessment
from gridcase.assessment.services import assess_period
from gridcase.cases import services as case_services
from gridcase.cases.models import Case, Source
from gridcase.notify.models import InboxItem
from gridcase.org.models import Role
from tests.assessment.builders import closed_locally, escalated_to_town, submitted
from tests.factories import local, make_user

pytestmark = pytest.mark.django_db
# The tick that confirms an irreversible step (issue 14).
CONFIRM = {"confirm": "on"}

Q4 = "2026-Q4"
Q4_MONTHS = ["2026-10", "2026-11", "2026-12"]
# Well after every deadline of the quarter's cases: the quarter may be finalised.
LATER = local(2027, 3, 1, 9)


@pytest.fixture
def later(time_machine):
    time_machine.move_to(LATER, tick=False)
    return LATER


@pytest.fixture
def q4(t, later):
    """Three closed cases and one escalated for the officer (one judged nonconforming), and
    one closed case for the other officer."""
    cases = [
        closed_locally(t, local(2026, 10, 12, 9)),
        closed_locally(t, local(2026, 10, 13, 9), category="dispute"),
        escalated_to_town(t, local(2026, 11, 10, 9)),
    ]
    flawed = closed_locally(t, local(2026, 11, 11, 9))
    case_services.case_review(
        case=flawed, by=t.office_user, quality="nonconforming", note="起因描述不清"
    )
    cases.append(flawed)
    closed_locally(t, local(2026, 12, 1, 9), by=t.other_officer)
    return cases


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def yuan(amount) -> str:
    return f"{amount:.2f} 元"


# ---------------------------------------------------------------- the office's overview


def test_the_office_sees_every_officers_figures_in_yuan_with_two_decimals(login, t, q4):
    result = assess_period(town=t.town, months=Q4_MONTHS)
    response = login(t.office_user).get(f"/assessment/{Q4}/")
    assert response.status_code == 200
    page = html(response)
    for officer in (t.officer, t.other_officer):
        figures = result.officer(officer.pk)
        assert officer.display_name in page
        assert yuan(figures.total) in page
        for month in figures.months:
            assert yuan(month.total) in page
            assert yuan(month.base_pay) in page
    assert yuan(result.total) in page
    # November: one counted, one nonconforming: 8 - 1 - 1 = 6 short, 10 × (6 + 1) = 70.
    november = result.officer(t.officer.pk).month("2026-11")
    assert (november.deduction, november.total) == (70, 30)
    assert "扣 70.00 元" in page
    assert f"/assessment/{Q4}/officers/{t.officer.pk}/" in page
    assert "未定稿" in page


def test_a_month_is_shown_on_its_own_with_the_way_to_its_quarter(login, t, q4):
    response = login(t.office_user).get("/assessment/2026-11/")
    assert response.status_code == 200
    page = html(response)
    assert "2026年11月" in page
    assert f'href="/assessment/{Q4}/"' in page
    assert 'id="finalise-form"' not in page  # finalising is a quarter's action
    month = assess_period(town=t.town, months=["2026-11"]).officer(t.officer.pk).months[0]
    assert yuan(month.total) in page


def test_provisional_results_are_shown_at_any_time(login, t, time_machine):
    time_machine.move_to(local(2026, 10, 14, 10), tick=False)
    submitted(t, local(2026, 10, 13, 9))
    page = html(login(t.office_user).get(f"/assessment/{Q4}/"))
    assert "暂定" in page
    assert "待定 1" in page


def test_an_unknown_period_is_404(login, t, later):
    client = login(t.office_user)
    for url in ("/assessment/2026-Q5/", "/assessment/2026-13/", "/assessment/abc/payroll.xlsx"):
        assert client.get(url).status_code == 404


def test_the_index_lists_recent_quarters_and_the_picker_goes_to_the_period(login, t, q4):
    life.quarter_finalise(town=t.town, quarter=Q4, by=t.office_user)
    client = login(t.office_user)
    response = client.get("/assessment/")
    assert response.status_code == 200
    rows = {r["quarter"]: r for r in response.context["rows"]}
    assert rows[Q4]["status"] == "finalised" and rows["2027-Q1"]["status"] == "draft"
    assert "已定稿,待领导审批" in html(response)
    # Only the current quarter and those that hold cases: nothing before 2026-Q4 here.
    assert list(rows) == ["2027-Q1", Q4]
    assert (rows[Q4]["cases"], rows["2027-Q1"]["cases"]) == (5, 0)
    assert rows[Q4]["waiting"] == "等待分管领导审批"
    # The current quarter says from when it may be finalised (after its last day).
    assert rows["2027-Q1"]["waiting"].endswith("可于 2027-04-01 起定稿")
    response = client.get("/assessment/", {"period": "2026-q4"})
    assert response.status_code == 302 and response["Location"] == f"/assessment/{Q4}/"
    response = client.get("/assessment/", {"period": "2026-10"})
    assert response["Location"] == "/assessment/2026-10/"
    response = client.get("/assessment/", {"period": "去年"}, follow=True)
    assert any("考核期间应为季度" in m for m in messages_of(response))


def test_the_nav_offers_the_assessment_to_its_roles_only(login, t, later):
    assert "/assessment/" in html(login(t.office_user).get("/"))
    assert "/assessment/" in html(login(t.officer).get("/"))
    assert 'href="/assessment/"' not in html(login(t.center_user).get("/"))


# ---------------------------------------------------------------- scope and roles


def test_roles_outside_the_assessment_get_404_everywhere(login, t, other_town, q4):
    case = q4[0]
    urls = [
        "/assessment/",
        f"/assessment/{Q4}/",
        f"/assessment/{Q4}/payroll.xlsx",
        f"/assessment/{Q4}/result.json",
        f"/assessment/{Q4}/appeals/",
        f"/assessment/{Q4}/officers/{t.officer.pk}/",
    ]
    posts = [f"/assessment/{Q4}/finalise/", f"/assessment/{Q4}/approve/"]
    for user in (t.station_user, t.center_user, t.department_user, t.admin_user):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        for url in posts:
            assert client.post(url).status_code == 404, (user, url)
        assert client.post(f"/assessment/cases/{case.number}/appeal/").status_code == 404
    # Another town's office sees nothing of this town, not even through its ids.
    client = login(other_town.office_user)
    assert client.get(f"/assessment/{Q4}/officers/{t.officer.pk}/").status_code == 404
    assert client.get(f"/assessment/{Q4}/?town={t.town.pk}").status_code == 404
    response = client.get(f"/assessment/{Q4}/")
    assert [o["name"] for o in response.context["officers"]] == ["bs_officer", "bs_other_officer"]


def test_an_officer_sees_only_their_own_statement(login, t, q4):
    client = login(t.officer)
    assert client.get("/assessment/")["Location"] == f"/assessment/2027-Q1/officers/{t.officer.pk}/"
    assert client.get(f"/assessment/{Q4}/officers/{t.officer.pk}/").status_code == 200
    assert client.get(f"/assessment/{Q4}/officers/{t.other_officer.pk}/").status_code == 404
    for url in (
        f"/assessment/{Q4}/",
        f"/assessment/{Q4}/payroll.xlsx",
        f"/assessment/{Q4}/appeals/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/assessment/{Q4}/finalise/", CONFIRM).status_code == 404
    response = client.get("/assessment/", {"period": "2026-11"})
    assert response["Location"] == f"/assessment/2026-11/officers/{t.officer.pk}/"


def test_the_leader_may_not_finalise_and_the_office_may_not_approve(login, t, q4):
    leader = login(t.leader)
    page = html(leader.get(f"/assessment/{Q4}/"))
    assert 'id="finalise-form"' not in page and 'id="approve-form"' not in page
    response = leader.post(f"/assessment/{Q4}/finalise/", CONFIRM)
    assert response.status_code == 403
    assert "只有镇政法综治办可以定稿季度考核" in html(response)
    assert not QuarterAssessment.objects.filter(status="finalised").exists()

    office = login(t.office_user)
    office.post(f"/assessment/{Q4}/finalise/", CONFIRM)
    page = html(office.get(f"/assessment/{Q4}/"))
    assert 'id="approve-form"' not in page and 'id="finalise-form"' not in page
    for url in (f"/assessment/{Q4}/approve/", f"/assessment/{Q4}/reopen/"):
        response = office.post(url, {"reason": "x"})
        assert response.status_code == 403
        assert "只有政法分管领导可以" in html(response)
    assert QuarterAssessment.objects.get().status == "finalised"


def test_the_actions_answer_only_to_post(login, t, q4):
    client = login(t.office_user)
    assert client.get(f"/assessment/{Q4}/finalise/").status_code == 405
    assert not QuarterAssessment.objects.filter(status="finalised").exists()


# ---------------------------------------------------------------- finalising and the payroll


def test_finalising_too_early_says_from_when_it_is_possible(login, t, time_machine):
    time_machine.move_to(local(2026, 12, 30, 17), tick=False)
    case = submitted(t, local(2026, 12, 30, 16))  # never accepted: its period runs into January
    possible = life.finalise_possible_from(t.town, Q4)
    assert possible == case.local_due + timedelta(days=1) > local(2027, 1, 4, 0).date()
    time_machine.move_to(local(2027, 1, 4, 10), tick=False)
    client = login(t.office_user)
    page = html(client.get(f"/assessment/{Q4}/"))
    assert f"可于 {possible} 起定稿" in page
    # Not possible yet: 定稿 is shown disabled with the reason, not offered (issue 14).
    assert (
        '<button type="button" class="primary" disabled aria-describedby="finalise-blocked">'
        in page
    )
    response = client.post(f"/assessment/{Q4}/finalise/", CONFIRM, follow=True)
    assert response.redirect_chain[-1][0] == f"/assessment/{Q4}/"
    [message] = messages_of(response)
    assert f"可于 {possible} 起定稿" in message
    assert not QuarterAssessment.objects.filter(status="finalised").exists()


def test_the_office_finalises_and_the_payroll_comes_from_the_snapshot(login, t, q4):
    client = login(t.office_user)
    before = assess_period(town=t.town, months=Q4_MONTHS)
    # Irreversible: the page names what will happen, and nothing happens without the tick.
    assert "定稿将冻结本季度的考核结果" in html(client.get(f"/assessment/{Q4}/"))
    response = client.post(f"/assessment/{Q4}/finalise/")
    # The page again, the refusal next to the tick (one error path, issue 14).
    assert response.status_code == 400
    assert 'id="finalise_confirm_error"' in html(response) and "请勾选确认后再定稿" in html(
        response
    )
    assert not QuarterAssessment.objects.filter(status="finalised").exists()
    response = client.post(f"/assessment/{Q4}/finalise/", CONFIRM, follow=True)
    assert response.status_code == 200
    assert any("已定稿" in m for m in messages_of(response))
    row = QuarterAssessment.objects.get(town=t.town, quarter=Q4)
    assert (row.status, row.finalised_by) == ("finalised", t.office_user)

    # A later correction of a case does not change the finalised quarter.
    case_services.case_review(case=q4[3], by=t.office_user, quality="conforming", note="已补充")
    response = client.get(f"/assessment/{Q4}/payroll.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["工资表"]
    assert "已定稿" in sheet["A1"].value
    totals = {
        sheet.cell(row=r, column=3).value: sheet.cell(row=r, column=7).value
        for r in range(4, 4 + len(before.officers))
    }
    assert totals == {o.officer: o.total for o in before.officers}

    response = client.get(f"/assessment/{Q4}/result.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content) == before.as_dict()


def test_a_second_click_on_finalise_says_it_is_already_done(login, t, q4):
    client = login(t.office_user)
    client.post(f"/assessment/{Q4}/finalise/", CONFIRM)
    response = client.post(f"/assessment/{Q4}/finalise/", CONFIRM, follow=True)
    assert any("已定稿,不能再次定稿" in m for m in messages_of(response))


def test_pending_appeals_hold_back_finalising(login, t, q4):
    appeals.appeal_file(case=q4[3], by=t.officer, reason="已补充起因")
    client = login(t.office_user)
    page = html(client.get(f"/assessment/{Q4}/"))
    assert "还有未处理的申诉" in page
    response = client.post(f"/assessment/{Q4}/finalise/", CONFIRM, follow=True)
    assert any("1 件申诉未处理" in m and q4[3].number in m for m in messages_of(response))


def test_the_leader_approves_a_finalised_quarter(login, t, q4):
    login(t.office_user).post(f"/assessment/{Q4}/finalise/", CONFIRM)
    client = login(t.leader)
    page = html(client.get(f"/assessment/{Q4}/"))
    assert 'id="approve-form"' in page and "退回综治办更正" in page
    response = client.post(f"/assessment/{Q4}/approve/", {"note": "同意"})
    assert response.status_code == 400 and "请勾选确认后再审批" in html(response)
    assert 'name="note" value="同意"' in html(response)  # what was typed stays
    assert QuarterAssessment.objects.get().status == "finalised"
    response = client.post(f"/assessment/{Q4}/approve/", {"note": "同意", **CONFIRM}, follow=True)
    assert any("已审批" in m for m in messages_of(response))
    row = QuarterAssessment.objects.get()
    assert (row.status, row.approved_by) == ("approved", t.leader)
    page = html(client.get(f"/assessment/{Q4}/"))
    assert 'id="approve-form"' not in page and "已审批" in page


def test_the_leader_sends_a_quarter_back_with_a_reason(login, t, q4):
    login(t.office_user).post(f"/assessment/{Q4}/finalise/", CONFIRM)
    client = login(t.leader)
    response = client.post(f"/assessment/{Q4}/reopen/", {"reason": ""})
    assert response.status_code == 400
    assert '<details id="reopen" open>' in html(response) and 'id="id_reason_error"' in html(
        response
    )
    assert QuarterAssessment.objects.get().status == "finalised"
    response = client.post(f"/assessment/{Q4}/reopen/", {"reason": "请复核11月"}, follow=True)
    assert any("已退回" in m for m in messages_of(response))
    assert QuarterAssessment.objects.get().status == "draft"
    # Approving what is not finalised is refused in words.
    response = client.post(f"/assessment/{Q4}/approve/", CONFIRM, follow=True)
    assert any("尚未定稿" in m for m in messages_of(response))


# ---------------------------------------------------------------- statements and appeals


def test_a_statement_lists_every_case_with_its_status_amount_and_reason(login, t, q4):
    response = login(t.officer).get(f"/assessment/{Q4}/officers/{t.officer.pk}/")
    page = html(response)
    officer = assess_period(town=t.town, months=Q4_MONTHS).officer(t.officer.pk)
    assert yuan(officer.total) in page
    for month in officer.months:
        for case in month.cases:
            assert f'href="/cases/{case.case_no}/"' in page
            assert yuan(case.amount) in page
    assert "计入任务量" in page and "质量不合格" in page
    assert "起因描述不清" in page  # the office's reason for the nonconforming case
    assert "基本工资" in page and "奖励" in page
    assert response.context["own"] is True
    # Each of the officer's four cases can be appealed while the quarter is open.
    assert page.count("提交申诉") == 4


def test_a_citizen_report_is_on_the_statement_as_not_counted_with_its_reason(login, t, q4):
    report = closed_locally(t, local(2026, 10, 14, 9))
    Case.objects.filter(pk=report.pk).update(source=Source.OPEN311)
    reason = "三: 市民通过 Open311 上报的事件不计入网格专管员考核"

    page = html(login(t.officer).get(f"/assessment/{Q4}/officers/{t.officer.pk}/"))
    assert f'href="/cases/{report.number}/"' in page
    assert reason in page and "不计入" in page

    # The JSON and the payroll's sheet of the officer say the same.
    result = assess_period(town=t.town, months=Q4_MONTHS)
    (october,) = [m for m in result.officer(t.officer.pk).months if m.month == "2026-10"]
    as_json = next(c for c in october.as_dict()["cases"] if c["case_no"] == report.number)
    assert (as_json["status"], as_json["amount"], as_json["reason"]) == (
        "not_counted",
        "0.00",
        reason,
    )
    sheet = load_workbook(io.BytesIO(exports.render_xlsx(result)))[t.officer.display_name]
    (row,) = [[c.value for c in r] for r in sheet.iter_rows() if r[1].value == report.number]
    assert row[3:6] == ["不计入", 0, reason]
    # Counted as before: the report neither fills the quota nor earns a bonus.
    assert october.counted == 2


def test_the_office_reads_any_officers_statement_without_appeal_forms(login, t, q4):
    response = login(t.office_user).get(f"/assessment/{Q4}/officers/{t.other_officer.pk}/")
    assert response.status_code == 200
    page = html(response)
    assert t.other_officer.display_name in page
    assert "提交申诉" not in page
    assert f'href="/assessment/{Q4}/"' in page


def test_an_officer_with_nothing_in_a_period_has_an_empty_statement(login, t, later):
    newcomer = make_user("newcomer", t.town, "officer", village=t.village)
    Role.objects.filter(user=newcomer).update(active_from=local(2027, 1, 1, 0).date())
    response = login(newcomer).get(f"/assessment/{Q4}/officers/{newcomer.pk}/")
    assert response.status_code == 200
    assert "本期没有考核记录" in html(response)
    # The office reaches the same page; an id that is not an officer of the town is 404.
    assert login(t.office_user).get(f"/assessment/{Q4}/officers/{newcomer.pk}/").status_code == 200
    assert login(t.office_user).get(f"/assessment/{Q4}/officers/{t.leader.pk}/").status_code == 404


def test_an_officer_appeals_a_case_and_sees_the_appeal_on_the_statement(login, t, q4):
    flawed = q4[3]
    client = login(t.officer)
    url = f"/assessment/cases/{flawed.number}/appeal/"
    # Refused: the statement again, the form of that case open, the problem next to it.
    response = client.post(url, {"reason": "", "period": Q4})
    assert response.status_code == 400
    page = html(response)
    assert f'id="reason-{flawed.number}_error"' in page
    assert not Appeal.objects.exists()

    response = client.post(url, {"reason": "已补充起因", "period": Q4})
    assert response.status_code == 302
    assert response["Location"] == (
        f"/assessment/{Q4}/officers/{t.officer.pk}/#case-{flawed.number}"
    )
    appeal = Appeal.objects.get()
    assert (appeal.case, appeal.status_at_filing) == (flawed, "nonconforming")
    page = html(client.get(f"/assessment/{Q4}/officers/{t.officer.pk}/"))
    assert "申诉待处理" in page
    # No second appeal while one is pending: the form is gone for that case.
    assert page.count("提交申诉") == 3
    response = client.post(url, {"reason": "再申诉"}, follow=True)
    assert any("已有待处理的申诉" in m for m in messages_of(response))


def test_the_statement_escapes_what_people_typed(login, t, q4):
    # The rows are written by views/assessment/statement_rows.py, not the template: every
    # typed value is escaped there as the template escaped it.
    flawed = q4[3]
    client = login(t.officer)
    url = f"/assessment/cases/{flawed.number}/appeal/"
    typed = "<script>x</script>&" * 300  # too long: refused, shown again as typed
    page = html(client.post(url, {"reason": typed, "period": Q4}))
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;&amp;" in page
    assert f'<details open><summary>申诉</summary><form method="post" action="{url}">' in page
    appeal = appeals.appeal_file(case=flawed, by=t.officer, reason="已补充起因")
    appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=False, note="<b>不属实</b>")
    page = html(client.get(f"/assessment/{Q4}/officers/{t.officer.pk}/"))
    assert "<div>&lt;b&gt;不属实&lt;/b&gt;</div>" in page
    # Rejected, the case may be appealed again; the others keep their first form.
    assert page.count("再次申诉") == 1 and page.count("提交申诉") == 4


def test_appeals_are_only_for_the_cases_own_officer_and_before_finalising(login, t, q4):
    others = closed_locally(t, local(2026, 12, 2, 9), by=t.other_officer)
    # Another officer's case is outside this officer's scope.
    response = login(t.officer).post(f"/assessment/cases/{others.number}/appeal/", {"reason": "x"})
    assert response.status_code == 404
    # The office may see the case but is no officer: there is no appeal for it here.
    assert (
        login(t.office_user)
        .post(f"/assessment/cases/{others.number}/appeal/", {"reason": "x"})
        .status_code
        == 404
    )
    life.quarter_finalise(town=t.town, quarter=Q4, by=t.office_user)
    client = login(t.officer)
    page = html(client.get(f"/assessment/{Q4}/officers/{t.officer.pk}/"))
    assert "提交申诉" not in page and "不能再申诉" in page
    response = client.post(
        f"/assessment/cases/{q4[0].number}/appeal/", {"reason": "x", "period": Q4}, follow=True
    )
    assert any("已定稿, 不能再申诉" in m for m in messages_of(response))
    assert not Appeal.objects.exists()


def test_the_office_accepts_an_appeal_and_the_figures_follow(login, t, q4):
    flawed = q4[3]
    appeal = appeals.appeal_file(case=flawed, by=t.officer, reason="已补充起因")
    before = assess_period(town=t.town, months=Q4_MONTHS).officer(t.officer.pk).total
    client = login(t.office_user)
    page = html(client.get(f"/assessment/{Q4}/appeals/"))
    assert flawed.number in page and "已补充起因" in page and "质量不合格" in page
    assert f"/assessment/appeals/{appeal.pk}/decide/" in page

    response = client.post(
        f"/assessment/appeals/{appeal.pk}/decide/", {"decision": "accept", "note": "属实"}
    )
    assert response.status_code == 302 and response["Location"] == f"/assessment/{Q4}/appeals/"
    appeal.refresh_from_db()
    assert (appeal.status, appeal.override) == ("accepted", "conforming")
    after = assess_period(town=t.town, months=Q4_MONTHS).officer(t.officer.pk).total
    assert after > before
    page = html(login(t.officer).get(f"/assessment/{Q4}/officers/{t.officer.pk}/"))
    assert "申诉已采纳" in page and "属实" in page


def test_the_appeal_card_shows_why_the_case_was_judged_nonconforming(login, t, q4):
    flawed = q4[3]
    appeals.appeal_file(case=flawed, by=t.officer, reason="起因已写清")
    page = html(login(t.office_user).get(f"/assessment/{Q4}/appeals/"))
    assert "不合格原因" in page and "起因描述不清" in page


def test_rejecting_an_appeal_needs_a_reason(login, t, q4):
    appeal = appeals.appeal_file(case=q4[0], by=t.officer, reason="应计奖励")
    client = login(t.office_user)
    url = f"/assessment/appeals/{appeal.pk}/decide/"
    # Refused: the page again, the reason next to the appeal, the choice made kept.
    response = client.post(url, {"decision": "reject", "override": "on_time"})
    assert response.status_code == 400
    page = html(response)
    card = page[page.index(f'id="appeal-{appeal.pk}"') :]
    assert "不予采纳的理由" in card[: card.index("</section>")]
    assert 'value="reject" checked' in card and 'value="on_time" selected' in card
    response = client.post(url, {"note": "先写好的意见"})
    assert response.status_code == 400
    assert "处理结果" in html(response) and ">先写好的意见</textarea>" in html(response)
    appeal.refresh_from_db()
    assert appeal.status == "pending"
    client.post(url, {"decision": "reject", "note": "按规定计入任务量"})
    appeal.refresh_from_db()
    assert appeal.status == "rejected"
    page = html(client.get(f"/assessment/{Q4}/appeals/"))
    assert "申诉未采纳" in page and "按规定计入任务量" in page


def test_only_the_office_decides_appeals(login, t, other_town, q4):
    appeal = appeals.appeal_file(case=q4[0], by=t.officer, reason="应计奖励")
    url = f"/assessment/appeals/{appeal.pk}/decide/"
    leader = login(t.leader)
    assert "提交处理结果" not in html(leader.get(f"/assessment/{Q4}/appeals/"))
    response = leader.post(url, {"decision": "reject", "note": "x"})
    assert response.status_code == 403 and "只有镇政法综治办可以处理申诉" in html(response)
    for user in (t.officer, other_town.office_user, t.center_user):
        assert login(user).post(url, {"decision": "reject", "note": "x"}).status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == "pending"


# ---------------------------------------------------------------- query counts


def _more_officers_and_cases(t, n: int) -> None:
    for i in range(n):
        # The builders file cases of officers other than t.officer in the other village.
        officer = make_user(f"extra{i}", t.town, "officer", village=t.other_village)
        closed_locally(t, local(2026, 10, 20, 9), by=officer)
        closed_locally(t, local(2026, 11, 20, 9), by=officer)


def test_the_pages_cost_the_same_with_more_officers_and_cases(
    login, t, q4, django_assert_max_num_queries
):
    appeals.appeal_file(case=q4[0], by=t.officer, reason="应计奖励")
    pages = {
        # ... + the quarters' statuses, their cases and deadlines (one read), pending appeals
        # (+ the town's stamp, under which the cases and deadlines are kept: dashboard_cache)
        "/assessment/": 8,
        # session, user, roles, the town's stamp; quarter row, policy versions, accepted
        # appeals, the office's reviews, confirmed duplicates, cases, adjustments, officers;
        # quarter status (row, deadlines, pending appeals); unread count; for the office, the
        # padding signals: five reads (the period's cases, their photos' hashes, the officers'
        # names, the year's officer-month counts…) whatever their number
        f"/assessment/{Q4}/": 16 + 5,
        "/assessment/2026-10/": 12 + 5,
        f"/assessment/{Q4}/officers/{t.officer.pk}/": 13,
        f"/assessment/{Q4}/appeals/": 6,
        f"/assessment/{Q4}/payroll.xlsx": 11,
        f"/assessment/{Q4}/result.json": 11,
    }
    office = login(t.office_user)
    office.get(f"/assessment/{Q4}/")  # warm the process caches (the calendar)
    for url, limit in pages.items():
        with django_assert_max_num_queries(limit):
            assert office.get(url).status_code == 200, url
    _more_officers_and_cases(t, 6)
    appeals.appeal_file(case=q4[1], by=t.officer, reason="再一件")
    for url, limit in pages.items():
        with django_assert_max_num_queries(limit):
            response = office.get(url)
        assert response.status_code == 200, url
    assert len(json.loads(response.content)["officers"]) == 8  # the last page: the JSON
    client = login(t.officer)
    with django_assert_max_num_queries(13):
        assert client.get(f"/assessment/{Q4}/officers/{t.officer.pk}/").status_code == 200


# ---------------------------------------------------------------- what people are told


def test_a_finalised_quarter_reaches_the_leaders_inbox_with_a_link_to_it(login, t, q4):
    login(t.office_user).post(f"/assessment/{Q4}/finalise/", CONFIRM)
    [item] = InboxItem.objects.filter(user=t.leader).select_related("notification")
    assert item.notification.kind == "quarter_ready"
    assert Q4 in item.notification.title
    assert not InboxItem.objects.filter(user=t.office_user).exists()  # who finalised it
    client = login(t.leader)
    response = client.get(f"/inbox/{item.pk}/open/")
    assert response["Location"] == f"/assessment/{Q4}/"
    assert 'id="approve-form"' in html(client.get(response["Location"]))


def test_the_officer_is_told_the_decision_on_their_appeal(login, t, q4):
    appeal = appeals.appeal_file(case=q4[0], by=t.officer, reason="应计奖励")
    login(t.office_user).post(
        f"/assessment/appeals/{appeal.pk}/decide/", {"decision": "reject", "note": "按规定计入"}
    )
    [item] = InboxItem.objects.filter(
        user=t.officer, notification__kind="appeal_decided"
    ).select_related("notification")
    body = item.notification.body
    assert "未采纳" in body and "按规定计入" in body and q4[0].number in body
    response = login(t.officer).get(f"/inbox/{item.pk}/open/")
    assert response["Location"] == f"/assessment/{Q4}/officers/{t.officer.pk}/"


# ---------------------------------------------------------------- adjustments


def test_the_office_adjusts_an_approved_quarter_into_the_next(login, t, q4):
    office = login(t.office_user)
    data = {"officer": t.officer.pk, "amount": "-10", "reason": "11月一起事件重复录入"}
    response = office.post(f"/assessment/{Q4}/adjust/", data, follow=True)
    assert any("调整只用于已审批的季度" in m for m in messages_of(response))
    assert 'id="adjust-form"' not in html(response)

    office.post(f"/assessment/{Q4}/finalise/", CONFIRM)
    login(t.leader).post(f"/assessment/{Q4}/approve/", CONFIRM)
    office = login(t.office_user)
    assert 'id="adjust-form"' in html(office.get(f"/assessment/{Q4}/"))
    response = office.post(f"/assessment/{Q4}/adjust/", dict(data, amount="十元"))
    assert response.status_code == 400 and "应为非零金额" in html(response)
    assert 'value="十元"' in html(response) and '<details id="adjust" open>' in html(response)
    assert not Adjustment.objects.exists()
    response = office.post(f"/assessment/{Q4}/adjust/", data, follow=True)
    assert any("-10.00 元" in m and "2027-Q1" in m for m in messages_of(response))

    page = html(office.get("/assessment/2027-Q1/"))
    assert "调整" in page and "-10.00 元" in page
    page = html(login(t.officer).get(f"/assessment/2027-Q1/officers/{t.officer.pk}/"))
    assert "2026-Q4 更正" in page and "11月一起事件重复录入" in page

    leader = login(t.leader).post(f"/assessment/{Q4}/adjust/", data)
    assert leader.status_code == 403 and "只有镇政法综治办可以录入考核调整" in html(leader)
