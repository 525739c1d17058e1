"""The month's arithmetic in words (assessment.md, "Every figure is explained"): one example per
branch of the arithmetic, and a property that the amounts quoted add up to the month's
deduction and bonus (pure: no database); and a quarter finalised before the explanation
existed, explained at display time from its stored figures."""

import copy
import io
import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from gridcase.assessment.explain import (
    _with_stored_outcome,
    explain_month,
    explain_words,
    with_explanation,
    yuan,
)
from gridcase.assessment.models import QuarterAssessment
from gridcase.assessment.quarter import quarter_finalise
from gridcase.assessment.rules import CaseResult, assess_month
from gridcase.assessment.services import assess_period
from gridcase.cases import services as case_services
from tests.assessment.builders import closed_locally, escalated_to_town
from tests.assessment.test_rules import AFTER_OCTOBER, CHANGTANG, LATE, OCTOBER, case, cases
from tests.assessment.test_rules_properties import months, policies, todays
from tests.factories import local

NONCONFORMING = {"quality": "nonconforming", "quality_note": "记录不全"}


def explained(facts, policy=CHANGTANG, today=AFTER_OCTOBER) -> tuple[str, ...]:
    return explain_month(assess_month(facts, policy, today=today, month=OCTOBER), policy)


# --- one example per branch ----------------------------------------------------------------

