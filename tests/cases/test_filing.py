"""Filing: where a new draft belongs, and a report filed on an officer's behalf (Open311)."""

from __future__ import annotations

import pytest
from django.utils import translation

from gridcase.cases import filing
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.cases.models import Case, Source
from gridcase.org.models import Role
from tests.factories import local, make_user

AT = local(2026, 10, 14, 9)
REPORT = {"category": "dispute", "course": "路灯坏了", "location": "东村3组"}


def test_an_officers_draft_goes_to_their_own_village_when_none_is_named(t):
    assert filing.draft_place(t.officer) == (t.town, None)


def test_a_named_grid_brings_its_village(t):
    assert filing.draft_place(t.officer, grid_id=t.grid.pk) == (t.town, t.village)


def test_a_village_of_a_town_where_one_has_no_role_is_refused(t, other_town):
    with pytest.raises(CaseError) as refused:
        filing.draft_place(t.officer, village_id=other_town.village.pk)
    assert "village" in refused.value.fields


def test_an_officer_of_two_towns_must_name_the_village(t, other_town):
    twice = make_user("twice", t.town, "officer", village=t.village)
    elsewhere = other_town.village
    Role.objects.create(user=twice, town=elsewhere.town, kind="officer", village=elsewhere)
    with pytest.raises(CaseError) as refused:
        filing.draft_place(twice)
    assert "village" in refused.value.fields
    assert filing.draft_place(twice, village_id=t.village.pk) == (t.town, t.village)


def test_only_officers_start_drafts(t):
    with pytest.raises(ActionNotAllowed):
        filing.draft_place(t.center_user)


def test_a_report_is_filed_pending_with_what_it_lacks_recorded(t):
    case = filing.file_report(
        town=t.town,
        village=t.village,
        grid=t.grid,
        officer=t.officer,
        source=Source.OPEN311,
        content=REPORT,
        at=AT,
    )
    assert (case.state, case.level, case.source, case.officer) == (
        "pending",
        "grid",
        "open311",
        t.officer,
    )
    assert case.accept_due is not None and case.first_accept_due == case.accept_due
    assert case.missing_elements  # no time, no people, no cause: recorded, not refused
    submit = case.timeline.get(action="submit")
    assert submit.actor is None and submit.data["missing"]


def test_a_report_is_checked_by_the_workflow_as_the_officers_submit(t):
    # The village's station is no officer: the workflow refuses to submit in its name.
    with pytest.raises(ActionNotAllowed):
        filing.file_report(
            town=t.town,
            village=t.village,
            grid=t.grid,
            officer=t.station_user,
            source=Source.OPEN311,
            content=REPORT,
            at=AT,
        )
    assert not Case.objects.exists()


def test_what_a_report_lacks_is_stored_in_chinese_whatever_the_language(t):
    # The case's missing elements and the timeline's note are stored and read by the
    # assessment as written; a request in English must not store English.
    with translation.override("en"):
        case = filing.file_report(
            town=t.town,
            village=t.village,
            grid=t.grid,
            officer=t.officer,
            source=Source.OPEN311,
            content=REPORT,
            at=AT,
        )
    assert case.missing_elements == [
        "缺少发生时间",
        "缺少人物",
        "缺少起因",
        "矛盾纠纷需要至少两方当事人",
    ]
    note = case.timeline.get(action="submit").note
    assert note == "缺少要素:缺少发生时间;缺少人物;缺少起因;矛盾纠纷需要至少两方当事人"


def test_a_refused_submit_is_worded_in_the_readers_language(t):
    draft = filing.case_create_draft(town=t.town, by=t.officer, data={"category": "other"}, at=AT)
    with pytest.raises(CaseError) as refused:
        filing.case_submit(case=draft, by=t.officer, at=AT)
    assert refused.value.message.startswith("不能提交,缺少以下要素:缺少发生时间;")
    with translation.override("en"), pytest.raises(CaseError) as refused:
        filing.case_submit(case=draft, by=t.officer, at=AT)
    assert refused.value.message.startswith("Cannot be submitted. Missing: When it happened;")
    assert refused.value.fields["location"] == ["Missing: Where"]
