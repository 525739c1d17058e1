"""Queries compiled once per process (gridcase.core.compiled): the rows the ORM gives."""

import contextlib
from datetime import date

import pytest
from django.db import DataError, connection, transaction
from django.db.models.fields.json import KT
from django.test.utils import CaptureQueriesContext

from gridcase.assessment import facts, policy_versions, repeats, services
from gridcase.assessment import quarter as life
from gridcase.cases.models import Case
from gridcase.core import clock, compiled
from gridcase.core.policy import DEFAULT_POLICY_PATH
from gridcase.org import policies
from tests.assessment.builders import closed_locally, submitted
from tests.factories import local

pg = pytest.mark.skipif(connection.vendor != "postgresql", reason="the pipeline is PostgreSQL's")


def _cases(town_id: int, since: date):
    # A boolean, a datetime, a JSON value, an expression between two fields and a date: the
    # values that the database gives in other types than Python's (SQLite's 0/1 and texts).
    return (
        Case.objects.filter(town_id=town_id, submitted_at__date__gte=since)
        .order_by("number")
        .values_list(
            "major", "submitted_at", KT("missing_elements__0"), "missing_elements", "local_due"
        )
    )


def test_the_rows_are_the_ones_the_orm_gives(t, other_town):
    submitted(t, local(2026, 10, 7, 9), major=True)
    closed_locally(t, local(2026, 10, 8, 9), category="dispute")
    submitted(other_town, local(2026, 10, 9, 9))
    since = date(2026, 10, 1)
    for town in (t.town, other_town.town):
        found, orm = compiled.rows(_cases, town.id, since), list(_cases(town.id, since))
        assert found == orm
        # Of the same types too (SQLite's 1 equals True).
        assert [tuple(map(type, row)) for row in found] == [tuple(map(type, r)) for r in orm]
        assert found and all(type(row) is tuple for row in found)
    assert compiled.rows(_cases, t.town.id, date(2027, 1, 1)) == []


def test_a_query_is_compiled_once_for_each_of_its_arguments(t, other_town):
    since = date(2026, 9, 1)
    compiled.rows(_cases, t.town.id, since)
    before = compiled._compiled.cache_info()
    compiled.rows(_cases, other_town.town.id, since)
    assert compiled._compiled.cache_info().misses == before.misses
    compiled.rows(_cases, other_town.town.id, date(2026, 9, 2))
    assert compiled._compiled.cache_info().misses == before.misses + 1


def _no_id(town_id: int):
    return Case.objects.values_list("id")


def _instances(town_id: int):
    return Case.objects.filter(town_id=town_id)


def _flat(town_id: int):
    return Case.objects.filter(town_id=town_id).values_list("id", flat=True)


def test_only_a_values_list_of_the_id_is_compiled(t):
    with pytest.raises(RuntimeError, match="not a parameter"):
        compiled.rows(_no_id, t.town.id)
    for build in (_instances, _flat):
        with pytest.raises(TypeError, match="values_list"):
            compiled.rows(build, t.town.id)


def test_every_query_of_the_assessment_gives_what_the_orm_gives(t, time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)  # the quarter may be finalised
    closed_locally(t, local(2026, 10, 12, 9))
    policy_versions.policy_upload(town=t.town, source=DEFAULT_POLICY_PATH.read_text("utf-8"))
    life.quarter_finalise(town=t.town, quarter="2026-Q4", by=t.office_user)
    start, _ = clock.month_bounds("2026-10", t.town.timezone)
    _, end = clock.month_bounds("2026-12", t.town.timezone)
    asked = [
        (facts._reviews, (start, end)),
        (facts._appeals, (start, end)),
        (repeats._confirmed, ()),
        (services._officer_roles, (date(2026, 10, 1), date(2026, 12, 31))),
        (services._adjustment_rows, ("2026-Q4",)),
        (services._frozen, (("2026-Q4",),)),
        (policies._versions, (None,)),
        (policies._versions, (date(2026, 12, 1),)),
    ]
    for build, args in asked:
        found, orm = compiled.rows(build, t.town.id, *args), list(build(t.town.id, *args))
        assert found == orm, build
        assert [tuple(map(type, row)) for row in found] == [tuple(map(type, r)) for r in orm]
    # What a run reads of every town at once is what the town's own query gives.
    until = date(2026, 12, 1)
    run = policies.histories_rows(until)
    assert run[t.town.id] == compiled.rows(policies._versions, t.town.id, until)
    assert [tuple(map(type, row)) for row in run[t.town.id]] == [(date, int, str)]
    # The snapshot of the finalised quarter is read as the JSON it holds.
    [(quarter, status, snapshot)] = compiled.rows(services._frozen, t.town.id, ("2026-Q4",))
    assert (quarter, status) == ("2026-Q4", "finalised") and isinstance(snapshot, dict)


# ---------------------------------------------------------------- several in one round trip


def _numbers(town_id: int):
    return Case.objects.filter(town_id=town_id).order_by("number").values_list("number")