BRANCHES = [
    (
        "the example of assessment.md: short and nonconforming",
        cases(0, 3) + [case(3, **NONCONFORMING)],
        CHANGTANG,
        "四.1: 计入 3 起,不合格 1 起,少于任务数 8 起 4 起;扣款 10 × (4 + 1) = 50 元;"
        "基本工资 100 − 50 = 50 元",
        "四.2: 计入 3 起,未超出任务数 8 起,无超额奖励",
    ),
    (
        "no case at all: why 80 (the deduction reaches its maximum exactly)",
        [],
        CHANGTANG,
        "四.1: 计入 0 起,少于任务数 8 起 8 起;扣款 10 × 8 = 80 元;基本工资 100 − 80 = 20 元",
        "四.2: 计入 0 起,未超出任务数 8 起,无超额奖励",
    ),
    (
        "more to deduct than the maximum: the maximum applies",
        cases(0, 10, **NONCONFORMING),
        CHANGTANG,
        "四.1: 计入 0 起,不合格 10 起,未少于任务数 8 起;扣款 10 × 10 = 100 元,"
        "超过扣款上限 80 元,扣 80 元;基本工资 100 − 80 = 20 元",
        "四.2: 计入 0 起,未超出任务数 8 起,无超额奖励",
    ),
    (
        "the quota reached: nothing to deduct",
        cases(0, 8),
        CHANGTANG,
        "四.1: 计入 8 起,未少于任务数 8 起;不扣款;基本工资 100 元",
        "四.2: 计入 8 起,未超出任务数 8 起,无超额奖励",
    ),
    (
        "more entries than the quota, some nonconforming: each one deducted (deduct_each)",
        cases(0, 9) + cases(9, 2, **NONCONFORMING),
        CHANGTANG,
        "四.1: 计入 9 起,不合格 2 起,未少于任务数 8 起;扣款 10 × 2 = 20 元;"
        "基本工资 100 − 20 = 80 元",
        "四.2: 超出任务数 1 起:本级办结 1 × 20 = 20 元(本月上限 200 元)",
    ),
    (
        "the other reading: a nonconforming case is simply not counted (count_as_missing)",
        cases(0, 3) + [case(3, **NONCONFORMING)],
        replace(CHANGTANG, nonconforming="count_as_missing"),
        "四.1: 计入 3 起,不合格 1 起(按本镇策略不计入录入数,不另扣款),少于任务数 8 起 5 起;"
        "扣款 10 × 5 = 50 元;基本工资 100 − 50 = 50 元",
        "四.2: 计入 3 起,未超出任务数 8 起,无超额奖励",
    ),
    (
        "the example of assessment.md: closed and escalated beyond the quota, under the cap",
        cases(0, 10, "escalated") + cases(10, 3),
        CHANGTANG,
        "四.1: 计入 13 起,未少于任务数 8 起;不扣款;基本工资 100 元",
        "四.2: 超出任务数 5 起:本级办结 3 × 20 + 上报 2 × 10 = 80 元(本月上限 200 元)",
    ),
    (
        "worked example 5: the cap applies",
        cases(0, 30),
        CHANGTANG,
        "四.1: 计入 30 起,未少于任务数 8 起;不扣款;基本工资 100 元",
        "四.2: 超出任务数 22 起:本级办结 22 × 20 = 440 元,超过本月上限 200 元,计 200 元",
    ),
    (
        "worked example 4: major cases on top of the cap",
        cases(0, 20)
        + [case(20, major=True), case(21, "escalated", category="security_hazard", major=True)],
        CHANGTANG,
        "四.1: 计入 22 起,未少于任务数 8 起;不扣款;基本工资 100 元",
        "四.2: 超出任务数 14 起:本级办结 12 × 20 = 240 元,超过本月上限 200 元,计 200 元;"
        "重大事件不受上限:本级办结 1 × 20 + 上报 1 × 10 = 30 元;奖励 200 + 30 = 230 元",
    ),
    (
        "only major cases beyond the quota",
        cases(0, 8, "escalated") + [case(8, major=True)],
        CHANGTANG,
        "四.1: 计入 9 起,未少于任务数 8 起;不扣款;基本工资 100 元",
        "四.2: 超出任务数 1 起:重大事件不受上限:本级办结 1 × 20 = 20 元",
    ),
    (
        "the favourable split matters: a major case entered first",
        [case(0, major=True)] + cases(1, 8, "escalated"),
        CHANGTANG,
        "四.1: 计入 9 起,未少于任务数 8 起;不扣款;基本工资 100 元",
        "四.2: 超出任务数 1 起:重大事件不受上限:本级办结 1 × 20 = 20 元"
        "(任务数取对专管员最有利的划分;若按提交先后划分,奖励为 10 元)",
    ),
    (
        "the chronological split, where the other reading would pay more",
        [case(0, major=True)] + cases(1, 8, "escalated"),
        replace(CHANGTANG, allocation="chronological"),
        "四.1: 计入 9 起,未少于任务数 8 起;不扣款;基本工资 100 元",
        "四.2: 超出任务数 1 起:上报 1 × 10 = 10 元(本月上限 200 元)"
        "(按本镇策略,先提交的事件计入任务数;若取对专管员最有利的划分,奖励为 20 元)",
    ),
    (
        "another town's numbers: per_missing 15, quota 6, max 60",
        cases(0, 2) + [case(2, **NONCONFORMING)],
        replace(CHANGTANG, per_missing=Decimal(15), quota=6, max_deduction=Decimal(60)),
        "四.1: 计入 2 起,不合格 1 起,少于任务数 6 起 3 起;扣款 15 × (3 + 1) = 60 元;"
        "基本工资 100 − 60 = 40 元",
        "四.2: 计入 2 起,未超出任务数 6 起,无超额奖励",
    ),
    (
        "amounts in fen are written as the rules write them",
        cases(0, 9),
        replace(CHANGTANG, per_closed=Decimal("12.5"), monthly_amount=Decimal("99.50")),
        "四.1: 计入 9 起,未少于任务数 8 起;不扣款;基本工资 99.50 元",
        "四.2: 超出任务数 1 起:本级办结 1 × 12.50 = 12.50 元(本月上限 200 元)",
    ),
]


@pytest.mark.parametrize(
    ("facts", "policy", "base", "bonus"),
    [b[1:] for b in BRANCHES],
    ids=[b[0] for b in BRANCHES],
)
def test_each_branch_of_the_arithmetic_in_words(facts, policy, base, bonus):
    assert explained(facts, policy)[:2] == (base, bonus)


