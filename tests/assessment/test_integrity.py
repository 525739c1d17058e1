"""Duplicate suspects from the database: the entry check, the period search, the command."""

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcase.assessment import integrity
from gridcase.assessment.models import SuspectPair
from gridcase.cases import cells
from gridcase.org.policies import policy_for
from tests.assessment.builders import submitted
from tests.factories import local

LAT, LON = Decimal("28.123456"), Decimal("112.654321")
T0 = local(2026, 10, 10, 9)
REPEAT = {
    "title": "东村3组宅基地围墙纠纷",
    "persons": "张三、李四",
    "cause": "宅基地边界不清",
    "course": "两家因围墙位置争执, 张三要求李四拆除新砌围墙",
}
AGAIN = {
    "title": "东村三组两户围墙边界争执",
    "persons": "李四、张三",
    "cause": "宅基地界线不清",
    "course": "张三与李四因新砌围墙的位置发生争执, 要求拆除",
}
ELSEWHERE = {
    "title": "东村3组路灯损坏",
    "persons": "王五",
    "cause": "路灯线路老化",
    "course": "夜间无照明, 村民出行不便",
    "parties": [
        {"name": "王五", "phone": "13900000003"},
        {"name": "东村村委会", "phone": "0731-84560000"},
    ],
}


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2026, 11, 20, 9), tick=False)


def case_at(t, at, *, metres=0, data=REPEAT, category="dispute", **kw):
    return submitted(
        t,
        at,
        category=category,
        latitude=LAT + Decimal(metres) / Decimal(111195),
        longitude=LON,
        **data,
        **kw,
    )


def test_the_entry_check_finds_the_repeat_nearby_and_not_the_other_matter(t):
    original = case_at(t, T0)
    other = case_at(t, T0, metres=20, data=ELSEWHERE)
    values = dict(AGAIN, category="dispute", latitude=LAT, longitude=LON)
    found = integrity.check_entry(
        t.town,
        values,
        parties=[{"name": "张三", "phone": "138 0013 8001"}],
        village_id=t.village.pk,
        at=T0 + timedelta(days=2),
    )
    assert [f.other_number for f in found] == [original.number]
    assert other.number not in [f.other_number for f in found]
    assert "当事人相同:张三" in found[0].suspicion.reasons


def test_the_entry_check_reads_the_cells_of_its_box_not_the_town(t):
    case_at(t, T0)
    values = dict(AGAIN, category="dispute", latitude=LAT, longitude=LON)
    with CaptureQueriesContext(connection) as queries:
        found = integrity.check_entry(t.town, values, at=T0 + timedelta(days=1))
    assert len(found) == 1
    candidates = next(q["sql"] for q in queries.captured_queries if '"cell" IN (' in q["sql"])
    assert '"latitude" BETWEEN' in candidates and '"longitude" BETWEEN' in candidates
    # The policy, the candidates, their parties and photos, the dismissed pairs: no more.
    assert len(queries) <= 5


def test_the_entry_check_finds_a_case_across_a_cell_boundary(t):
    # The cell boundary 28.105° N between the two points, 20 m apart.
    original = submitted(
        t,
        T0,
        category="dispute",
        latitude=Decimal("28.104910"),
        longitude=LON,
        **REPEAT,
    )
    values = dict(AGAIN, category="dispute", latitude=Decimal("28.105090"), longitude=LON)
    assert cells.cell_of(original.latitude, LON) != cells.cell_of(values["latitude"], LON)
    found = integrity.check_entry(t.town, values, at=T0 + timedelta(days=1))
    assert [f.other_number for f in found] == [original.number]


