"""A case's kind as the database writes it (assessment.kinds): the town's facts read through it
are each case's own fact, whatever its texts hold."""

import pytest
from django.db.models import JSONField, Value

from gridcase.assessment import facts, kinds
from gridcase.cases import elements
from gridcase.cases.models import Case
from gridcase.core import compiled
from tests.assessment.builders import closed_locally, escalated_to_town, submitted
from tests.factories import local

OCT = "2026-10"

# Texts blank and not, by every kind of space str.strip() knows and a few it does not.
TEXTS = [
    "",
    " ",
    "\u3000",
    " \t\r\n\x0b\x0c",
    "\x1c\x1d\x1e\x1f\x85\xa0",
    "\u2028\u2029\u202f\u205f\u1680\u2000\u200a",
    "\u3000已处理",
    "已处理\u3000",
    "\u200b",  # a zero-width space is not a space to str.strip: not blank
    "a",
    " a ",
]
TERMS = [
    [],
    [""],
    ["  ", "\u3000"],
    [" 双方各半承担"],
    ["双方各半承担", ""],
    ["", "费用各半承担"],
    ["\u3000", "费用各半承担"],
    [1],
    {"条款": 1},
    "口头约定",
    None,
]


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)


def town_facts_by_number(t):
    return {
        fact.case_no: fact
        for found in facts.town_facts(t.town, [OCT]).by_officer_month.values()
        for fact in found
    }


def assert_each_as_its_own(t, cases):
    town = town_facts_by_number(t)
    for case in cases:
        assert town[case.number] == facts.case_fact(Case.objects.get(pk=case.pk)), case.number


def test_the_spaces_are_every_character_str_strip_takes():
    every = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert every == kinds.SPACES


def test_a_texts_blankness_is_read_by_the_database_as_python_reads_it(t):
    cases = []
    for i, text in enumerate(TEXTS):
        plain = closed_locally(t, local(2026, 10, 5, 8, i))
        dispute = closed_locally(t, local(2026, 10, 6, 8, i), category="dispute")
        Case.objects.filter(pk=plain.pk).update(result=text)
        Case.objects.filter(pk=dispute.pk).update(mediator=text, agreement_form=text)
        cases += [plain, dispute]
    town = town_facts_by_number(t)
    for text, plain in zip(TEXTS, cases[::2], strict=True):
        lacks = ("处理结果",) if elements.blank(text) else ()
        assert town[plain.number].missing == lacks, repr(text)
    assert_each_as_its_own(t, cases)


@pytest.mark.parametrize("mediation", ["agreed", "not_agreed"])
def test_the_agreements_terms_are_read_as_the_close_rule_reads_them(t, mediation):
    cases = []
    for i, terms in enumerate(TERMS):
        case = closed_locally(t, local(2026, 10, 7, 8, i), category="dispute")
        stored = Value(None, JSONField()) if terms is None else terms  # JSON's null
        Case.objects.filter(pk=case.pk).update(agreement_terms=stored, mediation_result=mediation)
        cases.append(case)
    town = town_facts_by_number(t)
    for terms, case in zip(TERMS, cases, strict=True):
        lacks = mediation == "agreed" and elements.blank(terms)
        assert ("协议内容" in town[case.number].missing) == lacks, repr(terms)
    assert_each_as_its_own(t, cases)


def test_texts_that_hold_the_kinds_own_signs_make_kinds_of_their_own(t):
    # A note holding the separator is not a kind: its case is read alone, and no note can
    # pass for another's parts.
    sep = kinds.SEPARATOR
    notes = [f"a{sep}b", "a", f"{sep}", "", f"conforming{sep}", f"{sep}{sep}", "1,2:3"]
    cases = []
    for i, note in enumerate(notes):
        case = closed_locally(t, local(2026, 10, 8, 8, i), close_at=local(2026, 10, 9, 9))
        Case.objects.filter(pk=case.pk).update(
            source="imported", quality="nonconforming", quality_note=note
        )
        cases.append(case)
    facts._KINDS.clear()
    town = town_facts_by_number(t)
    assert [town[case.number].quality_note for case in cases] == notes
    assert_each_as_its_own(t, cases)
    # Each remembered kind's text: the parts and what the rules read of the dates, nothing
    # more.
    texts = [said if isinstance(said, str) else said[0] for said in facts._KINDS]
    assert texts and all(text.count(sep) == len(kinds.PARTS) for text in texts)


