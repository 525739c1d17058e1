"""Who sees which case: scoped in the selectors, so every path inherits it."""

import pytest

from gridcase.cases import filing, selectors, services
from gridcase.cases.models import Case
from tests.factories import local, submitted_case


@pytest.fixture
def escalated(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 9))
    services.case_escalate(case=case, by=t.officer, note="上报", at=local(2026, 10, 12, 10))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 11))
    services.case_escalate(case=case, by=t.station_user, note="上报", at=local(2026, 10, 12, 12))
    services.case_accept(case=case, by=t.center_user, at=local(2026, 10, 12, 13))
    services.case_dispatch(
        case=case, by=t.center_user, department=t.department, at=local(2026, 10, 12, 14)
    )
    return case


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("officer", True),
        ("other_officer", False),
        ("station_user", True),
        ("other_station_user", False),
        ("center_user", True),
        ("department_user", True),
        ("other_department_user", False),
        ("office_user", True),
        ("leader", True),
        ("admin_user", True),
    ],
)
def test_each_role_sees_exactly_its_scope(t, escalated, who, sees):
    user = getattr(t, who)
    assert selectors.visible_cases(user).filter(pk=escalated.pk).exists() is sees
    if not sees:
        with pytest.raises(Case.DoesNotExist):
            selectors.get_case(user, number=escalated.number)


def test_no_one_sees_another_towns_cases(t, other_town, escalated):
    for user in other_town.users.values():
        assert not selectors.visible_cases(user).filter(pk=escalated.pk).exists()
        assert selectors.relations_to(user, escalated) == frozenset()


def test_a_draft_is_seen_only_by_the_officer_who_wrote_it(t):
    draft = filing.case_create_draft(town=t.town, by=t.officer, data={"category": "other"})
    assert selectors.visible_cases(t.officer).filter(pk=draft.pk).exists()
    for who in ("station_user", "center_user", "office_user"):
        assert not selectors.visible_cases(getattr(t, who)).filter(pk=draft.pk).exists()


def test_phones_are_for_the_handlers_only(t, escalated):
    assert selectors.handles(t.officer, escalated)
    assert selectors.handles(t.department_user, escalated)
    assert not selectors.handles(t.office_user, escalated)
    assert not selectors.handles(t.leader, escalated)


def test_an_inactive_person_sees_nothing(t, escalated):
    t.center_user.is_active = False
    t.center_user.save()
    assert not selectors.visible_cases(t.center_user).exists()


def test_allowed_actions_follow_the_table(t, escalated):
    assert selectors.allowed_actions(t.department_user, escalated)[:2] == ["attach", "accept"]
    assert "accept" not in selectors.allowed_actions(t.center_user, escalated)
    assert "urge" in selectors.allowed_actions(t.center_user, escalated)
    assert selectors.allowed_actions(t.leader, escalated) == ["urge"]