def test_a_policy_of_kilometres_reads_ranges_of_cells(t):
    far = case_at(t, T0, metres=9000)
    policy = replace(policy_for(t.town, T0.date()), duplicate_distance_m=20_000)
    values = dict(REPEAT, category="dispute", latitude=LAT, longitude=LON)
    with CaptureQueriesContext(connection) as queries:
        found = integrity.check_entry(t.town, values, at=T0 + timedelta(days=1), policy=policy)
    assert [f.other_number for f in found] == [far.number]
    assert any('"cell" BETWEEN' in q["sql"] for q in queries.captured_queries)
    # The period's walk over the same cells, with the same policy.
    later = case_at(t, T0 + timedelta(days=1), data=AGAIN)
    pairs = integrity.find_in_period(
        t.town, T0.date(), T0.date() + timedelta(days=3), policy=policy
    )
    assert (later.number, far.number) in [(p.suspicion.case, p.suspicion.similar_to) for p in pairs]


def test_an_unlocated_case_is_found_by_its_village(t):
    original = submitted(t, T0, category="dispute", **REPEAT)
    assert original.latitude is None
    values = dict(AGAIN, category="dispute", latitude=LAT, longitude=LON)
    found = integrity.check_entry(
        t.town,
        values,
        parties=[{"name": "张三", "phone": ""}],
        village_id=t.village.pk,
        at=T0 + timedelta(days=1),
    )
    assert [f.other_number for f in found] == [original.number]


def test_other_categories_and_far_or_old_cases_are_never_candidates(t):
    case_at(t, T0, category="security_hazard")
    case_at(t, T0, metres=2000)
    case_at(t, T0 - timedelta(days=75))
    values = dict(REPEAT, category="dispute", latitude=LAT, longitude=LON)
    assert integrity.check_entry(t.town, values, village_id=None, at=T0) == []


def test_the_period_lists_each_pair_once_later_case_first(t):
    first = case_at(t, T0)
    second = case_at(t, T0 + timedelta(days=2), metres=40, data=AGAIN)
    case_at(t, T0 + timedelta(days=1), metres=10, data=ELSEWHERE)
    pairs = integrity.find_in_period(t.town, T0.date(), T0.date() + timedelta(days=20))
    assert [(p.suspicion.case, p.suspicion.similar_to) for p in pairs] == [
        (second.number, first.number)
    ]
    assert pairs[0].status == "suspected"
    assert pairs[0].suspicion.reasons[0] == "两处地点相距 40 米"


def test_a_dismissed_pair_keeps_its_status_in_the_period(t):
    first = case_at(t, T0)
    second = case_at(t, T0 + timedelta(days=1), data=AGAIN)
    SuspectPair.objects.create(
        town=t.town,
        case=second,
        similar_to=first,
        score=Decimal("0.8"),
        found_at=T0,
        status="dismissed",
    )
    pairs = integrity.find_in_period(t.town, T0.date(), (T0 + timedelta(days=1)).date())
    assert [p.status for p in pairs] == ["dismissed"]


def test_the_command_prints_the_json_of_the_specification(t, capsys):
    first = case_at(t, T0)
    second = case_at(t, T0 + timedelta(days=2), metres=40, data=AGAIN)
    call_command("suspects", town="长塘镇", month="2026-10", format="json")
    report = json.loads(capsys.readouterr().out)
    assert report["town"] == "长塘镇"
    assert report["period"] == {"since": "2026-10-01", "until": "2026-10-31"}
    assert report["threshold"] == 0.6
    assert report["pairs"][0]["case"] == second.number
    assert report["pairs"][0]["similar_to"] == first.number
    assert report["pairs"][0]["status"] == "suspected"
    assert set(report["pairs"][0]) == {"case", "similar_to", "score", "status", "reasons"}
    assert report["signals"] == []


def test_the_command_table_and_its_errors(t, capsys):
    case_at(t, T0)
    case_at(t, T0 + timedelta(days=2), metres=40, data=AGAIN)
    call_command("suspects", since="2026-10-01", until="2026-10-31")
    out = capsys.readouterr().out
    assert "疑似重复 1 对" in out and "两处地点相距 40 米" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--until 不能早于 --since"):
        call_command("suspects", since="2026-10-31", until="2026-10-01")
    with pytest.raises(CommandError, match="--month"):
        call_command("suspects")