def test_the_parts_of_a_kind_read_back_what_the_database_wrote(t):
    case = closed_locally(t, local(2026, 10, 12, 9), category="dispute", major=True)
    Case.objects.filter(pk=case.pk).update(quality_note="笔记:1,2|", mediator=" ")
    (text,) = Case.objects.filter(pk=case.pk).annotate(k=kinds.kind_text()).values_list("k")[0]
    found = kinds.parts(text)
    assert found["major"] == "1"
    assert (found["category"], found["local_outcome"], found["closed_level"]) == (
        "dispute",
        "closed",
        Case.objects.get(pk=case.pk).closed_level,
    )
    assert (found["quality_note"], found["mediator_blank"], found["result_blank"]) == (
        "笔记:1,2|",
        "1",
        "0",
    )
    with pytest.raises(ValueError):
        kinds.parts(text + kinds.SEPARATOR)
    with pytest.raises(ValueError):
        kinds.parts(None)


def test_a_case_not_closed_locally_says_nothing_of_its_close_elements(t):
    up = escalated_to_town(t, local(2026, 10, 12, 9), category="dispute")
    draft = submitted(t, local(2026, 10, 13, 9))
    texts = dict(
        Case.objects.filter(pk__in=[up.pk, draft.pk])
        .annotate(k=kinds.kind_text())
        .values_list("pk", "k")
    )
    for pk in (up.pk, draft.pk):
        found = kinds.parts(texts[pk])
        assert [found[name] for name in kinds.PARTS[1:5]] == ["-"] * 4
        assert (found["closed_level"], found["mediation_result"]) == ("", "")


def test_the_periods_query_is_compiled_once_and_asked_for_each_town(t, other_town):
    compiled._compiled.cache_clear()
    mine = closed_locally(t, local(2026, 10, 12, 9))
    theirs = closed_locally(other_town, local(2026, 10, 12, 9))
    assert [n for fs in facts.town_facts(t.town, [OCT]).kinded.values() for n, _ in fs] == [
        mine.number
    ]
    assert [
        n for fs in facts.town_facts(other_town.town, [OCT]).kinded.values() for n, _ in fs
    ] == [theirs.number]
    info = compiled._compiled.cache_info()
    # The period's query once; the reviews', appeals', duplicates' and the other small
    # queries' once each too, whatever the number of towns.
    assert info.hits >= info.misses > 0
    compiled._compiled.cache_clear()
    facts.period_sql(t.town, [OCT])
    facts.period_sql(other_town.town, [OCT])
    info = compiled._compiled.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_cases_handled_in_time_on_other_days_share_a_kind_and_keep_their_own_dates(t):
    # The rules read no date of a case accepted and closed in time (rules.dates_read): such
    # cases are one kind, and each is still its own fact for a reader of a few cases.
    cases = [
        closed_locally(t, local(2026, 10, 5, 9)),
        closed_locally(t, local(2026, 10, 9, 9), close_at=local(2026, 10, 12, 9)),
        closed_locally(t, local(2026, 10, 14, 9), close_at=local(2026, 10, 15, 16)),
    ]
    late = closed_locally(t, local(2026, 10, 16, 9), close_at=local(2026, 12, 20, 9))
    found = facts.town_facts(t.town, [OCT])
    kinds_of = {number: kind for entries in found.kinded.values() for number, kind in entries}
    assert len({id(kinds_of[case.number]) for case in cases}) == 1
    assert kinds_of[late.number] is not kinds_of[cases[0].number]
    assert_each_as_its_own(t, [*cases, late])
    outcomes = {fact.outcome_on for fact in town_facts_by_number(t).values()}
    assert len(outcomes) == 4