def test_late_pending_and_uncounted_cases_are_named_without_amounts():
    facts = [
        *cases(0, 2),
        case(2, **LATE),
        case(3, None, local_due=date(2026, 10, 30)),
        case(4, category="environment_campaign"),
        case(5, voided=True),
    ]
    lines = explained(facts, today=date(2026, 10, 25))
    assert lines[2:] == (
        "四.3: 超期 1 起,不计入任务数也不计奖励",
        "三(五): 待定 1 起尚未结案或上报,暂不计入;本月为暂定",
        "另有 2 起不计入考核(类别不计入、已作废或重复,原因见各起事件)",
    )


def test_explaining_with_another_policy_than_the_one_assessed_is_refused():
    result = assess_month(cases(0, 3), CHANGTANG, today=AFTER_OCTOBER, month=OCTOBER)
    with pytest.raises(ValueError, match="deduction"):
        explain_month(result, replace(CHANGTANG, per_missing=Decimal(15)))


# --- the amounts add up, for any month -----------------------------------------------------

NUMBER = r"(\d+(?:\.\d+)?)"
TERM = re.compile(rf"(本级办结|上报) (\d+) × {NUMBER}")


def _amount(text: str) -> Decimal:
    return Decimal(text)


def _terms_value(text: str, policy) -> Decimal:
    """Evaluate "本级办结 3 × 20 + 上报 2 × 10", checking the rates are the policy's."""
    rates = {"本级办结": policy.per_closed, "上报": policy.per_escalated}
    total = Decimal(0)
    found = TERM.findall(text)
    assert found, text
    for kind, count, rate in found:
        assert _amount(rate) == rates[kind]
        total += int(count) * _amount(rate)
    return total


def _quoted_deduction(line: str, result, policy) -> Decimal:
    assert line.startswith(f"四.1: 计入 {result.counted} 起")
    if "不扣款" in line:
        return Decimal(0)
    m = re.search(rf"扣款 {NUMBER} × (?:\((\d+) \+ (\d+)\)|(\d+)) = {NUMBER} 元", line)
    assert m, line
    rate, a, b, single, raw = m.groups()
    assert _amount(rate) == policy.per_missing
    units = int(single) if single is not None else int(a) + int(b)
    assert _amount(raw) == policy.per_missing * units
    capped = re.search(rf"超过扣款上限 {NUMBER} 元,扣 {NUMBER} 元", line)
    if capped:
        assert _amount(capped.group(1)) == policy.max_deduction
        return _amount(capped.group(2))
    return _amount(raw)


def _quoted_bonus(line: str, result, policy) -> Decimal:
    if line.endswith("无超额奖励"):
        return Decimal(0)
    body = line.split(":", 2)[2] if line.count(":") >= 2 else line
    body = re.sub(r"\((任务数取|按本镇策略).*\)$", "", body)
    paid = []
    for piece in body.split(";"):
        if piece.startswith("奖励 "):
            continue
        m = re.search(rf"^(.*) = {NUMBER} 元", piece.removeprefix("重大事件不受上限:"))
        assert m, piece
        value = _terms_value(m.group(1), policy)
        assert _amount(m.group(2)) == value
        cap = re.search(rf"超过本月上限 {NUMBER} 元,计 {NUMBER} 元", piece)
        if cap:
            assert _amount(cap.group(1)) == policy.monthly_cap == _amount(cap.group(2))
            assert value > policy.monthly_cap
            paid.append(policy.monthly_cap)
        else:
            paid.append(value)
    return sum(paid, Decimal(0))