def test_queries_read_together_are_answered_from_what_was_read(t, other_town):
    submitted(t, local(2026, 10, 7, 9))
    submitted(other_town, local(2026, 10, 8, 9))
    since = date(2026, 10, 1)
    asked = [
        compiled.query(_numbers, t.town.id),
        compiled.query(_numbers, other_town.town.id),
        compiled.query(_cases, t.town.id, since),
    ]
    expected = [list(q.build(q.id, *q.args)) for q in asked]
    with CaptureQueriesContext(connection) as run, compiled.together(asked):
        assert len(run) == 3  # run now
        found = [compiled.rows(q.build, q.id, *q.args) for q in asked]
        assert len(run) == 3  # nothing more
        # Once: asked again, it is run again; other arguments, too.
        assert compiled.read(asked[0]) == expected[0]
        compiled.rows(_cases, t.town.id, date(2026, 10, 2))
        assert len(run) == 5
    assert found == expected
    assert [tuple(map(type, row)) for row in found[2]] == [tuple(map(type, r)) for r in expected[2]]


def test_what_was_read_and_not_asked_is_dropped_at_the_end(t):
    submitted(t, local(2026, 10, 7, 9))
    with compiled.together([compiled.query(_numbers, t.town.id)]):
        with compiled.together([compiled.query(_numbers, t.town.id + 1)]):
            assert compiled._read.rows.keys() == {
                compiled.query(_numbers, t.town.id),
                compiled.query(_numbers, t.town.id + 1),
            }
        assert compiled._read.rows.keys() == {compiled.query(_numbers, t.town.id)}
    assert compiled._read.rows is None
    submitted(t, local(2026, 10, 8, 9))  # not in what was read: a query outside reads it
    assert len(compiled.rows(_numbers, t.town.id)) == 2


def test_a_query_asked_in_an_inner_block_is_not_answered_again_outside_it(t):
    submitted(t, local(2026, 10, 7, 9))
    asked = compiled.query(_numbers, t.town.id)
    with compiled.together([asked]):
        with compiled.together([compiled.query(_numbers, t.town.id + 1)]):
            assert compiled.read(asked) == list(_numbers(t.town.id))
        submitted(t, local(2026, 10, 8, 9))
        assert len(compiled.read(asked)) == 2  # read again, not what was read before


def test_answered_queries_are_not_asked_inside_the_block_and_forgotten_after_it(t):
    submitted(t, local(2026, 10, 7, 9))
    known = compiled.query(_numbers, t.town.id)
    other = compiled.query(_numbers, t.town.id + 1)
    given, real = [("given",)], list(_numbers(t.town.id))
    with CaptureQueriesContext(connection) as run, compiled.answered({known: given}):
        with compiled.together([known, other]):
            assert len(run) == 1  # only the other
            assert compiled.read(known) == given
            assert compiled.read(other) == []
        assert len(run) == 1
        assert compiled.read(known) == real  # once: asked now
        assert len(run) == 2
    assert compiled._read.rows is None
    with compiled.answered({known: given}):
        pass
    assert compiled.read(known) == real  # not answered after the block


@pg
def test_on_postgresql_they_are_sent_in_one_pipeline(t, monkeypatch):
    submitted(t, local(2026, 10, 7, 9))
    connection.ensure_connection()
    raw_class = type(connection.connection)
    entered = []
    real = raw_class.pipeline

    def spy(self, *args, **kwargs):
        entered.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(raw_class, "pipeline", spy)
    since = date(2026, 9, 1)
    asked = [compiled.query(_numbers, t.town.id), compiled.query(_cases, t.town.id, since)]
    with compiled.together(asked):
        assert entered == [connection.connection]
        assert compiled.read(asked[0]) == list(_numbers(t.town.id))


def _failing(town_id: int):
    return Case.objects.filter(town_id=town_id).extra(where=["1 / (id - id) = 1"]).values_list("id")


@pg
def test_a_failing_query_in_the_pipeline_is_a_database_error_and_the_connection_lives(t):
    submitted(t, local(2026, 10, 7, 9))
    asked = [compiled.query(_numbers, t.town.id), compiled.query(_failing, t.town.id)]
    with pytest.raises(DataError), transaction.atomic(), compiled.together(asked):
        pass
    assert compiled._read.rows is None
    assert compiled.rows(_numbers, t.town.id) == list(_numbers(t.town.id))


def test_a_towns_assessment_asks_every_query_it_read_together(t, time_machine, monkeypatch):
    time_machine.move_to(local(2027, 1, 20, 9), tick=False)
    closed_locally(t, local(2026, 10, 12, 9))
    left: list = []
    real = compiled.together

    @contextlib.contextmanager
    def spy(queries):
        queries = list(queries)
        with real(queries):
            yield
            left.extend(q for q in queries if q in compiled._read.rows)

    monkeypatch.setattr(compiled, "together", spy)
    months = ["2026-10", "2026-11", "2026-12"]
    with CaptureQueriesContext(connection) as run:
        services.assess_period(town=t.town, months=months)  # a quarter: its adjustments too
    assert not left
    # One small query before (the finalised quarters), the cases' after the six together.
    assert len(run) == 1 + 6 + 1
    services.assess_period(town=t.town, months=months[:2])
    services.assess_period(town=t.town, months=months, policy=policies.default_policy())
    assert not left
