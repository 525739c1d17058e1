"""From real case rows to the facts the pay rules read."""

from datetime import date, datetime, timedelta

import pytest

from gridcase.assessment import facts, integrity_services
from gridcase.assessment.models import Appeal
from gridcase.assessment.rules import case_status
from gridcase.cases import services
from gridcase.cases.models import Case, TimelineEntry
from gridcase.core.policy import default_policy
from tests.assessment.builders import closed_locally, escalated_to_town, submitted, suspected
from tests.factories import local

OCT, NOV = "2026-10", "2026-11"


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)


def only_fact(t, month=OCT):
    found = facts.town_facts(t.town, [month]).by_officer_month
    [(key, [fact])] = found.items()
    return key, fact


def test_a_case_submitted_at_2330_on_31_october_local_is_an_october_case(t):
    late_evening = local(2026, 10, 31, 23, 30)
    submitted(t, late_evening)
    submitted(t, local(2026, 11, 1, 0, 30), title="十一月的事")

    october = facts.town_facts(t.town, [OCT]).by_officer_month
    november = facts.town_facts(t.town, [NOV]).by_officer_month
    assert [f.submitted_at for f in october[(t.officer.pk, OCT)]] == [late_evening]
    assert len(november[(t.officer.pk, NOV)]) == 1


def test_a_quarter_groups_each_case_under_its_local_month(t):
    submitted(t, local(2026, 10, 31, 23, 30))
    submitted(t, local(2026, 11, 2, 9))
    submitted(t, local(2026, 12, 31, 23, 59))
    submitted(t, local(2027, 1, 1, 0, 1))
    found = facts.town_facts(t.town, ["2026-10", "2026-11", "2026-12"]).by_officer_month
    assert {month: len(cases) for (_, month), cases in found.items()} == {
        "2026-10": 1,
        "2026-11": 1,
        "2026-12": 1,
    }


def test_a_case_closed_locally_has_its_local_outcome_and_dates(t):
    closed_locally(t, local(2026, 10, 12, 9), close_at=local(2026, 10, 14, 23, 50))
    key, fact = only_fact(t)
    assert key == (t.officer.pk, OCT)
    assert (fact.outcome, fact.outcome_on) == ("closed", date(2026, 10, 14))
    assert fact.accepted_on == date(2026, 10, 12)
    assert fact.accept_due == date(2026, 10, 14)
    assert fact.local_due == date(2026, 10, 19)
    assert fact.missing == ()
    assert fact.voided is False


def test_times_after_local_midnight_are_the_next_local_day_as_a_single_case_reads_them(t):
    """00:30 local is the evening before in UTC: the period's facts (local dates made by
    PostgreSQL in the town's zone, by Python on SQLite) say the local day, as the one case's
    fact (case_fact, converted in Python) does."""
    submitted_at = local(2026, 10, 11, 23, 58)
    case = closed_locally(t, submitted_at, close_at=local(2026, 10, 13, 0, 30))
    _, fact = only_fact(t)
    assert fact.submitted_at == submitted_at
    assert fact.accepted_on == date(2026, 10, 12)  # 00:03 local, five minutes later
    assert (fact.outcome, fact.outcome_on) == ("closed", date(2026, 10, 13))
    assert fact == facts.case_fact(Case.objects.get(pk=case.pk))


def test_an_escalation_to_the_town_center_is_the_local_outcome(t):
    escalated_to_town(t, local(2026, 10, 12, 9))
    _, fact = only_fact(t)
    assert (fact.outcome, fact.outcome_on) == ("escalated", date(2026, 10, 12))