@given(policies(), months(max_size=24), todays)
def test_the_amounts_quoted_add_up_to_the_deduction_and_the_bonus(policy, facts, today):
    result = assess_month(facts, policy, today=today, month=OCTOBER)
    base, bonus, *_ = explain_month(result, policy)
    assert _quoted_deduction(base, result, policy) == result.deduction
    assert f"基本工资 {yuan(result.base_pay)} 元" in base or base.endswith(
        f" = {yuan(result.base_pay)} 元"
    )
    assert bonus.startswith("四.2: ")
    assert _quoted_bonus(bonus, result, policy) == result.bonus


@given(policies(), months(max_size=24), todays)
def test_a_month_with_its_explanation_is_the_month_with_its_sentences_replaced(
    policy, facts, today
):
    month = assess_month(facts, policy, today=today, month=OCTOBER)
    explained = with_explanation(month, policy)
    words = explain_words(month, policy)
    assert explained == replace(month, explanation=tuple(w.zh for w in words))
    assert explained.explained == words
    assert (month.explanation, month.explained) == ((), ())  # the month itself is unchanged


@given(policies(), months(max_size=24), todays)
def test_a_stored_month_reads_back_the_same_arithmetic(policy, facts, today):
    """What with_stored_explanations recovers from a stored month (statuses, amounts and
    reasons; no outcome) gives the live month's sentences, less the remark on the other
    split of the quota, which needs every counted case's outcome."""
    live = assess_month(facts, policy, today=today, month=OCTOBER)
    stored = replace(
        live,
        cases=tuple(
            CaseResult(c.case_no, c.category, c.status, c.amount, c.reason) for c in live.cases
        ),
    )
    recovered = replace(stored, cases=tuple(_with_stored_outcome(c) for c in stored.cases))
    for before, after in zip(live.cases, recovered.cases, strict=True):
        if before.status == "excess":
            assert (after.outcome, after.uncapped) == (before.outcome, before.uncapped)
    note = r"\((任务数取对专管员最有利的划分|按本镇策略,先提交的事件计入任务数).*$"
    expected = [re.sub(note, "", line) for line in explain_month(live, policy)]
    assert list(explain_month(recovered, policy)) == expected


@given(st.integers(0, 30), st.integers(0, 5), st.sampled_from(["10", "15", "12.5"]))
def test_the_sentence_follows_the_policys_rate(counted, bad, rate):
    policy = replace(CHANGTANG, per_missing=Decimal(rate), max_deduction=Decimal(100))
    facts = cases(0, counted) + cases(counted, bad, **NONCONFORMING)
    base = explained(facts, policy)[0]
    short = max(0, 8 - counted - bad)
    if short + bad:
        assert f"扣款 {yuan(Decimal(rate))} × " in base
    else:
        assert "不扣款" in base


# --- a quarter finalised before the explanation existed -----------------------------------


@pytest.fixture
def finalised_without_explanation(t, time_machine):
    """October 2026: an escalated case, then ten closed locally (three beyond the quota: a
    bonus) and one the office judged nonconforming; Q4 finalised, and its stored results then
    made to look like a quarter finalised before the explanation existed (no "explanation")."""
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)
    escalated_to_town(t, local(2026, 10, 9, 9))
    for day in range(12, 22):
        closed_locally(t, local(2026, 10, day, 9))
    flawed = closed_locally(t, local(2026, 10, 22, 9))
    case_services.case_review(case=flawed, by=t.office_user, quality="nonconforming", note="不清")
    quarter_finalise(town=t.town, quarter="2026-Q4", by=t.office_user)
    row = QuarterAssessment.objects.get(town=t.town, quarter="2026-Q4")
    live = copy.deepcopy(row.snapshot)
    for officer in row.snapshot["officers"]:
        for month in officer["months"]:
            del month["explanation"]
    row.save(update_fields=["snapshot"])
    return t, live


def _stored_explanations(snapshot) -> dict[tuple[int, str], list[str]]:
    return {
        (o["officer_id"], m["month"]): m["explanation"]
        for o in snapshot["officers"]
        for m in o["months"]
    }


