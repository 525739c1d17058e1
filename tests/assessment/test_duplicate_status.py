"""A confirmed duplicate pays nothing and names the case it repeats (assessment.md 5)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from gridcase.assessment import integrity_services, services
from gridcase.assessment.models import SuspectPair
from gridcase.assessment.rules import STATUSES, case_status
from gridcase.cases.errors import ActionNotAllowed, CaseError, Conflict
from gridcase.core.models import AuditEntry
from gridcase.core.policy import default_policy
from tests.assessment.builders import closed_locally, suspected
from tests.assessment.test_rules import AFTER_OCTOBER, case
from tests.factories import local

T0 = local(2026, 10, 12, 9)


def test_duplicate_is_a_status_after_voided_and_before_everything_else():
    assert "duplicate" in STATUSES
    fact = case(1, duplicate_of="CT-2026-00001", quality="nonconforming")
    assert case_status(fact, default_policy(), AFTER_OCTOBER) == (
        "duplicate",
        "综治办确认与 CT-2026-00001 重复, 不计入考核",
    )
    voided = case(2, duplicate_of="CT-2026-00001", voided=True)
    assert case_status(voided, default_policy(), AFTER_OCTOBER)[0] == "voided"


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2026, 11, 20, 9), tick=False)


def pair_of(t):
    first = closed_locally(t, T0)
    second = closed_locally(t, T0 + timedelta(days=1))
    pair = suspected(t, second, first, found_at=T0 + timedelta(days=1))
    return first, second, pair


def month_statuses(t):
    result = services.assess_period(town=t.town, months=["2026-10"])
    officer = next(o for o in result.officers if o.months[0].cases)
    return {c.case_no: (c.status, c.amount, c.reason) for c in officer.months[0].cases}


def test_confirming_makes_the_later_case_pay_nothing_citing_the_earlier(t):
    first, second, pair = pair_of(t)
    assert month_statuses(t)[second.number][0] == "quota"
    integrity_services.confirm(pair, by=t.office_user, reason="同一纠纷重复录入")
    statuses = month_statuses(t)
    assert statuses[second.number] == (
        "duplicate",
        Decimal("0.00"),
        f"综治办确认与 {first.number} 重复, 不计入考核",
    )
    assert statuses[first.number][0] == "quota"
    for c in (first, second):
        entry = c.timeline.order_by("-at", "-id").first()
        assert entry.action == "duplicate_confirmed"
        assert "同一纠纷重复录入" in entry.note
    audit = AuditEntry.objects.get(action="duplicate.confirm")
    assert audit.after == {"status": "confirmed", "note": "同一纠纷重复录入"}


def test_only_the_office_decides_once_and_a_confirmation_needs_a_reason(t):
    _, _, pair = pair_of(t)
    with pytest.raises(ActionNotAllowed):
        integrity_services.confirm(pair, by=t.officer, reason="x")
    with pytest.raises(CaseError):
        integrity_services.confirm(pair, by=t.office_user, reason=" ")
    integrity_services.dismiss(pair, by=t.office_user)
    stale = SuspectPair.objects.get(pk=pair.pk)
    stale.version = 0
    with pytest.raises(Conflict):
        integrity_services.confirm(stale, by=t.office_user, reason="迟到的确认")
    assert SuspectPair.objects.get(pk=pair.pk).status == "dismissed"
