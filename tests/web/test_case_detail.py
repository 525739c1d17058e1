"""The case page: elements, parties, attachments, deadlines, timeline, and only allowed actions."""

import io

import pytest

from gridcase.assessment.models import Appeal
from gridcase.cases import attachments, filing, services
from tests.factories import local, submitted_case

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def action_names(response) -> list[str]:
    return [a["name"] for a in response.context["actions"]]


def test_the_page_shows_every_element_and_the_timeline(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9), title="围墙纠纷")
    response = login(t.officer).get(f"/cases/{case.number}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "围墙纠纷",
        "东村3组",
        "张三、李四",
        "宅基地边界",
        "两家因围墙位置争执",
        "2026-10-15",
    ):
        assert text in html
    assert [i["title"] for i in response.context["timeline"]] == ["录入", "提交"]
    assert response.context["light"] == "yellow"


def test_a_role_outside_the_scope_gets_404_everywhere(login, t, other_town, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    attachment = attachments.case_attach(case=case, by=t.officer, upload=_png())
    for user in (t.other_officer, t.other_station_user, t.department_user, other_town.center_user):
        client = login(user)
        response = client.get(f"/cases/{case.number}/")
        assert response.status_code == 404
        assert "不在您的办理范围内" in response.content.decode()
        assert "东村3组" not in response.content.decode()
        assert client.get(f"/cases/{case.number}/files/{attachment.pk}/").status_code == 404
        response = client.post(f"/cases/{case.number}/act/accept/", {"accept-version": 1})
        assert response.status_code == 404


def test_phones_are_full_for_handlers_and_masked_for_others(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    handler = login(t.officer).get(f"/cases/{case.number}/").content.decode()
    assert "13800138001" in handler
    office = login(t.office_user).get(f"/cases/{case.number}/").content.decode()
    assert "13800138001" not in office and "138****8001" in office


def test_only_the_actions_allowed_now_are_offered(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    assert action_names(login(t.officer).get(f"/cases/{case.number}/")) == [
        "accept",
        "attach",
        "void",
    ]
    assert action_names(login(t.station_user).get(f"/cases/{case.number}/")) == [
        "urge",
        "attach",
    ]
    assert action_names(login(t.office_user).get(f"/cases/{case.number}/")) == [
        "urge",
        "review",
        "void",
    ]
    assert action_names(login(t.leader).get(f"/cases/{case.number}/")) == ["urge"]
    html = login(t.leader).get(f"/cases/{case.number}/").content.decode()
    assert "/act/accept/" not in html


def test_attachments_are_served_only_through_the_scoped_view(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    attachment = attachments.case_attach(case=case, by=t.officer, upload=_png())
    response = login(t.station_user).get(f"/cases/{case.number}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    other = submitted_case(t, local(2026, 10, 13, 9))
    wrong_case = login(t.officer).get(f"/cases/{other.number}/files/{attachment.pk}/")
    assert wrong_case.status_code == 404


def test_detail_query_count(login, t, frozen, django_assert_num_queries, layout_queries):
    case = submitted_case(t, local(2026, 10, 13, 9))
    attachments.case_attach(case=case, by=t.officer, upload=_png())
    client = login(t.center_user)
    client.get(f"/cases/{case.number}/")
    # session, user, case, roles, parties, attachments, extensions, follow-ups, timeline,
    # calendar; and (integrity.md) its suspects: kept pairs, the policy, one candidate read;
    # and whether the office's judgement (nonconforming or duplicate) refuses the center a void;
    # and the one UPDATE that reads the case's inbox messages; the names of the units behind
    # the levels (the timeline names them: issue 14)
    with django_assert_num_queries(16 + layout_queries(t.center_user)):
        assert client.get(f"/cases/{case.number}/").status_code == 200


def test_draft_page_offers_edit_and_submit_to_its_officer_only(login, t, frozen):
    draft = filing.case_create_draft(town=t.town, by=t.officer, data={"location": "东村"})
    response = login(t.officer).get(f"/cases/{draft.number}/")
    assert response.context["can_edit"] and "submit" in action_names(response)
    # The draft lacks elements: its step is shown, disabled, with what is missing.
    (step,) = response.context["primary"]
    assert step["name"] == "submit_accept" and "缺少" in step["blocked"]
    assert login(t.station_user).get(f"/cases/{draft.number}/").status_code == 404


def _png():
    upload = io.BytesIO(PNG)
    upload.name = "photo.png"
    upload.size = len(PNG)
    return upload


def primary_names(response) -> list[str]:
    return [a["name"] for a in response.context["primary"]]


def more_names(response) -> list[str]:
    return [a["name"] for a in response.context["more"]]


def test_the_next_step_comes_first_with_its_form_open_and_the_rest_behind_more(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    response = login(t.officer).get(f"/cases/{case.number}/")
    # Pending at the grid: take it on and settle it in one step, or only take it on.
    assert primary_names(response) == ["accept_close", "accept"]
    assert more_names(response) == ["attach", "void"]
    html = response.content.decode()
    assert 'id="action-accept_close"' in html and "受理并结案" in html
    assert html.index("受理并结案") < html.index("更多操作")
    # A follow-up visit comes after the close: shown, disabled, with the reason.
    assert [u["reason"] for u in response.context["later"]] == ["结案后才能回访"]
    services.case_accept(case=case, by=t.officer)
    response = login(t.officer).get(f"/cases/{case.number}/")
    assert primary_names(response) == ["close", "escalate"]


def test_the_next_level_reads_why_the_case_came_and_the_timeline_names_units(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    services.case_accept(case=case, by=t.officer)
    services.case_escalate(case=case, by=t.officer, note="需村里协调")
    response = login(t.station_user).get(f"/cases/{case.number}/")
    assert primary_names(response) == ["accept_close", "accept"]
    handover = response.context["handover"]
    assert (handover["entry"].note, str(handover["label"])) == ("需村里协调", "上报理由")
    assert "需村里协调" in response.content.decode().split('id="actions"')[1]
    services.case_accept(case=case, by=t.station_user)
    services.case_escalate(case=case, by=t.station_user, note="需镇里")
    services.case_accept(case=case, by=t.center_user)
    services.case_dispatch(case=case, by=t.center_user, department=t.department, note="请核查")
    timeline = login(t.center_user).get(f"/cases/{case.number}/").context["timeline"]
    dispatch = next(i for i in timeline if i["entry"].action == "dispatch")
    assert (dispatch["from_level"], dispatch["to_level"]) == (
        f"镇社会服务管理中心({t.center.name})",
        f"部门({t.department.name})",
    )


def test_the_center_closes_from_the_departments_report(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    services.case_accept(case=case, by=t.officer)
    services.case_escalate(case=case, by=t.officer, note="需村里")
    services.case_accept(case=case, by=t.station_user)
    services.case_escalate(case=case, by=t.station_user, note="需镇里")
    services.case_accept(case=case, by=t.center_user)
    services.case_dispatch(case=case, by=t.center_user, department=t.department)
    services.case_accept(case=case, by=t.department_user)
    services.case_report(case=case, by=t.department_user, result="已拆除违建围墙")
    response = login(t.center_user).get(f"/cases/{case.number}/")
    (close,) = response.context["primary"]
    assert close["name"] == "close"
    assert close["form"]["result"].value() == "已拆除违建围墙"
    assert str(response.context["handover"]["label"]) == "部门办理结果"


def test_the_officer_appeals_from_the_case_page(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    assert not response_has_appeal(login(t.station_user).get(f"/cases/{case.number}/"))
    officer = login(t.officer)
    assert response_has_appeal(officer.get(f"/cases/{case.number}/"))
    url = f"/cases/{case.number}/appeal/"
    # Refused for what it lacks: the case page again, the appeal open, the problem by its
    # field, what was typed kept.
    too_long = "因" * 2001
    response = officer.post(url, {"reason": too_long})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<details id="action-appeal" open>' in page and too_long in page
    assert 'id="appeal_reason_error"' in page
    assert not Appeal.objects.filter(case=case).exists()
    response = officer.post(url, {"reason": "已补充起因"})
    assert response.status_code == 302 and response.url == f"/cases/{case.number}/"
    assert Appeal.objects.get(case=case).status == "pending"
    # One appeal pending at a time: no second offer.
    assert not response_has_appeal(officer.get(f"/cases/{case.number}/"))
    # Only the case's officer appeals: anyone else is refused in words.
    assert login(t.station_user).post(url, {"reason": "不是我的"}).status_code == 403


def response_has_appeal(response) -> bool:
    return 'id="action-appeal"' in response.content.decode()
