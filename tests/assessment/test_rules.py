"""The pay rules, example by example: assessment.md's worked examples, each policy switch
read both ways, and the deadline boundaries. Pure: no database, no clock."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from gridcase.assessment.rules import (
    CaseFact,
    MonthResult,
    assess_month,
    case_status,
    sum_months,
)
from gridcase.core.policy import default_policy

CHANGTANG = default_policy()
OCTOBER = "2026-10"
AFTER_OCTOBER = date(2026, 11, 20)  # after every October deadline below: the month is final


def case(n: int, outcome: str | None = "closed", **overrides) -> CaseFact:
    """Case number n of October 2026: by default a conforming dispute, closed on time.

    Cases are submitted an hour apart in the order of n.
    """
    values = {
        "case_no": f"CT-{n:03d}",
        "category": "dispute",
        "major": False,
        "submitted_at": datetime(2026, 10, 8, tzinfo=UTC) + timedelta(hours=n),
        "voided": False,
        "missing": (),
        "quality": "",
        "quality_note": "",
        "accept_due": date(2026, 10, 12),
        "accepted_on": date(2026, 10, 9),
        "local_due": date(2026, 10, 19),
        "outcome": outcome,
        "outcome_on": date(2026, 10, 15) if outcome else None,
    }
    values.update(overrides)
    return CaseFact(**values)


def cases(start: int, count: int, outcome: str | None = "closed", **overrides) -> list[CaseFact]:
    return [case(n, outcome, **overrides) for n in range(start, start + count)]


def assess(facts, policy=CHANGTANG, today=AFTER_OCTOBER) -> MonthResult:
    return assess_month(facts, policy, today=today, month=OCTOBER)


def statuses(result: MonthResult) -> list[str]:
    return [c.status for c in result.cases]


def by_no(result: MonthResult, case_no: str):
    (found,) = [c for c in result.cases if c.case_no == case_no]
    return found


# --- the worked examples of assessment.md ----------------------------------------------------

LATE = {"outcome_on": date(2026, 10, 20)}  # closed the day after its deadline
MISSING_PHONE = {"missing": ("当事人联系电话",)}

WORKED_EXAMPLES = [
    # (example, facts, base_pay, deduction, bonus, total)
    (
        "1: eleven counted, two of them escalated",
        cases(0, 9) + cases(9, 2, "escalated"),
        "100",
        "0",
        "60",
        "160",
    ),
    (
        "1: the same with the escalated cases entered first",
        cases(0, 2, "escalated") + cases(2, 9),
        "100",
        "0",
        "60",
        "160",
    ),
    (
        "2: six counted, one nonconforming, one late",
        cases(0, 6) + [case(6, **MISSING_PHONE), case(7, **LATE)],
        "80",
        "20",
        "0",
        "80",
    ),
    ("3: two counted", cases(0, 2), "40", "60", "0", "40"),
    ("3: no counted case", [], "20", "80", "0", "20"),
    ("3: only late cases", cases(0, 3, **LATE), "20", "80", "0", "20"),
    (
        "4: twenty ordinary and two major cases",
        cases(0, 20)
        + [
            case(20, major=True),
            case(21, "escalated", category="security_hazard", major=True),
        ],
        "100",
        "0",
        "230",
        "330",
    ),
    ("5: thirty ordinary closed locally", cases(0, 30), "100", "0", "200", "300"),
    (
        "6: twelve campaign items and five disputes",
        cases(0, 12, category="environment_campaign") + cases(12, 5),
        "70",
        "30",
        "0",
        "70",
    ),
]


@pytest.mark.parametrize(
    ("facts", "base_pay", "deduction", "bonus", "total"),
    [pytest.param(*row[1:], id=row[0]) for row in WORKED_EXAMPLES],
)
def test_worked_example(facts, base_pay, deduction, bonus, total):
    result = assess(facts)
    assert (result.base_pay, result.deduction, result.bonus, result.total) == (
        Decimal(base_pay),
        Decimal(deduction),
        Decimal(bonus),
        Decimal(total),
    )


def test_example_6_shows_the_campaign_items_as_not_counted():
    result = assess(cases(0, 12, category="environment_campaign") + cases(12, 5))
    assert statuses(result) == ["not_counted"] * 12 + ["quota"] * 5


def test_example_1_puts_both_escalated_cases_in_the_quota():
    result = assess(cases(0, 9) + cases(9, 2, "escalated"))
    assert statuses(result) == ["quota"] * 6 + ["excess"] * 3 + ["quota"] * 2
    assert [c.amount for c in result.cases if c.status == "excess"] == [Decimal("20.00")] * 3


def test_example_2_shows_each_case_with_its_status():
    result = assess(cases(0, 6) + [case(6, **MISSING_PHONE), case(7, **LATE)])
    assert statuses(result) == ["quota"] * 6 + ["nonconforming", "late"]
    assert (result.counted, result.nonconforming, result.late) == (6, 1, 1)
    assert by_no(result, "CT-006").reason.startswith("四.1: 质量不符合要求: 缺少当事人联系电话")
    assert by_no(result, "CT-007").reason.startswith("四.3: 未在 2026-10-19 前结案或上报")


def test_example_4_major_cases_earn_on_top_of_the_cap():
    result = assess(
        cases(0, 20)
        + [case(20, major=True), case(21, "escalated", category="security_hazard", major=True)]
    )
    assert result.counted == 22
    assert statuses(result).count("excess") == 14
    assert by_no(result, "CT-020").amount == Decimal("20.00")
    assert "不受每月 200 元上限限制" in by_no(result, "CT-020").reason
    assert by_no(result, "CT-021").amount == Decimal("10.00")


def example_7(outcome_on: date) -> CaseFact:
    # Submitted Thu 18 Jun 2026, the eve of the Dragon Boat Festival; accept by Tue 23 Jun;
    # accepted late on Thu 25 Jun, so handling still runs from 23 Jun: due Tue 30 Jun.
    return CaseFact(
        case_no="CT-0618",
        category="dispute",
        major=False,
        submitted_at=datetime(2026, 6, 18, 9, 30, tzinfo=UTC),
        voided=False,
        missing=(),
        quality="",
        quality_note="",
        accept_due=date(2026, 6, 23),
        accepted_on=date(2026, 6, 25),
        local_due=date(2026, 6, 30),
        outcome="closed",
        outcome_on=outcome_on,
    )


def test_example_7_a_case_closed_on_1_july_is_late():
    kind, reason = case_status(example_7(date(2026, 7, 1)), CHANGTANG, date(2026, 7, 10))
    assert kind == "late"
    assert reason.startswith("四.3: 未在 2026-06-30 前结案或上报")
    assert "超期受理" in reason  # the late acceptance is shown too


def test_example_7_closed_on_30_june_counts_and_shows_the_late_acceptance():
    kind, reason = case_status(example_7(date(2026, 6, 30)), CHANGTANG, date(2026, 7, 10))
    assert kind == "counted"
    assert "超期受理 (应于 2026-06-23 前受理, 2026-06-25 受理)" in reason


def test_example_7_in_a_month_the_late_case_earns_nothing():
    result = assess_month(
        [example_7(date(2026, 7, 1))], CHANGTANG, today=date(2026, 7, 10), month="2026-06"
    )
    assert statuses(result) == ["late"]
    assert result.total == Decimal("20.00")


# --- which cases count ------------------------------------------------------------------------

STATUS_TABLE = [
    # (what, fact, today, expected kind)
    ("closed on the deadline day counts", case(1, outcome_on=date(2026, 10, 19)), None, "counted"),
    (
        "closed the day after the deadline is late",
        case(1, outcome_on=date(2026, 10, 20)),
        None,
        "late",
    ),
    (
        "escalated on the deadline day counts",
        case(1, "escalated", outcome_on=date(2026, 10, 19)),
        None,
        "counted",
    ),
    (
        "escalated after the deadline is late",
        case(1, "escalated", outcome_on=date(2026, 10, 20)),
        None,
        "late",
    ),
    ("open on the deadline day is pending", case(1, None), date(2026, 10, 19), "pending"),
    ("open the day after the deadline is late", case(1, None), date(2026, 10, 20), "late"),
    ("open without a deadline yet is pending", case(1, None, local_due=None), None, "pending"),
    ("closed without a known deadline counts", case(1, local_due=None), None, "counted"),
    ("a voided case is voided", case(1, voided=True), None, "voided"),
    ("a voided late case is voided", case(1, voided=True, **LATE), None, "voided"),
    ("an 'other' case is not counted", case(1, category="other"), None, "not_counted"),
    (
        "a late 'other' case is still not counted",
        case(1, category="other", **LATE),
        None,
        "not_counted",
    ),
    (
        "a campaign item is not counted",
        case(1, category="environment_campaign"),
        None,
        "not_counted",
    ),
    ("a late nonconforming case is late", case(1, **LATE, **MISSING_PHONE), None, "late"),
    ("a case missing an element is nonconforming", case(1, **MISSING_PHONE), None, "nonconforming"),
    (
        "a case judged nonconforming is nonconforming",
        case(1, quality="nonconforming"),
        None,
        "nonconforming",
    ),
    ("a case judged conforming counts", case(1, quality="conforming"), None, "counted"),
    (
        "an open nonconforming case is nonconforming",
        case(1, None, **MISSING_PHONE),
        date(2026, 10, 16),
        "nonconforming",
    ),
    (
        "late acceptance alone does not exclude",
        case(1, accepted_on=date(2026, 10, 13)),
        None,
        "counted",
    ),
    ("a livelihood service counts", case(1, category="livelihood_service"), None, "counted"),
    ("a security hazard counts", case(1, category="security_hazard"), None, "counted"),
]


@pytest.mark.parametrize(
    ("fact", "today", "kind"),
    [pytest.param(*row[1:], id=row[0]) for row in STATUS_TABLE],
)
def test_case_status(fact, today, kind):
    assert case_status(fact, CHANGTANG, today or AFTER_OCTOBER)[0] == kind


REASONS = [
    # (what, fact, today, the reason starts with)
    ("quota", case(1), None, "四.1: 计入基本任务量"),
    ("late", case(1, **LATE), None, "四.3: 未在 2026-10-19 前结案或上报 (2026-10-20 才结案)"),
    ("still open and late", case(1, None), None, "四.3: 未在 2026-10-19 前结案或上报"),
    (
        "late escalation",
        case(1, "escalated", **LATE),
        None,
        "四.3: 未在 2026-10-19 前结案或上报 (2026-10-20 才上报",
    ),
    ("not counted", case(1, category="other"), None, "三(四): 不计入录入数 (其他)"),
    (
        "not counted campaign",
        case(1, category="environment_campaign"),
        None,
        "三(四): 不计入录入数 (优化环境“八大行动”)",
    ),
    (
        "missing elements",
        case(1, missing=("当事人联系电话", "调解人")),
        None,
        "四.1: 质量不符合要求: 缺少当事人联系电话、调解人",
    ),
    (
        "office's judgement",
        case(1, quality="nonconforming", quality_note="经过描述不清"),
        None,
        "四.1: 质量不符合要求: 综治办评定不合格: 经过描述不清",
    ),
    (
        "office's judgement without a note",
        case(1, quality="nonconforming"),
        None,
        "四.1: 质量不符合要求: 综治办评定不合格",
    ),
    (
        "the ledger's judgement",
        case(1, quality="nonconforming", quality_note="照片与事件不符", judged_by="ledger"),
        None,
        "四.1: 质量不符合要求: 台账评定不合格: 照片与事件不符",
    ),
    ("pending", case(1, None), date(2026, 10, 16), "三(五): 尚未结案或上报 (办理期限 2026-10-19)"),
    ("voided", case(1, voided=True), None, "已作废"),
    (
        "citizen report",
        case(1, source="open311"),
        None,
        "三: 市民通过 Open311 上报的事件不计入网格专管员考核",
    ),
]


@pytest.mark.parametrize(
    ("fact", "today", "reason"),
    [pytest.param(*row[1:], id=row[0]) for row in REASONS],
)
def test_every_status_is_explained_citing_the_rule(fact, today, reason):
    result = assess([fact], today=today or AFTER_OCTOBER)
    assert result.cases[0].reason.startswith(reason)


def test_an_excess_case_states_its_bonus():
    policy = replace(CHANGTANG, allocation="chronological")
    result = assess(cases(0, 8) + [case(8), case(9, "escalated")], policy)
    assert by_no(result, "CT-008").reason == "四.2: 超额本级结案奖励 20 元"
    assert by_no(result, "CT-009").reason == "四.2: 超额上报奖励 10 元"


# --- pending and provisional -----------------------------------------------------------------


def test_a_month_with_a_pending_case_is_provisional():
    result = assess(cases(0, 8) + [case(8, None)], today=date(2026, 10, 19))
    assert statuses(result)[-1] == "pending"
    assert (result.pending, result.provisional) == (1, True)
    assert result.total == Decimal("100.00")  # the pending case does not count yet


def test_a_month_whose_deadlines_have_passed_is_final():
    result = assess(cases(0, 8) + [case(8, None)], today=date(2026, 10, 20))
    assert statuses(result)[-1] == "late"
    assert (result.pending, result.provisional) == (0, False)


def test_an_open_nonconforming_case_keeps_the_month_provisional():
    # It could yet turn late, which would change the deduction.
    result = assess([case(0, None, **MISSING_PHONE)], today=date(2026, 10, 16))
    assert statuses(result) == ["nonconforming"]
    assert result.provisional


def test_a_month_without_cases_pays_the_minimum_and_is_final():
    result = assess([])
    assert (result.total, result.provisional, result.cases) == (Decimal("20.00"), False, ())


# --- the policy switches, both ways ----------------------------------------------------------

DEDUCT_EACH = CHANGTANG
COUNT_AS_MISSING = replace(CHANGTANG, nonconforming="count_as_missing")


@pytest.mark.parametrize(
    ("policy", "counted", "nonconforming", "deduction"),
    [
        pytest.param(DEDUCT_EACH, 10, 2, "20", id="deduct_each, above the quota: 10 each"),
        pytest.param(COUNT_AS_MISSING, 10, 2, "0", id="count_as_missing, above the quota: none"),
        pytest.param(DEDUCT_EACH, 5, 1, "30", id="deduct_each, below the quota"),
        pytest.param(COUNT_AS_MISSING, 5, 1, "30", id="count_as_missing, below the quota"),
        pytest.param(DEDUCT_EACH, 7, 1, "10", id="deduct_each, one short by the bad case"),
        pytest.param(DEDUCT_EACH, 0, 9, "80", id="deduct_each stops at the maximum"),
        pytest.param(COUNT_AS_MISSING, 0, 9, "80", id="count_as_missing stops at the maximum"),
    ],
)
def test_nonconforming_reading(policy, counted, nonconforming, deduction):
    facts = cases(0, counted) + cases(counted, nonconforming, **MISSING_PHONE)
    result = assess(facts, policy)
    assert result.deduction == Decimal(deduction)
    assert result.base_pay == Decimal(100) - Decimal(deduction)


def test_a_nonconforming_case_earns_no_bonus():
    result = assess(cases(0, 8) + cases(8, 3, **MISSING_PHONE))
    assert result.bonus == Decimal("0.00")
    assert all(c.amount == 0 for c in result.cases)


CHRONOLOGICAL = replace(CHANGTANG, allocation="chronological")


@pytest.mark.parametrize(
    ("policy", "facts", "total"),
    [
        pytest.param(
            CHANGTANG,
            [case(0, major=True)] + cases(1, 20),
            "320",
            id="favourable: an early major case goes beyond the quota",
        ),
        pytest.param(
            CHRONOLOGICAL,
            [case(0, major=True)] + cases(1, 20),
            "300",
            id="chronological: an early major case fills the quota",
        ),
        pytest.param(
            CHANGTANG,
            cases(0, 9) + cases(9, 2, "escalated"),
            "160",
            id="favourable: late escalations fill the quota",
        ),
        pytest.param(
            CHRONOLOGICAL,
            cases(0, 9) + cases(9, 2, "escalated"),
            "140",
            id="chronological: late escalations are beyond the quota",
        ),
    ],
)
def test_allocation(policy, facts, total):
    assert assess(facts, policy).total == Decimal(total)


def test_favourable_split_moves_major_cases_beyond_the_quota_only_while_the_cap_leaves_room():
    # Quota 3, cap 30: three major escalations (10 each, uncapped), three closed cases (20
    # each, capped). Beyond the quota, one or two major cases beside the closed ones pay 40:
    # min(30, 2 x 20) + 10 or min(30, 20) + 2 x 10; the earliest cases fill the quota.
    policy = replace(CHANGTANG, quota=3, monthly_cap=Decimal(30))
    facts = cases(0, 3, "escalated", major=True) + cases(3, 3)
    result = assess(facts, policy)
    assert result.bonus == Decimal("40.00")
    assert statuses(result) == ["quota", "quota", "excess", "quota", "excess", "excess"]
    assert assess(facts, replace(policy, allocation="chronological")).bonus == Decimal("30.00")


def test_favourable_split_fills_the_quota_with_the_earliest_of_equal_cases():
    result = assess(cases(0, 10))
    assert statuses(result) == ["quota"] * 8 + ["excess"] * 2


def test_favourable_split_keeps_early_cases_in_the_quota_when_the_cap_makes_no_difference():
    # 4 escalated, then 12 closed: 8 beyond the quota. Any 8 cases reach the cap of 30, so
    # every split pays the same and the earliest cases fill the quota.
    policy = replace(CHANGTANG, monthly_cap=Decimal(30))
    result = assess(cases(0, 4, "escalated") + cases(4, 12), policy)
    assert statuses(result) == ["quota"] * 8 + ["excess"] * 8
    assert result.bonus == Decimal("30.00")


LATE_ESCALATION = case(8, "escalated", outcome_on=date(2026, 10, 20))


@pytest.mark.parametrize(
    ("counts", "status", "total"),
    [
        pytest.param(False, "late", "100", id="late escalation does not count (default)"),
        # counted, it fills the quota and a closed case earns 20 beyond it
        pytest.param(True, "quota", "120", id="late escalation counts when the policy says so"),
    ],
)
def test_late_escalation_counts_switch(counts, status, total):
    policy = replace(CHANGTANG, late_escalation_counts=counts)
    result = assess(cases(0, 8) + [LATE_ESCALATION], policy)
    assert (by_no(result, "CT-008").status, result.total) == (status, Decimal(total))


def test_a_late_escalation_that_counts_says_so():
    policy = replace(CHANGTANG, late_escalation_counts=True)
    reason = by_no(assess(cases(0, 8) + [LATE_ESCALATION], policy), "CT-008").reason
    assert reason == (
        "四.1: 计入基本任务量; "
        "三(五): 逾期上报 (期限 2026-10-19, 2026-10-20 上报), 按本镇策略仍计入"
    )


def test_a_late_close_is_late_even_when_late_escalations_count():
    policy = replace(CHANGTANG, late_escalation_counts=True)
    assert case_status(case(1, **LATE), policy, AFTER_OCTOBER)[0] == "late"


LATE_ACCEPTANCE = case(8, accepted_on=date(2026, 10, 13))


@pytest.mark.parametrize(
    ("excludes", "status", "total"),
    [
        pytest.param(False, "excess", "120", id="late acceptance alone is only shown (default)"),
        pytest.param(True, "late", "100", id="late acceptance excludes when the policy says so"),
    ],
)
def test_late_acceptance_excludes_switch(excludes, status, total):
    policy = replace(CHANGTANG, late_acceptance_excludes=excludes)
    result = assess(cases(0, 8) + [LATE_ACCEPTANCE], policy)
    found = by_no(result, "CT-008")
    assert (found.status, result.total) == (status, Decimal(total))
    assert "超期受理 (应于 2026-10-12 前受理, 2026-10-13 受理)" in found.reason


def test_a_case_never_accepted_after_its_acceptance_deadline_is_late_when_that_excludes():
    policy = replace(CHANGTANG, late_acceptance_excludes=True)
    fact = case(1, None, accepted_on=None)
    assert case_status(fact, policy, date(2026, 10, 12))[0] == "pending"
    assert case_status(fact, policy, date(2026, 10, 13))[0] == "late"
    kind, reason = case_status(fact, CHANGTANG, date(2026, 10, 13))
    assert (kind, "尚未受理" in reason) == ("pending", True)


def test_a_case_closed_on_the_spot_was_accepted_when_it_was_closed():
    policy = replace(CHANGTANG, late_acceptance_excludes=True)
    fact = case(1, accepted_on=None, outcome_on=date(2026, 10, 10))
    assert case_status(fact, policy, AFTER_OCTOBER) == ("counted", "")


def test_a_category_the_policy_adds_counts():
    policy = replace(CHANGTANG, categories=(*CHANGTANG.categories, "environment_campaign"))
    result = assess(cases(0, 8, category="environment_campaign"), policy)
    assert result.total == Decimal("100.00")


# --- the cap ---------------------------------------------------------------------------------


def test_the_cap_is_filled_in_submission_order_and_the_amounts_add_up():
    policy = replace(CHANGTANG, monthly_cap=Decimal(50))
    result = assess(cases(0, 12), policy)
    excess = [c for c in result.cases if c.status == "excess"]
    assert [c.amount for c in excess] == [Decimal(x) for x in ("20", "20", "10", "0")]
    assert sum(c.amount for c in excess) == result.bonus == Decimal("50.00")
    assert "本月已达 50 元上限, 本起计 10 元" in excess[2].reason
    assert "本起计 0 元" in excess[3].reason
    assert "上限" not in excess[0].reason


def test_amounts_with_fen_are_exact():
    policy = replace(CHANGTANG, per_closed=Decimal("12.35"), monthly_cap=Decimal("30.00"))
    result = assess(cases(0, 11), policy)
    assert [c.amount for c in result.cases if c.status == "excess"] == [
        Decimal("12.35"),
        Decimal("12.35"),
        Decimal("5.30"),
    ]
    assert result.total == Decimal("130.00")
    assert "超额本级结案奖励 12.35 元" in result.cases[-1].reason


# --- the month and the quarter ---------------------------------------------------------------


def test_cases_are_listed_in_submission_order_whatever_the_input_order():
    facts = cases(0, 5)
    result = assess(list(reversed(facts)))
    assert [c.case_no for c in result.cases] == [f.case_no for f in facts]


def test_quota_cases_show_no_amount_because_base_pay_is_monthly():
    result = assess(cases(0, 8))
    assert {c.amount for c in result.cases} == {Decimal("0.00")}


def test_a_month_as_a_dict_has_the_json_shape_of_the_spec():
    result = assess(cases(0, 10))
    data = result.as_dict()
    assert {k: data[k] for k in ("month", "base_pay", "deduction", "bonus", "total")} == {
        "month": "2026-10",
        "base_pay": "100.00",
        "deduction": "0.00",
        "bonus": "40.00",
        "total": "140.00",
    }
    assert (data["counted"], data["nonconforming"], data["late"], data["pending"]) == (10, 0, 0, 0)
    assert data["cases"][0] == {
        "case_no": "CT-000",
        "category": "dispute",
        "status": "quota",
        "amount": "0.00",
        "reason": "四.1: 计入基本任务量",
    }


def test_a_quarter_is_the_sum_of_its_months():
    months = [
        assess_month(cases(0, 10), CHANGTANG, today=AFTER_OCTOBER, month="2026-10"),
        assess_month([], CHANGTANG, today=AFTER_OCTOBER, month="2026-11"),
        # (the facts' dates do not matter here: the caller picks a month's cases)
        assess_month(cases(0, 2, None), CHANGTANG, today=date(2026, 10, 16), month="2026-12"),
    ]
    quarter = sum_months(months)
    assert quarter.months == ("2026-10", "2026-11", "2026-12")
    assert quarter.total == Decimal("140.00") + Decimal("20.00") + Decimal("20.00")
    assert quarter.bonus == Decimal("40.00")
    assert (quarter.counted, quarter.pending, quarter.provisional) == (10, 2, True)


# --- wiring mistakes are caught --------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quality": "good"}, "quality"),
        ({"outcome": "dispatched"}, "outcome"),
        ({"outcome_on": None}, "outcome_on"),
        ({"submitted_at": datetime(2026, 10, 8)}, "aware"),
        ({"local_due": datetime(2026, 10, 19, 23, 59)}, "local_due"),
    ],
)
def test_a_malformed_fact_is_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        case(1, **overrides)


def test_a_month_must_be_written_yyyy_mm():
    with pytest.raises(ValueError, match="YYYY-MM"):
        assess_month([], CHANGTANG, today=AFTER_OCTOBER, month="2026-13")


def test_today_must_be_a_date_not_a_datetime():
    with pytest.raises(TypeError):
        assess_month([], CHANGTANG, today=datetime(2026, 11, 1, tzinfo=UTC), month=OCTOBER)


# --- a citizen's report ---------------------------------------------------------------------


def test_a_citizen_report_counts_for_nothing_however_well_it_was_handled():
    result = assess(cases(0, 8) + [case(8, source="open311", major=True)])
    assert statuses(result) == ["quota"] * 8 + ["not_counted"]
    assert by_no(result, "CT-008").amount == Decimal("0.00")
    assert (result.counted, result.bonus, result.total) == (8, Decimal("0.00"), Decimal("100.00"))


def test_a_citizen_report_does_not_fill_the_quota():
    with_report = assess(cases(0, 7) + [case(7, source="open311")])
    without = assess(cases(0, 7))
    assert (with_report.counted, with_report.total) == (without.counted, without.total)


def test_an_imported_case_counts_like_an_entered_one():
    assert case_status(case(1, source="imported"), CHANGTANG, AFTER_OCTOBER)[0] == "counted"


def test_a_voided_citizen_report_is_shown_as_voided():
    assert case_status(case(1, source="open311", voided=True), CHANGTANG, AFTER_OCTOBER)[0] == (
        "voided"
    )


def test_an_unknown_source_is_a_wiring_mistake():
    with pytest.raises(ValueError, match="source"):
        case(1, source="fax")


# --- whose judgement wins (assessment.md, "Which cases count", 4) ------------------------------


def test_the_offices_conforming_judgement_wins_over_the_automatic_check():
    result = assess([case(1, missing=("发生地点",), quality="conforming")])
    assert statuses(result) == ["quota"]
    assert "综治办评定合格 (自动检查缺少发生地点" in result.cases[0].reason


def test_a_ledgers_conforming_mark_does_not_clear_missing_elements():
    fact = case(1, missing=("发生地点",), quality="conforming", judged_by="ledger")
    result = assess([fact])
    assert statuses(result) == ["nonconforming"]
    assert "综治办" not in result.cases[0].reason


def test_an_unknown_judge_is_refused():
    with pytest.raises(ValueError, match="judged_by"):
        case(1, judged_by="someone")
