"""Actions from the case page: each validates, says what is missing, and redirects on success."""

import io

import pytest

from gridcase.cases import filing, services
from gridcase.cases.models import Case, ExtensionRequest, TimelineEntry
from tests.factories import complete_data, local, submitted_case

pytestmark = pytest.mark.django_db


def act(client, case, action, **fields):
    data = {f"{action}-{k}": v for k, v in fields.items()}
    data.setdefault(f"{action}-version", Case.objects.get(pk=case.pk).version)
    return client.post(f"/cases/{case.number}/act/{action}/", data)


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def at_town(t):
    """A case the village escalated to the town center, not yet accepted there."""
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村里", at=local(2026, 10, 12, 11))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 12))
    services.case_escalate(case=case, by=t.station_user, note="需镇里", at=local(2026, 10, 12, 13))
    return case


def test_accept_then_close_a_dispute_with_its_mediation_record(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    client = login(t.officer)
    response = act(client, case, "accept")
    assert response.status_code == 302 and response.url == f"/cases/{case.number}/"
    assert fresh(case).state == "handling"
    assert "已受理" in client.get(response.url).content.decode()

    response = act(client, case, "close", result="已调解")
    assert response.status_code == 400
    errors = {a["name"]: a["form"].errors for a in response.context["actions"]}
    assert errors["close"]["mediator"] == ["缺少调解人"]
    assert "缺少调解结果" in response.content.decode()
    assert fresh(case).state == "handling"

    response = act(
        client,
        case,
        "close",
        result="双方同意按原界线重建围墙",
        mediator="王调解",
        mediation_result="agreed",
        agreement_form="written",
        agreement_terms="围墙按原界线重建\n费用各半",
    )
    assert response.status_code == 302
    case = fresh(case)
    assert (case.state, case.closed_level) == ("closed", "grid")
    assert case.agreement_terms == ["围墙按原界线重建", "费用各半"]


def test_the_village_station_escalates_with_a_reason(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村里", at=local(2026, 10, 12, 11))
    client = login(t.station_user)
    assert act(client, case, "accept").status_code == 302
    response = act(client, case, "escalate", note="")
    assert response.status_code == 400 and "请填写上报理由" in response.content.decode()
    assert act(client, case, "escalate", note="涉及多村,需镇协调").status_code == 302
    case = fresh(case)
    assert (case.state, case.level, case.local_outcome) == ("pending", "town", "escalated")


def test_the_town_center_dispatches_to_a_department_which_reports(login, t, at_town, frozen):
    center = login(t.center_user)
    assert act(center, at_town, "accept").status_code == 302
    response = act(center, at_town, "dispatch", department="")
    assert response.status_code == 400 and "请选择承办部门" in response.content.decode()
    response = act(center, at_town, "dispatch", department=t.department.pk, note="请派出所处理")
    assert response.status_code == 302
    case = fresh(at_town)
    assert (case.level, case.department_id, case.state) == (
        "department",
        t.department.pk,
        "pending",
    )

    dept = login(t.department_user)
    assert act(dept, case, "accept").status_code == 302
    assert act(dept, case, "report", result="已处理,双方和解").status_code == 302
    case = fresh(case)
    assert (case.state, case.level) == ("reported", "town")
    center = login(t.center_user)
    assert act(center, case, "close", result="按部门意见结案").status_code == 302
    assert fresh(case).state == "closed"


def test_a_department_may_not_dispatch(login, t, at_town, frozen):
    services.case_accept(case=at_town, by=t.center_user)
    services.case_dispatch(case=at_town, by=t.center_user, department=t.department)
    response = act(login(t.department_user), at_town, "dispatch", department=t.department.pk)
    assert response.status_code == 403
    assert "不能分流" in response.content.decode()


def test_return_urge_and_void_need_their_reason(login, t, at_town, frozen):
    center = login(t.center_user)
    response = act(center, at_town, "return", reason="")
    assert response.status_code == 400 and "请填写原因" in response.content.decode()
    assert act(center, at_town, "return", reason="请村里先调解").status_code == 302
    assert (fresh(at_town).level, fresh(at_town).state) == ("village", "handling")

    office = login(t.office_user)
    assert act(office, at_town, "urge", note="").status_code == 400
    assert act(office, at_town, "urge", note="请尽快办理").status_code == 302
    assert TimelineEntry.objects.filter(case=at_town, action="urge").exists()
    assert act(office, at_town, "void", reason="").status_code == 400
    # Irreversible: refused until the tick that says what will happen (issue 14).
    response = act(office, at_town, "void", reason="重复录入")
    assert response.status_code == 400 and "请勾选确认后再作废" in response.content.decode()
    assert act(office, at_town, "void", reason="重复录入", confirm="on").status_code == 302
    assert fresh(at_town).state == "voided"


def test_extension_requested_by_a_department_and_decided_by_the_center(login, t, at_town, frozen):
    services.case_accept(case=at_town, by=t.center_user)
    services.case_dispatch(case=at_town, by=t.center_user, department=t.department)
    services.case_accept(case=at_town, by=t.department_user)
    dept = login(t.department_user)
    response = act(dept, at_town, "request_extension", working_days=40, reason="x")
    assert response.status_code == 400
    assert (
        act(dept, at_town, "request_extension", working_days=3, reason="需现场勘查").status_code
        == 302
    )
    before = fresh(at_town).handle_due
    center = login(t.center_user)
    page = center.get(f"/cases/{at_town.number}/")
    assert "decide_extension" in [a["name"] for a in page.context["actions"]]
    assert act(center, at_town, "decide_extension", decision="").status_code == 400
    assert (
        act(center, at_town, "decide_extension", decision="approve", note="同意").status_code == 302
    )
    assert ExtensionRequest.objects.get().status == "approved"
    assert fresh(at_town).handle_due > before


def test_follow_up_and_quality_review(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer)
    services.case_close(
        case=case,
        by=t.officer,
        data={
            "result": "已调解",
            "mediator": "王",
            "mediation_result": "not_agreed",
        },
    )
    officer = login(t.officer)
    response = act(officer, case, "follow_up", visited_on="", method="phone")
    assert response.status_code == 400 and "请填写回访日期" in response.content.decode()
    response = act(
        officer, case, "follow_up", visited_on="2026-10-14", method="visit", satisfied="yes"
    )
    assert response.status_code == 302
    assert case.follow_ups.get().satisfied is True

    office = login(t.office_user)
    response = act(office, case, "review", quality="nonconforming", quality_note="")
    assert response.status_code == 400 and "请填写不合格原因" in response.content.decode()
    assert act(office, case, "review", quality="conforming", major="yes").status_code == 302
    case = fresh(case)
    assert (case.quality, case.major) == ("conforming", True)


def test_a_stale_page_gets_a_conflict_message_not_an_error(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    stale_version = case.version
    services.case_accept(case=case, by=t.officer)  # someone else acted meanwhile
    response = act(
        login(t.officer), case, "void", reason="重复", confirm="on", version=stale_version
    )
    assert response.status_code == 409
    assert "已被他人处理" in response.content.decode()
    assert fresh(case).state == "handling"


def test_an_action_that_is_not_allowed_now_is_refused_in_words(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    response = act(login(t.officer), case, "close", result="x")
    assert response.status_code == 403
    assert "不能结案" in response.content.decode()
    assert login(t.officer).post(f"/cases/{case.number}/act/fly/", {}).status_code == 404
    assert login(t.officer).get(f"/cases/{case.number}/act/accept/").status_code == 405


def test_submit_from_the_case_page_names_what_is_missing(login, t, frozen):
    draft = filing.case_create_draft(town=t.town, by=t.officer, data={"location": "东村"})
    response = act(login(t.officer), draft, "submit")
    assert response.status_code == 400
    assert "缺少起因" in response.content.decode()


def test_attach_a_file_from_the_case_page(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    client = login(t.station_user)
    response = client.post(
        f"/cases/{case.number}/act/attach/",
        {"attach-version": case.version, "files": [_file("a.pdf", b"%PDF-1.4 test")]},
    )
    assert response.status_code == 302
    assert case.attachments.get().content_type == "application/pdf"
    response = client.post(f"/cases/{case.number}/act/attach/", {"attach-version": 0})
    assert response.status_code == 400 and "请选择要上传的文件" in response.content.decode()


def _file(name, content):
    f = io.BytesIO(content)
    f.name = name
    return f


def test_an_officer_hands_in_and_takes_on_a_draft_in_one_step(login, t, frozen):
    draft = filing.case_create_draft(
        town=t.town, by=t.officer, data=complete_data(local(2026, 10, 13, 9))
    )
    response = act(login(t.officer), draft, "submit_accept")
    assert response.status_code == 302
    assert fresh(draft).state == "handling"
    actions = list(TimelineEntry.objects.filter(case=draft).values_list("action", flat=True))
    assert actions[-2:] == ["submit", "accept"]


def test_a_refused_close_undoes_the_acceptance_of_the_same_step(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    response = act(login(t.officer), case, "accept_close", result="已调解")
    assert response.status_code == 400 and "缺少调解人" in response.content.decode()
    assert fresh(case).state == "pending"  # nothing half-done
    # The page shows the case as it is: the step again, its form open with what was typed.
    (step, _accept) = response.context["primary"]
    assert step["name"] == "accept_close" and step["form"]["result"].value() == "已调解"
    assert not TimelineEntry.objects.filter(case=case, action="accept").exists()


def test_the_center_takes_on_and_dispatches_in_one_step(login, t, at_town, frozen):
    response = act(
        login(t.center_user), at_town, "accept_dispatch", department=t.department.pk, note="请核查"
    )
    assert response.status_code == 302
    case = fresh(at_town)
    assert (case.level, case.state, case.department_id) == (
        "department",
        "pending",
        t.department.pk,
    )


def test_a_step_is_refused_to_someone_who_may_not_take_it(login, t, at_town, frozen):
    response = act(login(t.station_user), at_town, "accept_dispatch", department=t.department.pk)
    assert response.status_code == 403
    assert fresh(at_town).state == "pending"
