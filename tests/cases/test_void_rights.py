"""Who may void a case, as the README says: the officer before escalation, the town center and
the governance office at any level — never the village station."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from gridcase.cases import services, workflow
from gridcase.cases.errors import ActionNotAllowed
from gridcase.cases.selectors import allowed_actions
from tests.factories import local, submitted_case

NOW = local(2026, 10, 14, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def at_village(t):
    """A case the officer escalated to the village station, which accepted it."""
    case = submitted_case(t, local(2026, 10, 13, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 13, 9, 5))
    services.case_escalate(case=case, by=t.officer, note="需村站协调", at=local(2026, 10, 13, 10))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 13, 11))
    return case


@pytest.mark.parametrize("level", ["grid", "village", "town", "department"])
def test_the_table_lets_only_the_documented_roles_void(level):
    expected = {workflow.CENTER, workflow.OFFICE} | (
        {workflow.OFFICER} if level == "grid" else set()
    )
    assert workflow.rule_for("void", level).roles == expected


def test_the_village_station_cannot_void_a_village_case(t, at_village):
    assert at_village.level == "village" and at_village.state == "handling"
    assert "void" not in allowed_actions(t.station_user, at_village)
    assert "void" not in allowed_actions(t.officer, at_village)  # escalated: no longer theirs
    with pytest.raises(ActionNotAllowed):
        services.case_void(case=at_village, by=t.station_user, reason="不属实")
    with pytest.raises(ActionNotAllowed):
        services.case_void(case=at_village, by=t.officer, reason="不属实")
    # Through the workbench and the API the station is refused in words (403), and the
    # workbench does not offer the button.
    web = Client()
    web.force_login(t.station_user)
    page = web.get(f"/cases/{at_village.number}/").content.decode()
    assert "/act/void/" not in page and "/act/close/" in page
    refused = web.post(f"/cases/{at_village.number}/act/void/", {"reason": "不属实"})
    assert refused.status_code == 403
    api = APIClient()
    api.force_login(t.station_user)
    response = api.post(
        f"/api/v1/cases/{at_village.number}/void/", {"reason": "不属实"}, format="json"
    )
    assert response.status_code == 403
    at_village.refresh_from_db()
    assert at_village.state == "handling"


@pytest.mark.parametrize("who", ["center_user", "office_user"])
def test_the_center_and_the_office_void_at_the_village(t, at_village, who):
    assert "void" in allowed_actions(getattr(t, who), at_village)
    services.case_void(case=at_village, by=getattr(t, who), reason="重复录入")
    assert at_village.state == "voided"


def test_the_officer_voids_before_escalation(t):
    case = submitted_case(t, local(2026, 10, 13, 9))
    assert "void" not in allowed_actions(t.station_user, case)
    services.case_void(case=case, by=t.officer, reason="录入有误")
    assert case.state == "voided"


def test_after_the_office_judges_a_case_nonconforming_only_the_office_voids_it(t):
    # The loophole: the officer voided the case the office had just judged nonconforming,
    # and so escaped the deduction (assessment.md, "Voiding after a judgement").
    case = submitted_case(t, local(2026, 10, 13, 9))
    services.case_review(case=case, by=t.office_user, quality="nonconforming", note="经过不实")
    for who in (t.officer, t.center_user):
        assert "void" not in allowed_actions(who, case)
        with pytest.raises(ActionNotAllowed) as refused:
            services.case_void(case=case, by=who, reason="录入有误")
        assert "综治办" in str(refused.value)
    web = Client()
    web.force_login(t.officer)
    assert "/act/void/" not in web.get(f"/cases/{case.number}/").content.decode()
    assert web.post(f"/cases/{case.number}/act/void/", {"reason": "录入有误"}).status_code == 403
    api = APIClient()
    api.force_login(t.officer)
    response = api.post(f"/api/v1/cases/{case.number}/void/", {"reason": "录入有误"}, format="json")
    assert response.status_code == 403 and "综治办" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "pending"
    # The office itself may void it; the judgement stays on the timeline.
    assert "void" in allowed_actions(t.office_user, case)
    services.case_void(case=case, by=t.office_user, reason="重复录入")
    assert case.state == "voided"
    assert list(case.timeline.values_list("action", flat=True))[-2:] == ["review", "void"]


def test_a_conforming_judgement_leaves_voiding_as_it_was(t):
    case = submitted_case(t, local(2026, 10, 13, 9))
    services.case_review(case=case, by=t.office_user, quality="conforming")
    assert "void" in allowed_actions(t.officer, case)
    services.case_void(case=case, by=t.officer, reason="录入有误")
    assert case.state == "voided"


def test_the_judgements_refusal_is_worded_in_the_readers_language(t):
    case = submitted_case(t, local(2026, 10, 13, 9))
    services.case_review(case=case, by=t.office_user, quality="nonconforming", note="经过不实")
    with translation.override("en"), pytest.raises(ActionNotAllowed) as refused:
        services.case_void(case=case, by=t.center_user, reason="Entered by mistake")
    assert refused.value.message == (
        "The governance office has reviewed this case as nonconforming: only the governance "
        "office can void it"
    )
    with pytest.raises(ActionNotAllowed) as refused:
        services.case_void(case=case, by=t.center_user, reason="录入有误")
    assert refused.value.message == "综治办已评定该事件质量不合格,只有综治办可以作废"
