"""The assessment of real cases: officers, months, policy versions, what-ifs, the JSON."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcase.assessment import adjustments, appeals, policy_versions, selectors, services
from gridcase.assessment import quarter as life
from gridcase.assessment.models import QuarterAssessment
from gridcase.assessment.rules import STATUSES
from gridcase.cases import services as case_services
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.core.policy import DEFAULT_POLICY_PATH, parse_policy
from gridcase.org.models import PolicyVersion, Role, User
from tests.assessment.builders import closed_locally, escalated_to_town, submitted
from tests.factories import local

OCT = ["2026-10"]
Q4 = ["2026-10", "2026-11", "2026-12"]
DEFAULT_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)


def policy_text(**changes) -> str:
    """The default policy file with some lines changed: key -> new TOML value."""
    text = DEFAULT_TEXT
    for key, value in changes.items():
        lines = [
            f"{key} = {value}" if line.split("=")[0].strip() == key else line
            for line in text.splitlines()
        ]
        text = "\n".join(lines) + "\n"
    return text


def officer_of(result, user):
    found = result.officer(user.pk)
    assert found is not None, f"{user} not in the result"
    return found


def test_every_active_officer_appears_with_the_minimum_pay_when_they_have_no_cases(t):
    result = services.assess_period(town=t.town, months=OCT)
    assert [o.officer for o in result.officers] == ["officer", "other_officer"]
    assert [o.village for o in result.officers] == ["东村", "西村"]
    for officer in result.officers:
        [month] = officer.months
        assert (month.base_pay, month.deduction, month.bonus, month.total) == (
            Decimal("20.00"),
            Decimal("80.00"),
            Decimal("0.00"),
            Decimal("20.00"),
        )
        assert month.cases == ()


def test_worked_example_one_with_real_cases_nine_closed_two_escalated_pays_160(t):
    start = local(2026, 10, 12, 9)
    for i in range(9):
        closed_locally(t, start + timedelta(hours=i))
    for i in range(2):
        escalated_to_town(t, start + timedelta(days=1, hours=i))
    result = services.assess_period(town=t.town, months=OCT)
    [month] = officer_of(result, t.officer).months
    assert (month.counted, month.base_pay, month.bonus, month.total) == (
        11,
        Decimal("100.00"),
        Decimal("60.00"),
        Decimal("160.00"),
    )
    statuses = [c.status for c in month.cases]
    assert statuses.count("excess") == 3 and statuses.count("quota") == 8
    # The favourable split: both escalated cases fill the quota.
    assert all(c.status == "quota" for c in month.cases[-2:])


def test_a_late_close_counts_for_nothing_and_a_nonconforming_case_is_deducted(t):
    on_time = closed_locally(t, local(2026, 10, 12, 9))
    late = closed_locally(t, local(2026, 10, 12, 10), close_at=local(2026, 10, 20, 9))
    case_services.case_review(
        case=on_time, by=t.office_user, quality="nonconforming", note="经过描述不实"
    )
    result = services.assess_period(town=t.town, months=OCT)
    [month] = officer_of(result, t.officer).months
    by_no = {c.case_no: c for c in month.cases}
    assert by_no[late.number].status == "late"
    assert "2026-10-19" in by_no[late.number].reason
    assert by_no[on_time.number].status == "nonconforming"
    assert "经过描述不实" in by_no[on_time.number].reason
    # short = 8 - 0 - 1 = 7; deduction = 10 × (7 + 1) = 80, the cap
    assert (month.counted, month.nonconforming, month.late, month.total) == (
        0,
        1,
        1,
        Decimal("20.00"),
    )


def test_a_case_still_within_its_deadline_is_pending_and_the_month_provisional(t, time_machine):
    time_machine.move_to(local(2026, 11, 3, 9), tick=False)
    case = submitted(t, local(2026, 10, 30, 9))
    result = services.assess_period(town=t.town, months=OCT)
    [month] = officer_of(result, t.officer).months
    assert [(c.case_no, c.status) for c in month.cases] == [(case.number, "pending")]
    assert month.provisional and result.provisional


def test_a_month_not_yet_over_is_provisional_even_without_open_cases(t, time_machine):
    time_machine.move_to(local(2026, 10, 20, 9), tick=False)
    assert services.assess_period(town=t.town, months=OCT).provisional
    time_machine.move_to(local(2026, 11, 1, 0, 5), tick=False)
    assert not services.assess_period(town=t.town, months=OCT).provisional


def test_the_json_has_the_shape_and_status_words_of_the_specification(t):
    closed_locally(t, local(2026, 10, 12, 9))
    case = submitted(t, local(2026, 10, 13, 9), category="environment_campaign")
    data = services.assess_period(town=t.town, months=OCT).as_dict()
    assert set(data) == {"period", "policy", "provisional", "officers"}
    assert data["period"] == "2026-10"
    assert data["policy"] == {"code": "changtang-2016", "name": "长塘镇网格专管员考核办法"}
    assert data["provisional"] is False
    officer = data["officers"][0]
    assert set(officer) == {"officer", "village", "total", "months"}
    assert (officer["officer"], officer["village"], officer["total"]) == (
        "officer",
        "东村",
        "30.00",
    )
    [month] = officer["months"]
    assert set(month) == {
        "month",
        "base_pay",
        "deduction",
        "bonus",
        "total",
        "counted",
        "nonconforming",
        "late",
        "pending",
        "explanation",
        "cases",
    }
    assert month["base_pay"] == "30.00" and month["deduction"] == "70.00"
    assert month["counted"] == 1
    assert month["explanation"][:2] == [
        "四.1: 计入 1 起,少于任务数 8 起 7 起;扣款 10 × 7 = 70 元;基本工资 100 − 70 = 30 元",
        "四.2: 计入 1 起,未超出任务数 8 起,无超额奖励",
    ]
    statuses = {c["case_no"]: c["status"] for c in month["cases"]}
    assert statuses[case.number] == "not_counted"
    for c in month["cases"]:
        assert set(c) == {"case_no", "category", "status", "amount", "reason"}
        assert c["status"] in STATUSES
        assert c["amount"] == "0.00"
        assert c["reason"]


def test_a_quarter_lists_each_month_an_officer_was_active(t):
    Role.objects.filter(user=t.other_officer).update(active_from=date(2026, 11, 16))
    result = services.assess_period(town=t.town, months=Q4)
    assert result.period == "2026-Q4"
    assert [m.month for m in officer_of(result, t.officer).months] == Q4
    assert [m.month for m in officer_of(result, t.other_officer).months] == Q4[1:]
    assert officer_of(result, t.other_officer).total == Decimal("40.00")


def test_an_officer_who_left_is_paid_for_the_months_with_cases(t):
    closed_locally(t, local(2026, 10, 12, 9), by=t.other_officer)
    Role.objects.filter(user=t.other_officer).update(active_until=date(2026, 9, 30))
    User.objects.filter(pk=t.other_officer.pk).update(is_active=False)
    result = services.assess_period(town=t.town, months=Q4)
    gone = officer_of(result, t.other_officer)
    assert [m.month for m in gone.months] == ["2026-10"]
    assert gone.village == "西村"
    assert gone.months[0].counted == 1


def test_an_officer_not_yet_in_post_is_not_listed(t):
    Role.objects.filter(user=t.other_officer).update(active_from=date(2026, 11, 1))
    result = services.assess_period(town=t.town, months=OCT)
    assert result.officer(t.other_officer.pk) is None


def test_a_what_if_policy_computes_with_the_file_and_stores_nothing(t):
    for day in (12, 13):
        closed_locally(t, local(2026, 10, day, 9))
    generous = parse_policy(policy_text(code='"what-if"', quota="2"))
    what_if = services.assess_period(town=t.town, months=OCT, policy=generous)
    normal = services.assess_period(town=t.town, months=OCT)
    assert officer_of(what_if, t.officer).total == Decimal("100.00")
    assert officer_of(normal, t.officer).total == Decimal("40.00")
    assert what_if.what_if and what_if.policy.code == "what-if"
    assert not PolicyVersion.objects.exists()
    assert not QuarterAssessment.objects.exists()


def test_each_month_uses_the_version_in_force_on_its_first_day(t):
    policy_versions.policy_upload(
        town=t.town,
        source=policy_text(code='"changtang-2026"', effective_from="2026-11-01", quota="0"),
        by=t.admin_user,
    )
    policy_versions.policy_upload(
        town=t.town,
        source=policy_text(code='"mid-month"', effective_from="2026-11-15", quota="1"),
    )
    assert policy_versions.policy_in_force(t.town, "2026-10").code == "changtang-2016"
    assert policy_versions.policy_in_force(t.town, "2026-11").code == "changtang-2026"
    assert policy_versions.policy_in_force(t.town, "2026-12").code == "mid-month"
    result = services.assess_period(town=t.town, months=Q4)
    totals = [m.total for m in officer_of(result, t.officer).months]
    assert totals == [Decimal("20.00"), Decimal("100.00"), Decimal("90.00")]
    assert result.policy.code == "mid-month"
    assert set(result.as_dict()["policies"]) == set(Q4)


def test_a_bad_policy_file_is_refused_with_the_key_named(t):
    with pytest.raises(CaseError) as err:
        policy_versions.policy_upload(town=t.town, source=policy_text(per_closed="-5"))
    assert "bonus.per_closed" in err.value.message
    assert "bonus.per_closed" in err.value.fields
    with pytest.raises(CaseError) as err:
        policy_versions.policy_upload(town=t.town, source=DEFAULT_TEXT + "\n[extra]\nx = 1\n")
    assert "extra" in err.value.message
    assert not PolicyVersion.objects.exists()


def test_a_policy_version_is_refused_for_another_zone_or_the_same_day(t):
    with pytest.raises(CaseError) as err:
        policy_versions.policy_upload(town=t.town, source=policy_text(timezone='"Asia/Urumqi"'))
    assert "policy.timezone" in err.value.message
    policy_versions.policy_upload(town=t.town, source=DEFAULT_TEXT)
    with pytest.raises(CaseError) as err:
        policy_versions.policy_upload(town=t.town, source=policy_text(code='"again"'))
    assert "policy.effective_from" in err.value.message


def test_only_the_administrator_or_the_office_uploads_a_policy(t):
    with pytest.raises(ActionNotAllowed):
        policy_versions.policy_upload(town=t.town, source=DEFAULT_TEXT, by=t.officer)
    version = policy_versions.policy_upload(town=t.town, source=DEFAULT_TEXT, by=t.office_user)
    assert version.uploaded_by == t.office_user


def test_months_must_be_well_formed_and_contiguous(t):
    with pytest.raises(CaseError) as err:
        services.assess_period(town=t.town, months=["2026-13"])
    assert "YYYY-MM" in err.value.message
    with pytest.raises(CaseError):
        services.assess_period(town=t.town, months=["2026-10", "2026-12"])


def _count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_assessment_takes_the_same_few_queries_however_many_cases_and_officers(t):
    def run():
        services.assess_period(town=t.town, months=Q4)

    closed_locally(t, local(2026, 10, 12, 9))
    few = _count_queries(run)
    for day in (13, 14, 15):
        closed_locally(t, local(2026, 11, day, 9))
        closed_locally(t, local(2026, 12, day, 9), by=t.other_officer)
    submitted(t, local(2026, 12, 16, 9))
    for i in range(5):
        user = User.objects.create_user(username=f"extra{i}", password="pw", town=t.town)
        Role.objects.create(user=user, town=t.town, kind="officer", village=t.village)
    many = _count_queries(run)
    assert few == many
    assert many <= 8  # the cases, appeals, reviews and repeats; the officers, policies…


def test_the_county_is_assessed_town_by_town(t, other_town):
    closed_locally(t, local(2026, 10, 12, 9))
    results = list(services.assess_county(months=OCT))
    assert [r.town for r in results] == ["白沙镇", "长塘镇"]
    assert [len(r.officers) for r in results] == [2, 2]


def test_an_officer_sees_only_their_own_statement_and_the_office_sees_all(t):
    result = services.assess_period(town=t.town, months=OCT)
    assert len(selectors.visible_result(result, t.office_user).officers) == 2
    assert len(selectors.visible_result(result, t.leader).officers) == 2
    own = selectors.visible_result(result, t.officer)
    assert [o.officer_id for o in own.officers] == [t.officer.pk]
    with pytest.raises(ActionNotAllowed):
        selectors.visible_result(result, t.station_user)


def test_another_towns_office_sees_nothing(t, other_town):
    result = services.assess_period(town=t.town, months=OCT)
    with pytest.raises(ActionNotAllowed):
        selectors.visible_result(result, other_town.office_user)


def test_a_finalised_quarter_is_read_from_its_snapshot_in_one_query(
    t, django_assert_max_num_queries
):
    closed_locally(t, local(2026, 10, 12, 9))
    life.quarter_finalise(town=t.town, quarter="2026-Q4", by=t.office_user)
    with django_assert_max_num_queries(1):
        result = services.assess_period(town=t.town, months=Q4)
    assert result.status == "finalised"
    assert result.officer(t.officer.pk).total == Decimal("70.00")


def _cases_of(result) -> int:
    return sum(len(m.cases) for o in result.officers for m in o.months)


def test_a_run_asks_once_which_towns_are_finalised_and_reads_their_snapshots(t, other_town):
    for town in (t, other_town):
        closed_locally(town, local(2026, 10, 12, 9))
    life.quarter_finalise(town=t.town, quarter="2026-Q4", by=t.office_user)
    # Entered after the quarter was finalised: in the live figures, not in the snapshot.
    for town in (t, other_town):
        closed_locally(town, local(2026, 10, 13, 9))
    with CaptureQueriesContext(connection) as queries:
        results = {r.town: r for r in services.assess_county(months=Q4)}
    asked = [q["sql"] for q in queries.captured_queries if "quarterassessment" in q["sql"]]
    # One for the run, one reading 长塘镇's snapshot: none for 白沙镇, which has none.
    assert len(asked) == 2
    assert not [sql for sql in asked if re.search(rf"town_id\"? = {other_town.town.id}\b", sql)]
    assert [sql for sql in asked if re.search(rf"town_id\"? = {t.town.id}\b", sql)]
    assert (results["长塘镇"].status, _cases_of(results["长塘镇"])) == ("finalised", 1)
    assert (results["白沙镇"].status, _cases_of(results["白沙镇"])) == ("draft", 2)
    # Each as the town alone reads it.
    for town in (t.town, other_town.town):
        alone = services.assess_period(town=town, months=Q4)
        assert results[town.name] == alone


def _asked_of(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if f'"{table}"' in q["sql"]]


def _names_town(sql: str, town) -> bool:
    return bool(re.search(rf"town_id\"? = {town.id}\b", sql))


def test_a_run_reads_the_versions_appeals_and_adjustments_once_for_all_its_towns(t, other_town):
    """The policy's versions of every town, and which towns have an accepted correction or an
    adjustment, are asked once for the run; a town is asked its own appeals or adjustments
    only when it has some; each town's result is the town's alone."""
    life.quarter_finalise(town=t.town, quarter="2026-Q3", by=t.office_user)
    life.quarter_approve(town=t.town, quarter="2026-Q3", by=t.leader)
    adjustments.adjustment_add(
        town=t.town,
        officer=t.officer,
        quarter="2026-Q3",
        amount="-10",
        reason="重复录入",
        by=t.office_user,
    )
    policy_versions.policy_upload(
        town=t.town, source=policy_text(code='"from-nov"', effective_from="2026-11-01", quota="1")
    )
    flawed = closed_locally(t, local(2026, 11, 10, 9))
    case_services.case_review(case=flawed, by=t.office_user, quality="nonconforming", note="不清")
    appeal = appeals.appeal_file(case=flawed, by=t.officer, reason="起因已写明")
    appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=True, note="核实无误")
    for town in (t, other_town):
        closed_locally(town, local(2026, 10, 12, 9))
    with CaptureQueriesContext(connection) as queries:
        results = {r.town: r for r in services.assess_county(months=Q4)}
    versions = _asked_of(queries, "org_policyversion")
    asked_appeals = _asked_of(queries, "assessment_appeal")
    asked_adjustments = _asked_of(queries, "assessment_adjustment")
    # The run's own: one each, naming no town.
    assert len(versions) == 1 and not _names_town(versions[0], t.town)
    # 白沙镇 has neither an appeal nor an adjustment: it is asked neither.
    assert len(asked_appeals) == len(asked_adjustments) == 2
    for sql in asked_appeals + asked_adjustments:
        assert not _names_town(sql, other_town.town)
    # Each as the town alone reads it: 长塘镇 with its version, appeal and adjustment.
    for town in (t.town, other_town.town):
        assert results[town.name] == services.assess_period(town=town, months=Q4)
    mine = officer_of(results["长塘镇"], t.officer)
    assert results["长塘镇"].policy.code == "from-nov"
    assert [line.amount for line in mine.adjustments] == [Decimal("-10.00")]
    [november] = [m for m in mine.months if m.month == "2026-11"]
    assert [c.status for c in november.cases] == ["quota"]  # conforming by the appeal


def test_a_run_finds_a_correction_of_a_case_from_the_first_local_hour_of_its_months(t):
    """The run asks which towns have corrections in the months' UTC bounds with a day's
    margin: a case entered at 00:30 on 1 October in China was entered on 30 September in
    UTC, and its accepted appeal still counts."""
    early = closed_locally(t, local(2026, 10, 1, 0, 30))
    case_services.case_review(case=early, by=t.office_user, quality="nonconforming", note="不清")
    appeal = appeals.appeal_file(case=early, by=t.officer, reason="起因已写明")
    appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=True, note="核实无误")
    [result] = services.assess_county(months=Q4)
    assert result == services.assess_period(town=t.town, months=Q4)
    [october] = [m for m in officer_of(result, t.officer).months if m.month == "2026-10"]
    assert [c.status for c in october.cases] == ["quota"]


def test_a_run_of_months_that_are_not_a_quarter_asks_no_adjustments(t, other_town):
    with CaptureQueriesContext(connection) as queries:
        results = list(services.assess_county(months=OCT))
    assert len(results) == 2
    assert not _asked_of(queries, "assessment_adjustment")


def test_a_run_of_bad_months_is_refused_before_any_town(t):
    with pytest.raises(CaseError):
        services.run_assessor(["2026-10", "2026-12"])
