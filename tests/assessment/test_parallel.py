"""Many towns on several processes (assessment/parallel.py): the same results as town by town."""

import os
from datetime import date

import pytest

from gridcase.assessment import exports, parallel, services
from gridcase.assessment import quarter as life
from gridcase.cases.errors import CaseError
from tests.assessment.builders import closed_locally, escalated_to_town, submitted
from tests.factories import local, make_town

OCT = ["2026-10"]
TODAY = date(2027, 3, 1)

needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: the worker processes open their own connections",
)


def _cases(towns) -> None:
    """A different month in each town: counted, escalated, late and pending cases."""
    for n, t in enumerate(towns):
        for day in range(1, 12 + 3 * n):
            closed_locally(t, local(2026, 10, day, 9))
        escalated_to_town(t, local(2026, 10, 13, 9))
        closed_locally(t, local(2026, 10, 14, 9), close_at=local(2026, 10, 30, 9))  # late
        submitted(t, local(2026, 10, 15, 9), category="dispute")


def _json_and_pid(result) -> tuple[str, str, int]:
    return result.town, exports.to_json(result), os.getpid()


def _serial(months) -> dict[str, str]:
    return {r.town: exports.to_json(r) for r in services.assess_county(months=months, today=TODAY)}


def test_one_process_is_the_county_town_by_town(t, other_town):
    _cases([t, other_town])
    found = list(parallel.assess_towns(months=OCT, today=TODAY, each=_json_and_pid))
    assert [(town, text) for town, text, _ in found] == list(_serial(OCT).items())
    assert {pid for *_, pid in found} == {os.getpid()}


def test_the_summary_is_the_towns_figures(t, other_town):
    _cases([t, other_town])
    summaries = {s["town"]: s for s in parallel.assess_towns(months=OCT, today=TODAY)}
    for result in services.assess_county(months=OCT, today=TODAY):
        summary = summaries[result.town]
        assert summary["total"] == str(result.total)
        assert summary["officers"] == len(result.officers)
        assert summary["cases"] == sum(len(m.cases) for o in result.officers for m in o.months)
    assert summaries["长塘镇"]["cases"] == 14
    assert summaries["白沙镇"]["cases"] == 17


def test_towns_are_sent_largest_first(t, other_town):
    _cases([t, other_town])  # 白沙镇 has three more cases
    order = parallel.largest_first([t.town, other_town.town], OCT)
    assert [town.name for town in order] == ["白沙镇", "长塘镇"]


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_give_the_same_json_as_town_by_town(time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)
    towns = [
        make_town(),
        make_town(name="白沙镇", code="bs", prefix="bs_"),
        make_town(name="青山镇", code="qs", prefix="qs_"),
    ]
    _cases(towns)
    # One town's quarter finalised: the run's workers read its snapshot, the others live.
    life.quarter_finalise(town=towns[1].town, quarter="2026-Q4", by=towns[1].office_user)
    closed_locally(towns[1], local(2026, 10, 20, 9))  # in its live figures, not its snapshot
    statuses = {r.town: r.status for r in services.assess_county(months=OCT, today=TODAY)}
    assert statuses == {"长塘镇": "draft", "白沙镇": "finalised", "青山镇": "draft"}
    serial = _serial(OCT)
    live = services.assess_period(town=towns[1].town, months=OCT, today=TODAY, live=True)
    assert exports.to_json(live) != serial["白沙镇"]

    found = list(parallel.assess_towns(months=OCT, today=TODAY, processes=2, each=_json_and_pid))

    assert sorted(town for town, *_ in found) == sorted(serial)
    assert {town: text for town, text, _ in found} == serial  # byte for byte
    pids = {pid for *_, pid in found}
    assert os.getpid() not in pids  # each town in a worker, with its own connection
    assert 1 <= len(pids) <= 2


def test_bad_months_are_refused_before_any_town_is_assessed(t, other_town):
    with pytest.raises(CaseError):
        next(parallel.assess_towns(months=["2026-10", "2026-12"], processes=2))


def test_one_process_pauses_the_cycle_collector_for_the_run_and_collects_every_so_often(
    t, other_town, monkeypatch
):
    import gc

    _cases([t, other_town])
    collections = []
    monkeypatch.setattr(parallel, "COLLECT_EVERY", 1)
    monkeypatch.setattr(parallel.gc, "collect", lambda: collections.append(gc.isenabled()))
    enabled, frozen = [], []

    def each(result):
        enabled.append(gc.isenabled())
        frozen.append(gc.get_freeze_count())

    found = parallel.assess_towns(months=OCT, today=TODAY, each=each)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    list(found)
    assert enabled == [False, False]  # paused while the towns were assessed
    assert collections == [False, False]  # and collected after each (COLLECT_EVERY = 1)
    # What survived a collection is set aside until the end: the next walks only newer objects.
    assert frozen[0] == 0 and frozen[1] > 0
    assert gc.isenabled() and gc.get_freeze_count() == 0  # as it was found


def test_objects_the_process_set_aside_itself_are_left_so(t, other_town, monkeypatch):
    import gc

    _cases([t, other_town])
    monkeypatch.setattr(parallel, "COLLECT_EVERY", 1)
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        list(parallel.assess_towns(months=OCT, today=TODAY))
        # Neither more set aside, nor put back (some of them freed meanwhile, as they may be).
        assert before * 0.9 < gc.get_freeze_count() <= before
    finally:
        gc.unfreeze()
