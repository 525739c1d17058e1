"""Who judged an imported case's quality (assessment.md, "Which cases count", 4): the automatic
check of missing elements, the ledger's own 质量评定, or the governance office — whose review
wins over the others, and whose name no other judgement borrows."""

from datetime import date
from decimal import Decimal

import pytest

from gridcase.assessment import facts
from gridcase.assessment.rules import assess_month, case_status
from gridcase.cases import services as case_services
from gridcase.cases.errors import ActionNotAllowed
from gridcase.cases.models import Case
from gridcase.cases.selectors import allowed_actions
from gridcase.core.policy import default_policy
from gridcase.ledger.services import import_ledger

from .conftest import row

JULY = "2026-07"
TODAY = date(2026, 9, 1)


def run(path):
    return import_ledger(path_or_file=path, town_name="长塘镇")


def judged(t):
    """(status, reason, deduction) of the town's only July case, through the facts."""
    [(_, [fact])] = facts.town_facts(t.town, [JULY]).by_officer_month.items()
    status, reason = case_status(fact, default_policy(), TODAY)
    month = assess_month([fact], default_policy(), today=TODAY, month=JULY)
    assert facts.case_fact(Case.objects.get()) == fact  # one case's fact reads the same
    return status, reason, month.deduction


def test_the_office_judging_an_imported_case_conforming_clears_its_missing_elements(t, ledger):
    run(ledger([row(location="")]))
    case = Case.objects.get()
    assert case.missing_elements == ["发生地点"]
    case_services.case_review(case=case, by=t.office_user, quality="conforming", note="已补充地点")
    status, reason, deduction = judged(t)
    assert status == "counted"  # it was nonconforming, deducting 10 yuan more, before the fix
    assert "综治办评定合格" in reason and "发生地点" in reason
    assert deduction == Decimal("70.00")  # 8 − 1 short, none nonconforming


def test_an_automatic_flag_does_not_claim_to_be_the_offices(t, ledger):
    run(ledger([row(location="")]))
    status, reason, _ = judged(t)
    assert status == "nonconforming"
    assert "综治办" not in reason
    assert "自动检查" in reason and "缺少发生地点" in reason


def test_the_ledgers_own_judgement_says_it_is_the_ledgers(t, ledger):
    run(ledger([row(quality="不合格", quality_note="照片与事件不符")]))
    status, reason, _ = judged(t)
    assert status == "nonconforming"
    assert "综治办" not in reason and "台账评定不合格: 照片与事件不符" in reason


def test_the_offices_nonconforming_judgement_of_an_imported_case_says_so(t, ledger):
    run(ledger([row()]))
    case = Case.objects.get()
    case_services.case_review(case=case, by=t.office_user, quality="nonconforming", note="不实")
    status, reason, _ = judged(t)
    assert status == "nonconforming" and "综治办评定不合格: 不实" in reason


def test_only_the_offices_judgement_stops_the_officer_voiding_an_imported_case(t, ledger):
    run(
        ledger(
            [
                row(
                    location="",
                    closed_at="",
                    result="",
                    mediator="",
                    agreement_form="",
                    agreement_terms="",
                )
            ]
        )
    )
    case = Case.objects.get()
    assert (case.state, case.level, case.quality) == ("handling", "grid", "nonconforming")
    assert "void" in allowed_actions(t.officer, case)  # the automatic flag binds no one
    case_services.case_review(case=case, by=t.office_user, quality="nonconforming", note="不实")
    assert "void" not in allowed_actions(t.officer, case)
    with pytest.raises(ActionNotAllowed):
        case_services.case_void(case=case, by=t.officer, reason="录入有误")
