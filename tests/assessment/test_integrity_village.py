"""The duplicate check for a case without a point (integrity.md: the same village when either
case has no coordinates): which suspects are found, and that the village's candidates are one
range of the (village, category, submitted_at) index, not every category of the village."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcase.assessment import duplicates, integrity
from gridcase.cases.models import Case
from gridcase.org.policies import policy_for
from tests.assessment.builders import submitted
from tests.assessment.test_integrity import AGAIN, LAT, LON, REPEAT, T0


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(T0 + timedelta(days=40), tick=False)


def _located(**data):
    return dict(data, latitude=LAT, longitude=LON)


def _brute_force(case: Case) -> set[str]:
    """Every submitted case of the town scored against ``case`` in memory, the place rule
    (cells when both are located, else the same village) applied by hand: what the query's
    candidates must not change."""
    rules = integrity.rules_of(policy_for(case.town, case.submitted_at.date()))
    values = {name: getattr(case, name) for name in integrity._COLUMNS if name != "id"}
    rows = list(
        Case.objects.filter(integrity._submitted(case.town))
        .exclude(pk=case.pk)
        .values(*integrity._COLUMNS)
    )
    sketches = integrity._sketches(rows)
    mine = integrity._sketch(
        values, [duplicates.Party(p.name, p.phone) for p in case.parties.all()]
    )
    mine = replace(mine, officer="")  # as check_entry's sketch of the case being entered
    found = set()
    for row in rows:
        unlocated = case.latitude is None or row["latitude"] is None
        if unlocated and row["village_id"] != case.village_id:
            continue
        if duplicates.suspect(mine, sketches[row["id"]], rules) is not None:
            found.add(row["number"])
    return found


def test_a_case_without_a_point_finds_the_same_suspects_as_a_full_comparison(t):
    unlocated = submitted(t, T0, category="dispute", **REPEAT)
    located = submitted(t, T0 + timedelta(days=1), category="dispute", **_located(**AGAIN))
    submitted(t, T0, category="security_hazard", **AGAIN)  # another category
    submitted(t, T0, by=t.other_officer, category="dispute", **AGAIN)  # another village
    submitted(t, T0 - timedelta(days=75), category="dispute", **AGAIN)  # outside the window
    case = submitted(t, T0 + timedelta(days=2), category="dispute", **AGAIN)
    assert case.latitude is None

    found = {f.other_number for f in integrity.check_case(case)}

    assert found == {unlocated.number, located.number}
    assert found == _brute_force(case)


def test_a_located_case_finds_its_villages_unlocated_ones_and_its_cells_as_before(t):
    unlocated = submitted(t, T0, category="dispute", **REPEAT)
    near = submitted(t, T0 + timedelta(days=1), category="dispute", **_located(**REPEAT))
    far_east = dict(_located(**REPEAT), longitude=LON + Decimal("0.05"))  # 5 km: not a suspect
    submitted(t, T0, category="dispute", **far_east)
    case = submitted(t, T0 + timedelta(days=2), category="dispute", **_located(**AGAIN))

    found = {f.other_number for f in integrity.check_case(case)}

    assert found == {unlocated.number, near.number}
    assert found == _brute_force(case)


def test_no_point_and_no_village_reads_nothing(t):
    with CaptureQueriesContext(connection) as queries:
        found = integrity.check_entry(t.town, dict(REPEAT, category="dispute"), at=T0)
    assert found == []
    assert not any('"cases_case"' in q["sql"] for q in queries.captured_queries)


def test_the_village_candidates_read_the_village_category_time_index(t):
    submitted(t, T0, category="dispute", **REPEAT)
    for n, category in enumerate(["security_hazard", "livelihood_service", "other"] * 8):
        submitted(t, T0 - timedelta(hours=n), category=category, **REPEAT)
    rules = integrity.rules_of(policy_for(t.town, T0.date()))
    [read] = integrity.candidates(
        t.town, "dispute", T0, rules, lat=None, lon=None, village_id=t.village.pk
    )
    query = read.values("id")[:500]
    if connection.vendor == "postgresql":
        # A handful of rows: without this the planner reads the table (or any index on the
        # village, then sorts), whatever the indexes; at scale the ordered range wins on cost.
        # The statistics are made from this test's rows (ANALYZE counts the rows its own
        # transaction inserted), so the plan does not depend on what ran before.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
    plan = query.explain()
    assert "case_village_cat_time" in plan, plan


def test_a_located_case_reads_its_cells_and_its_villages_unlocated_cases_apart(t):
    rules = integrity.rules_of(policy_for(t.town, T0.date()))
    cells, village = integrity.candidates(
        t.town, "dispute", T0, rules, lat=float(LAT), lon=float(LON), village_id=t.village.pk
    )
    cells_where, village_where = (str(r.query).split(" WHERE ")[1] for r in (cells, village))
    assert '"cell" IN' in cells_where and '"village_id"' not in cells_where
    assert '"village_id" =' in village_where and '"cell" IS NULL' in village_where
    if connection.vendor == "sqlite":
        # Without statistics SQLite took the town's time index for the cells' few rows (the
        # whole window of a million-case town, 220 ms): the cells' index, the time filtered.
        plan = cells.values("id")[:500].explain()
        assert "case_cell_time" in plan, plan


def test_the_candidates_are_the_newest_of_both_reads_together(t, monkeypatch):
    monkeypatch.setattr(integrity, "_CANDIDATE_LIMIT", 2)
    located = [
        submitted(t, T0 - timedelta(hours=h), category="dispute", **_located(**REPEAT))
        for h in (1, 4)
    ]
    unlocated = [
        submitted(t, T0 - timedelta(hours=h), category="dispute", **REPEAT) for h in (2, 3)
    ]
    rules = integrity.rules_of(policy_for(t.town, T0.date()))
    reads = integrity.candidates(
        t.town, "dispute", T0, rules, lat=float(LAT), lon=float(LON), village_id=t.village.pk
    )
    newest = [row["number"] for row in integrity._newest(reads)]
    assert newest == [located[0].number, unlocated[0].number]