def test_a_return_from_the_town_center_is_judged_by_what_the_village_does_next(t):
    case = escalated_to_town(t, local(2026, 10, 12, 9))
    services.case_return(
        case=case, by=t.center_user, reason="村级可处理", at=local(2026, 10, 15, 9)
    )
    _, fact = only_fact(t)
    assert fact.outcome is None  # the returned escalation earns nothing
    assert fact.local_due == date(2026, 10, 22)  # a new period from the day of the return

    services.case_close(
        case=case, by=t.station_user, data={"result": "村站已处理"}, at=local(2026, 10, 21, 9)
    )
    _, fact = only_fact(t)
    assert (fact.outcome, fact.outcome_on, fact.local_due) == (
        "closed",
        date(2026, 10, 21),
        date(2026, 10, 22),
    )


def test_a_voided_case_is_a_voided_fact(t):
    case = submitted(t, local(2026, 10, 12, 9))
    services.case_void(case=case, by=t.officer, reason="重复录入", at=local(2026, 10, 12, 10))
    _, fact = only_fact(t)
    assert fact.voided is True


def test_an_imported_case_closed_without_its_mediation_record_lacks_those_elements(t):
    case = closed_locally(t, local(2026, 10, 12, 9), category="dispute")
    # As an imported ledger row may be: closed at the village, no mediator, a missing phone.
    Case.objects.filter(pk=case.pk).update(
        source="imported",
        mediator="",
        agreement_terms=[],
        missing_elements=["当事人"],
    )
    _, fact = only_fact(t)
    assert fact.missing == ("当事人", "调解人", "协议内容")


def test_missing_elements_are_read_as_names_whatever_form_the_row_holds():
    assert facts.missing_names(["location", "缺少处理结果", {"field": "mediator"}, "人物"]) == [
        "发生地点",
        "处理结果",
        "调解人",
        "人物",
    ]
    assert facts.missing_names(None) == []


def test_an_escalated_case_needs_no_close_elements(t):
    case = escalated_to_town(t, local(2026, 10, 12, 9), category="dispute")
    Case.objects.filter(pk=case.pk).update(result="")
    _, fact = only_fact(t)
    assert fact.missing == ()


def test_the_facts_of_a_town_take_four_queries_however_many_cases(t, django_assert_num_queries):
    for day in (12, 13, 14):
        reviewed = closed_locally(t, local(2026, 10, day, 9))
        services.case_review(case=reviewed, by=t.office_user, quality="conforming", note="")
        submitted(t, local(2026, 10, day, 10), by=t.other_officer)
    # The cases, the accepted appeals, the office's reviews, the confirmed duplicates.
    with django_assert_num_queries(4):
        found = facts.town_facts(t.town, [OCT])
    assert sorted(len(v) for v in found.by_officer_month.values()) == [3, 3]


def test_another_towns_cases_are_not_this_towns_facts(t, other_town):
    submitted(t, local(2026, 10, 12, 9))
    assert facts.town_facts(other_town.town, [OCT]).by_officer_month == {}


def test_submitted_at_stays_aware_for_ordering(t):
    submitted(t, local(2026, 10, 12, 9))
    _, fact = only_fact(t)
    assert isinstance(fact.submitted_at, datetime)
    assert fact.submitted_at.utcoffset() is not None


def test_a_citizen_report_given_to_an_officer_is_not_their_case(t):
    mine = submitted(t, local(2026, 10, 12, 9))
    reported = submitted(t, local(2026, 10, 13, 9))
    Case.objects.filter(pk=reported.pk).update(source="open311")

    found = facts.town_facts(t.town, [OCT]).by_officer_month[(t.officer.pk, OCT)]

    # The fact says where the case came from; the pay rules say why it is not counted.
    sources = {fact.case_no: fact.source for fact in found}
    assert sources == {mine.number: "entered", reported.number: "open311"}
    statuses = {f.case_no: case_status(f, default_policy(), date(2027, 3, 1))[0] for f in found}
    assert statuses[reported.number] == "not_counted"
    assert statuses[mine.number] != "not_counted"


