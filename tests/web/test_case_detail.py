"""The case page: elements, parties, attachments, deadlines, timeline, and only allowed actions."""

import io

import pytest

from gridcase.cases import attachments, filing
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
        "follow_up",
        "attach",
        "void",
    ]
    assert action_names(login(t.station_user).get(f"/cases/{case.number}/")) == [
        "urge",
        "follow_up",
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
    # and the one UPDATE that reads the case's inbox messages
    with django_assert_num_queries(15 + layout_queries(t.center_user)):
        assert client.get(f"/cases/{case.number}/").status_code == 200


def test_draft_page_offers_edit_and_submit_to_its_officer_only(login, t, frozen):
    draft = filing.case_create_draft(town=t.town, by=t.officer, data={"location": "东村"})
    response = login(t.officer).get(f"/cases/{draft.number}/")
    assert response.context["can_edit"] and "submit" in action_names(response)
    assert login(t.station_user).get(f"/cases/{draft.number}/").status_code == 404


def _png():
    upload = io.BytesIO(PNG)
    upload.name = "photo.png"
    upload.size = len(PNG)
    return upload
