"""Attachments, follow-ups, quality review and the on-the-spot close."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridcase.cases import attachments, filing, services
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.cases.models import Attachment
from tests.factories import CLOSE_DISPUTE, complete_data, local, submitted_case

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_photo_is_attached_and_recorded(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    upload = SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg")
    attachment = attachments.case_attach(case=case, by=t.officer, upload=upload)
    assert attachment.content_type == "image/jpeg"
    assert case.timeline.filter(action="attach").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "word"),
    [
        ("evil.exe", b"MZ\x90\x00", "不支持"),
        ("fake.jpg", b"<html>not an image</html>", "不符"),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_is_kept(t, name, content, word):
    case = submitted_case(t, local(2026, 10, 12, 9))
    with pytest.raises(CaseError) as err:
        attachments.case_attach(case=case, by=t.officer, upload=SimpleUploadedFile(name, content))
    assert word in err.value.message
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused(t, settings):
    settings.GRIDCASE_ATTACHMENT_MAX_BYTES = 10
    case = submitted_case(t, local(2026, 10, 12, 9))
    with pytest.raises(CaseError) as err:
        attachments.case_attach(case=case, by=t.officer, upload=SimpleUploadedFile("a.jpg", JPEG))
    assert "过大" in err.value.message


def test_on_the_spot_submits_accepts_and_closes_at_once(t):
    at = local(2026, 10, 12, 9)
    case = filing.case_create_draft(town=t.town, by=t.officer, data=complete_data(at), at=at)
    services.case_handle_on_spot(case=case, by=t.officer, data=CLOSE_DISPUTE, at=at)
    assert (case.state, case.local_outcome, case.closed_level) == ("closed", "closed", "grid")
    actions = list(case.timeline.values_list("action", flat=True))
    assert actions == ["create", "submit", "accept", "close"]


def test_on_the_spot_without_a_mediation_record_leaves_the_draft_untouched(t):
    at = local(2026, 10, 12, 9)
    case = filing.case_create_draft(town=t.town, by=t.officer, data=complete_data(at), at=at)
    with pytest.raises(CaseError):
        services.case_handle_on_spot(case=case, by=t.officer, data={"result": "好了"}, at=at)
    case.refresh_from_db()
    assert case.state == "draft"
    assert list(case.timeline.values_list("action", flat=True)) == ["create"]


def test_follow_up_of_a_closed_dispute(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 9))
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 12, 10))
    services.case_follow_up(
        case=case,
        by=t.officer,
        visited_on=date(2026, 10, 20),
        method="phone",
        satisfied=True,
        note="已履行",
        at=local(2026, 10, 20, 9),
    )
    assert case.follow_ups.count() == 1
    with pytest.raises(CaseError):
        services.case_follow_up(
            case=case, by=t.officer, visited_on=date(2026, 10, 21), method="fax", satisfied=None,
            at=local(2026, 10, 20, 9),
        )  # fmt: skip


def test_quality_review_by_the_office_with_major_removed(t):
    case = submitted_case(t, local(2026, 10, 12, 9), major=True)
    with pytest.raises(CaseError):
        services.case_review(case=case, by=t.office_user, quality="nonconforming", note="")
    services.case_review(
        case=case, by=t.office_user, quality="nonconforming", note="经过过于简单", major=False
    )
    case.refresh_from_db()
    assert (case.quality, case.quality_note, case.major) == ("nonconforming", "经过过于简单", False)
    entry = case.timeline.get(action="review")
    assert entry.data["was_major"] is True


def test_only_the_office_reviews_quality(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    with pytest.raises(ActionNotAllowed):
        services.case_review(case=case, by=t.center_user, quality="conforming")


def test_major_is_only_for_disputes_and_hazards(t):
    at = local(2026, 10, 12, 9)
    with pytest.raises(CaseError) as err:
        filing.case_create_draft(
            town=t.town, by=t.officer, data={"category": "livelihood_service", "major": True}, at=at
        )
    assert "major" in err.value.fields


def test_the_village_returns_to_the_officer_who_must_act_again(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 9))
    services.case_escalate(case=case, by=t.officer, note="上报", at=local(2026, 10, 12, 10))
    services.case_return(
        case=case, by=t.station_user, reason="网格可处理", at=local(2026, 10, 13, 9)
    )
    assert (case.state, case.level, case.handle_due) == ("handling", "grid", case.local_due)
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 14, 9))
    assert case.local_outcome == "closed"


def test_an_occurrence_in_the_future_is_refused(t):
    with pytest.raises(CaseError) as err:
        filing.case_create_draft(
            town=t.town, by=t.officer, data={"occurred_at": local(2099, 1, 1, 9)}
        )
    assert "occurred_at" in err.value.fields


def test_a_draft_cannot_name_a_grid_of_another_village(t):
    from gridcase.org.models import Grid

    foreign = Grid.objects.get(village=t.other_village)
    with pytest.raises(ActionNotAllowed):
        filing.case_create_draft(town=t.town, by=t.officer, data={"grid": foreign})