def test_the_latest_review_of_each_case_of_the_period_is_read_and_no_other(t, other_town):
    twice = closed_locally(t, local(2026, 10, 12, 9))
    never = closed_locally(t, local(2026, 10, 13, 9))
    november = closed_locally(t, local(2026, 11, 2, 9))
    elsewhere = closed_locally(other_town, local(2026, 10, 12, 9))
    services.case_review(case=twice, by=t.office_user, quality="nonconforming", note="不实")
    services.case_review(case=twice, by=t.office_user, quality="conforming", note="已补充")
    services.case_review(case=november, by=t.office_user, quality="nonconforming", note="x")
    services.case_review(
        case=elsewhere, by=other_town.office_user, quality="nonconforming", note="y"
    )
    assert facts.period_reviews(t.town, [OCT]) == {twice.pk: ("conforming", "已补充")}
    assert facts.period_reviews(t.town, [OCT, NOV]) == {
        twice.pk: ("conforming", "已补充"),
        november.pk: ("nonconforming", "x"),
    }
    by_no = {
        f.case_no: f for fs in facts.town_facts(t.town, [OCT]).by_officer_month.values() for f in fs
    }
    assert by_no[twice.number].quality == "conforming"
    assert by_no[never.number].judged_by == "office" and by_no[never.number].quality == ""


def test_a_latest_review_without_a_quality_is_no_judgement(t):
    case = closed_locally(t, local(2026, 10, 12, 9))
    services.case_review(case=case, by=t.office_user, quality="nonconforming", note="不实")
    entry = case.timeline.get(action="review")
    # An entry as an older release wrote it, after the review above: no quality in its data.
    TimelineEntry.objects.create(
        case=case,
        town=t.town,
        action="review",
        at=entry.at + timedelta(hours=1),
        seq=entry.seq + 1,
        note="",
        data={},
    )
    assert facts.period_reviews(t.town, [OCT]) == {}


def test_the_town_reads_each_reviewed_and_repeated_case_as_the_single_case_does(t):
    first = closed_locally(t, local(2026, 10, 12, 9))
    second = closed_locally(t, local(2026, 10, 13, 9))
    imported = closed_locally(t, local(2026, 10, 14, 9))
    Case.objects.filter(pk=imported.pk).update(
        source="imported", quality="nonconforming", quality_note="台账"
    )
    services.case_review(case=imported, by=t.office_user, quality="conforming", note="核实")
    pair = suspected(t, second, first, found_at=local(2026, 10, 13, 10))
    integrity_services.confirm(pair, by=t.office_user, reason="同一纠纷重复录入")
    town = {
        f.case_no: f for fs in facts.town_facts(t.town, [OCT]).by_officer_month.values() for f in fs
    }
    for case in (first, second, imported):
        assert town[case.number] == facts.case_fact(Case.objects.get(pk=case.pk))
    assert town[second.number].duplicate_of == first.number
    assert (town[imported.number].quality, town[imported.number].judged_by) == (
        "conforming",
        "office",
    )


def _kinded(t, months=(OCT,)):
    return [entry for es in facts.town_facts(t.town, list(months)).kinded.values() for entry in es]


def test_cases_the_rules_cannot_tell_apart_share_one_fact_and_keep_their_own_numbers(t):
    facts._KINDS.clear()
    # Two cases closed on the same days (submitted at other hours): one kind. A third like
    # them that the office judged nonconforming, a fourth corrected by an accepted appeal:
    # kinds of their own.
    alike = [
        closed_locally(t, local(2026, 10, 12, h), close_at=local(2026, 10, 13, 9))
        for h in (9, 10, 11, 15)
    ]
    services.case_review(case=alike[2], by=t.office_user, quality="nonconforming", note="不实")
    Appeal.objects.create(
        town=t.town,
        case=alike[3],
        quarter="2026-Q4",
        filed_by=t.officer,
        filed_at=local(2026, 11, 2, 9),
        reason="按时办结",
        status=Appeal.Status.ACCEPTED,
        override=Appeal.Override.CONFORMING,
        decided_by=t.office_user,
        decided_at=local(2026, 11, 3, 9),
    )
    kinded = _kinded(t)
    assert [number for number, _ in kinded] == [case.number for case in alike]
    kinds = [kind.fact for _, kind in kinded]
    assert kinds[0] is kinds[1]
    assert len({id(kind) for kind in kinds}) == 3
    assert kinds[2].quality == "nonconforming" and kinds[3].quality == "conforming"
    # Each case read back with its own number and time is the fact the single case reads.
    town = {
        f.case_no: f for fs in facts.town_facts(t.town, [OCT]).by_officer_month.values() for f in fs
    }
    for case in alike:
        assert town[case.number] == facts.case_fact(Case.objects.get(pk=case.pk))


