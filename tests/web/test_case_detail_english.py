"""The case page in English: what the system stored in Chinese (a lapsed extension's note, the
timeline's notes of an Open311 report, of the elements it lacks, of a duplicate decision) is
said in English, from the stored code and data; in Chinese it shows as stored."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from gridcase.assessment import integrity_services
from gridcase.assessment.models import SuspectPair
from gridcase.cases import filing, services
from gridcase.cases.changes import LAPSED_NOTE
from gridcase.cases.models import Source
from gridcase.web.views.case_detail import missing_elements_shown
from tests.assessment.builders import closed_locally
from tests.cases.test_flow import _at_department
from tests.factories import local, submitted_case
from tests.web.test_english_pages import CJK

pytestmark = pytest.mark.django_db


def page(client, user, case, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    response = client.get(f"/cases/{case.number}/")
    assert response.status_code == 200
    return response


def notes(response) -> list[str]:
    return [item["note"] for item in response.context["timeline"] if item["note"]]


def test_a_lapsed_extensions_note_is_stored_as_before_and_shown_in_the_readers_language(
    client, t, frozen
):
    case = submitted_case(t, local(2026, 10, 12, 9))
    _at_department(t, case)
    asked = services.case_request_extension(
        case=case, by=t.department_user, working_days=3, reason="需现场勘查"
    )
    services.case_return(
        case=case, by=t.department_user, reason="不属本部门职责", at=local(2026, 10, 14, 9)
    )
    asked.refresh_from_db()
    # The API gives the stored text: unchanged, and old rows read the same.
    assert asked.status == "lapsed" and asked.decision_note == "事件已离开申请层级, 申请失效"
    assert asked.decision_note == LAPSED_NOTE

    english = page(client, t.center_user, case, "en").content.decode()
    assert "Lapsed(The case has left the level the request was made at" in english
    assert "申请失效" not in english
    chinese = page(client, t.center_user, case, "zh-hans").content.decode()
    assert "已失效(事件已离开申请层级, 申请失效)" in chinese


def test_a_decision_note_in_someones_own_words_is_shown_as_written(client, t, frozen):
    case = submitted_case(t, local(2026, 10, 12, 9))
    _at_department(t, case)
    asked = services.case_request_extension(
        case=case, by=t.department_user, working_days=1, reason="需现场勘查"
    )
    asked.case = case
    services.case_decide_extension(
        request=asked, by=t.center_user, approve=False, note="事件已离开申请层级, 申请失效"
    )
    # Not lapsed: the same words, typed by a person, are theirs.
    english = page(client, t.center_user, case, "en").content.decode()
    assert "1 working day · Rejected(事件已离开申请层级, 申请失效)" in english


def test_an_open311_reports_notes_are_said_in_english(client, t, frozen):
    case = filing.file_report(
        town=t.town,
        village=t.village,
        grid=t.grid,
        officer=t.officer,
        source=Source.OPEN311,
        content={"category": "dispute", "course": "路灯坏了", "location": "东村3组"},
        at=local(2026, 10, 14, 9),
        note="群众通过 Open311 上报",
    )
    stored = [e.note for e in case.timeline.order_by("at", "pk") if e.note]
    assert stored[0] == "群众通过 Open311 上报" and stored[1].startswith("缺少要素:")

    english = notes(page(client, t.officer, case, "en"))
    assert english == [
        "Reported by the public through Open311",
        "Missing elements: When it happened, Persons, Cause, Parties",
    ]
    assert notes(page(client, t.officer, case, "zh-hans")) == stored
    # The case's own record of what it lacks (the checks' messages, stored).
    assert page(client, t.officer, case, "en").context["missing_elements"] == (
        "When it happened, Persons, Cause, Parties"
    )
    chinese = page(client, t.officer, case, "zh-hans").context["missing_elements"]
    assert chinese == ";".join(case.missing_elements) and "缺少发生时间" in chinese


def test_an_importers_words_for_what_a_case_lacks_are_named_by_their_element(t):
    stored = ["occurred_at", "协议方式(书面/口头)", "缺少当事人张三的联系电话", "其他说明"]
    with translation.override("en"):
        assert missing_elements_shown(stored) == (
            "When it happened, Agreement form, Parties, 其他说明"
        )
    with translation.override("zh-hans"):
        assert missing_elements_shown(stored) == ";".join(stored)


def test_a_duplicate_decisions_note_is_said_in_english_with_the_offices_own_words(
    client, t, time_machine
):
    time_machine.move_to(local(2026, 11, 20, 9), tick=False)
    at = local(2026, 10, 12, 9)
    first, second = closed_locally(t, at), closed_locally(t, at + timedelta(days=1))
    pairs = [
        SuspectPair.objects.create(
            town=t.town,
            case=later,
            similar_to=first,
            score=Decimal("0.9"),
            reasons=["描述相似度 1.00"],
            found_at=at + timedelta(days=1),
        )
        for later in (second, closed_locally(t, at + timedelta(days=2)))
    ]
    integrity_services.confirm(pairs[0], by=t.office_user, reason="同一纠纷重复录入")
    integrity_services.dismiss(pairs[1], by=t.office_user)
    third = pairs[1].case

    assert notes(page(client, t.office_user, second, "en"))[-1] == (
        f"The governance office confirmed that {second.number} repeats {first.number}: "
        "同一纠纷重复录入"
    )
    assert notes(page(client, t.office_user, third, "en"))[-1] == (
        f"The governance office found that {third.number} does not repeat {first.number}"
    )
    assert notes(page(client, t.office_user, second, "zh-hans"))[-1] == (
        f"综治办确认 {second.number} 与 {first.number} 重复: 同一纠纷重复录入"
    )


def test_what_the_page_says_of_the_timeline_in_english_has_no_chinese_of_its_own(client, t, frozen):
    case = filing.file_report(
        town=t.town,
        village=t.village,
        grid=t.grid,
        officer=t.officer,
        source=Source.OPEN311,
        content={"category": "other", "course": "x", "location": "y"},
        at=local(2026, 10, 14, 9),
        note="群众通过 Open311 上报",
    )
    for item in page(client, t.officer, case, "en").context["timeline"]:
        assert not CJK.search(f"{item['title']} {item['note']}")


def test_what_a_draft_lacks_is_named_in_english(client, t, frozen):
    draft = filing.case_create_draft(
        town=t.town,
        by=t.officer,
        data={
            "category": "dispute",
            "location": "东村",
            "parties": [{"name": "张三", "phone": ""}],
        },
    )
    (step,) = page(client, t.officer, draft, "en").context["primary"]
    assert step["blocked"] == (
        "Cannot be submitted yet, missing: When it happened, Persons, Cause, What happened, Parties"
    )
    (step,) = page(client, t.officer, draft, "zh-hans").context["primary"]
    assert step["blocked"].startswith("还不能提交,缺少:缺少发生时间、缺少人物")
    assert "矛盾纠纷需要至少两方当事人、缺少当事人张三的联系电话" in step["blocked"]