def test_a_quarter_finalised_before_the_explanation_is_explained_from_its_stored_figures(
    finalised_without_explanation, client
):
    t, live = finalised_without_explanation
    expected = _stored_explanations(live)
    mine = expected[(t.officer.pk, OCTOBER)]
    assert mine[:2] == [
        "四.1: 计入 11 起,不合格 1 起,未少于任务数 8 起;扣款 10 × 1 = 10 元;"
        "基本工资 100 − 10 = 90 元",
        "四.2: 超出任务数 3 起:本级办结 3 × 20 = 60 元(本月上限 200 元)",
    ]
    result = assess_period(town=t.town, months=["2026-10", "2026-11", "2026-12"])
    assert result.frozen
    # Before the fix every month of the frozen quarter had no explanation at all.
    explained = {
        (o.officer_id, m.month): list(m.explanation) for o in result.officers for m in o.months
    }
    assert explained == expected
    # The figures are still the frozen ones, not recomputed: a later review changes nothing.
    month = result.officer(t.officer.pk).month(OCTOBER)
    assert (month.deduction, month.bonus) == (Decimal("10.00"), Decimal("60.00"))

    client.force_login(t.office_user)
    page = client.get(f"/assessment/2026-Q4/officers/{t.officer.pk}/").content.decode()
    assert escape(mine[0]) in page and escape(mine[1]) in page
    body = json.loads(client.get(f"/assessment/{OCTOBER}/result.json").content)
    months = [m for o in body["officers"] for m in o["months"] if m["month"] == OCTOBER]
    assert mine in [m["explanation"] for m in months]
    book = load_workbook(io.BytesIO(client.get("/assessment/2026-Q4/payroll.xlsx").content))
    texts = [str(c.value or "") for r in book["工资表"].iter_rows() for c in r]
    assert any(mine[0] in text and mine[1] in text for text in texts)


def test_a_stored_month_whose_figures_the_policy_does_not_give_is_left_unexplained(
    finalised_without_explanation,
):
    """A stored month is never explained with numbers that do not add up to it."""
    t, _ = finalised_without_explanation
    row = QuarterAssessment.objects.get(town=t.town, quarter="2026-Q4")
    for officer in row.snapshot["officers"]:
        for month in officer["months"]:
            month["bonus"] = "55.00"
    row.save(update_fields=["snapshot"])
    result = assess_period(town=t.town, months=["2026-10", "2026-11", "2026-12"])
    month = result.officer(t.officer.pk).month(OCTOBER)
    assert month.bonus == Decimal("55.00") and month.explanation == ()


@given(policies(), months(max_size=24), todays)
def test_a_remembered_explanation_is_the_one_made_afresh(policy, facts, today):
    """with_explanation remembers the sentences by what explain_words reads: for any month,
    what it gives after other months were explained is what the month's own figures say."""
    from gridcase.assessment import explain

    result = assess_month(facts, policy, today=today, month=OCTOBER)
    remembered = explain.with_explanation(result, policy)
    assert remembered.explanation == explain_month(result, policy)
    assert remembered.explained == explain.explain_words(result, policy)
    explain._sentences.cache_clear()
    assert explain.with_explanation(result, policy) == remembered


@given(policies(), months(max_size=24), todays)
def test_the_split_the_rules_give_is_what_the_cases_say(policy, facts, today):
    """A month just assessed carries its split (rules.Split) and is explained from it; the
    same month read back from a snapshot is explained by counting its cases: the figures are
    the same."""
    from gridcase.assessment import explain

    result = assess_month(facts, policy, today=today, month=OCTOBER)
    assert result.split is not None and result.split.of(result)
    assert explain._figures(result, policy) == explain._figures(replace(result, split=None), policy)
    # Cases put in their place (an appeal's note, a snapshot's) are counted, not read from a
    # split that was made for others.
    other = replace(result, cases=tuple(c for c in result.cases if c.status != "excess"))
    assert other.cases == () or not other.split.of(other)