def test_a_kind_met_in_one_town_is_the_same_kind_in_another(t, other_town):
    facts._KINDS.clear()
    here = closed_locally(t, local(2026, 10, 12, 9), close_at=local(2026, 10, 13, 9))
    there = closed_locally(other_town, local(2026, 10, 12, 14), close_at=local(2026, 10, 13, 9))
    [(_, mine)] = _kinded(t)
    [(number, theirs)] = _kinded(other_town)
    assert number == there.number and theirs is mine
    fact = facts.town_facts(other_town.town, [OCT]).by_officer_month
    assert fact[(other_town.officer.pk, OCT)] == [facts.case_fact(Case.objects.get(pk=there.pk))]
    assert here.number != there.number


def test_cases_submitted_at_the_same_moment_are_listed_by_number_as_python_orders_text(t):
    # A ledger's rows may share a moment. The rules list a month's cases by (time, number) as
    # Python compares them (by code point: "B" before "a"), whatever the database's collation.
    numbers = ["b-1", "B-2", "a-10", "A-3"]
    moment = local(2026, 10, 12, 9)
    for number in numbers:
        case = submitted(t, moment)
        Case.objects.filter(pk=case.pk).update(number=number)
    assert [number for number, _ in _kinded(t)] == sorted(numbers)


def test_the_kinds_remembered_are_bounded_and_a_forgotten_kind_is_made_again(t, monkeypatch):
    monkeypatch.setattr(facts, "_KINDS_MAX", 4)
    facts._KINDS.clear()
    cases = [closed_locally(t, local(2026, 10, day, 9)) for day in range(12, 19)]
    for _ in range(2):
        town = {
            f.case_no: f
            for fs in facts.town_facts(t.town, [OCT]).by_officer_month.values()
            for f in fs
        }
        assert 0 < len(facts._KINDS) <= 4
        for case in cases:
            assert town[case.number] == facts.case_fact(Case.objects.get(pk=case.pk))


def test_kinds_that_differ_only_in_their_dates_share_the_rest_not_the_dates(t):
    # Cases closed late on different days are kinds of their own (their days are read), made
    # from the fields their text gives once (facts._UNDATED), each with its own dates.
    facts._KINDS.clear()
    facts._UNDATED.clear()
    late = [
        closed_locally(t, local(2026, 10, 12, 9), close_at=local(2026, 10, day, 9))
        for day in (27, 28, 29)
    ]
    still_open = submitted(t, local(2026, 10, 12, 10))
    kinds = [kind for _, kind in _kinded(t)]
    assert len({id(kind) for kind in kinds}) == 4
    assert len(facts._UNDATED) == 2  # the late cases' text, and the open one's
    town = {
        f.case_no: f for fs in facts.town_facts(t.town, [OCT]).by_officer_month.values() for f in fs
    }
    for case in [*late, still_open]:
        assert town[case.number] == facts.case_fact(Case.objects.get(pk=case.pk))
    assert [town[case.number].outcome_on for case in late] == [
        date(2026, 10, day) for day in (27, 28, 29)
    ]
    assert town[still_open.number].outcome is None
    assert {case_status(f, default_policy(), date(2027, 3, 1))[0] for f in town.values()} == {
        "late"
    }
