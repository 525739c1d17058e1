"""The last figures kept, shown with their time while the worker computes the current ones
(web/dashboard_cache.latest, issue 15): a big town's first view after a change does not wait
for the whole assessment. Only pages do; only when the last computation took longer than a
page may wait and the cache is shared with the worker; downloads are always current."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache

from gridcase.assessment.services import assess_period
from gridcase.web import dashboard_cache
from tests.assessment.builders import closed_locally, submitted
from tests.factories import local

pytestmark = pytest.mark.django_db

Q4 = "2026-Q4"
Q4_MONTHS = ["2026-10", "2026-11", "2026-12"]
PAGE = f"/assessment/{Q4}/"
JSON = f"/assessment/{Q4}/result.json"


@pytest.fixture
def later(time_machine):
    time_machine.move_to(local(2026, 12, 20, 9), tick=False)
    return time_machine


@pytest.fixture
def q4(t, later):
    closed_locally(t, local(2026, 10, 12, 9))
    closed_locally(t, local(2026, 11, 3, 9), by=t.other_officer)
    submitted(t, local(2026, 12, 1, 9))


@pytest.fixture
def slow(settings, monkeypatch):
    """Every computation counts as longer than a page may wait, and the cache is shared with
    the worker (Redis on CI; each process's own memory locally: said to be shared here)."""
    settings.GRIDCASE_ASSESSMENT_WAIT_MS = 0
    monkeypatch.setattr(dashboard_cache, "shared", lambda: True)


@pytest.fixture
def asked(monkeypatch):
    """What the worker was asked to compute (not computed: the test does, when it says)."""
    calls: list[tuple] = []
    monkeypatch.setattr(dashboard_cache, "refresh_task", lambda *args, asked: calls.append(args))
    return calls


def cases_of(page) -> int:
    return sum(o["counted"] + o["pending"] for o in page.context["officers"])


def test_after_a_change_the_page_shows_the_last_figures_with_their_time_and_asks_once(
    login, t, q4, slow, asked, later
):
    office = login(t.office_user)
    first = office.get(PAGE)
    assert first.context["kept_since"] is None and "以下数据截至" not in first.content.decode()
    before = cases_of(first)

    later.shift(3600)
    submitted(t, local(2026, 12, 20, 8, 30))
    shown = office.get(PAGE)
    page = shown.content.decode()
    # The figures of 09:00, said so, with the way to wait for the current ones.
    assert cases_of(shown) == before
    assert "以下数据截至 2026-12-20 09:00" in page and "fresh=1" in page
    assert asked == [("summary", t.town.pk, ",".join(Q4_MONTHS), "2026-12-20")] + [
        (kind, t.town.pk, *args)
        for kind, *args in (
            ("quarter", Q4),
            ("signals", ",".join(Q4_MONTHS), "2026-10-01", "2026-12-31"),
        )
    ]
    office.get(PAGE)
    assert len(asked) == 3  # asked once: the worker has not answered yet

    for kind, town_id, *args in asked:  # the worker
        assert town_id == t.town.pk
        dashboard_cache.refresh(kind, t.town, *args)
    now = office.get(PAGE)
    assert now.context["kept_since"] is None and cases_of(now) == before + 1


def test_the_worker_asked_in_the_same_process_answers_for_the_next_view(
    login, t, q4, slow, later, worker_in_process
):
    office = login(t.office_user)
    before = cases_of(office.get(PAGE))
    submitted(t, local(2026, 12, 20, 8, 30))
    assert cases_of(office.get(PAGE)) == before  # the last ones, while the worker computes
    assert cases_of(office.get(PAGE)) == before + 1


def test_a_page_that_asks_for_the_current_figures_waits_for_them(login, t, q4, slow, asked):
    office = login(t.office_user)
    before = cases_of(office.get(PAGE))
    submitted(t, local(2026, 12, 20, 8, 30))
    now = office.get(PAGE, {"fresh": "1"})
    assert now.context["kept_since"] is None and cases_of(now) == before + 1
    assert asked == []


def test_downloads_are_always_current(login, t, q4, slow, asked):
    office = login(t.office_user)
    office.get(PAGE)
    submitted(t, local(2026, 12, 20, 8, 30))
    response = office.get(JSON)
    fresh = assess_period(town=t.town, months=Q4_MONTHS).as_dict()
    assert json.loads(response.content) == json.loads(json.dumps(fresh))
    assert asked == []


def test_a_quick_computation_is_waited_for(login, t, q4, settings, monkeypatch, asked):
    monkeypatch.setattr(dashboard_cache, "shared", lambda: True)
    settings.GRIDCASE_ASSESSMENT_WAIT_MS = 60_000  # a test town's quarter takes milliseconds
    office = login(t.office_user)
    before = cases_of(office.get(PAGE))
    submitted(t, local(2026, 12, 20, 8, 30))
    assert cases_of(office.get(PAGE)) == before + 1
    assert asked == []


def test_without_a_shared_cache_the_page_waits(login, t, q4, settings, monkeypatch, asked):
    # One machine without Redis: the worker's figures would be in its own memory, not the
    # web process's.
    settings.GRIDCASE_ASSESSMENT_WAIT_MS = 0
    monkeypatch.setattr(dashboard_cache, "shared", lambda: False)
    office = login(t.office_user)
    before = cases_of(office.get(PAGE))
    submitted(t, local(2026, 12, 20, 8, 30))
    assert cases_of(office.get(PAGE)) == before + 1
    assert asked == []


def test_a_statement_and_the_start_page_say_the_time_of_their_figures_too(
    login, t, q4, slow, asked
):
    office = login(t.office_user)
    statement = f"/assessment/{Q4}/officers/{t.officer.pk}/"
    office.get(statement)
    office.get("/assessment/")
    submitted(t, local(2026, 12, 20, 8, 30))
    for url in (statement, "/assessment/"):
        page = office.get(url)
        assert page.context["kept_since"] is not None, url
        assert "以下数据截至 2026-12-20 09:00" in page.content.decode(), url
    assert {call[0] for call in asked} == {"summary", "officer", "quarter_facts"}


def test_no_quarter_is_finalised_from_earlier_figures(login, t, q4, slow, asked, later):
    later.move_to(local(2027, 1, 5, 9), tick=False)  # the quarter may be finalised
    office = login(t.office_user)
    first = office.get(PAGE)
    assert first.context["finalise_blocker"] == ""
    submitted(t, local(2026, 12, 30, 9))
    page = office.get(PAGE)
    assert page.context["kept_since"] is not None
    assert page.context["finalise_blocker"] == "本页数据正在重新计算,请在最新结果上定稿。"
    assert 'id="finalise-blocked"' in page.content.decode()


def test_an_entry_gone_from_the_cache_is_computed_again(login, t, q4, slow, asked):
    office = login(t.office_user)
    before = cases_of(office.get(PAGE))
    submitted(t, local(2026, 12, 20, 8, 30))
    cache.clear()  # the last figures are gone too: nothing to show in their place
    assert cases_of(office.get(PAGE)) == before + 1
    assert asked == []


def test_the_worker_knows_each_kind_and_no_other(t, worker_in_process):
    with pytest.raises(ValueError, match="nothing kept of kind"):
        dashboard_cache.refresh("payroll", t.town)
    # No such town (deleted since): nothing to compute.
    dashboard_cache.refresh_task.call_local("assess", 0, "2026-10", "2026-12-20")


def test_the_period_page_reads_the_result_without_its_cases_and_a_statement_one_officers(
    login, t, q4
):
    office = login(t.office_user)
    page = office.get(PAGE)
    whole = assess_period(town=t.town, months=Q4_MONTHS)
    shown = page.context["result"]
    assert shown == whole.without_cases() and shown.total == whole.total
    assert all(m.cases == () for o in shown.officers for m in o.months)
    assert any(m.cases for o in whole.officers for m in o.months)
    mine = office.get(f"/assessment/{Q4}/officers/{t.officer.pk}/")
    rows = re.findall(r'<tr id="case-([^"]+)"', mine.content.decode())
    assert rows == [c.case_no for m in whole.officer(t.officer.pk).months for c in m.cases]
    # Each officer's part is kept under their id: the other officer's is theirs.
    theirs = office.get(f"/assessment/{Q4}/officers/{t.other_officer.pk}/")
    numbers = re.findall(r'<tr id="case-([^"]+)"', theirs.content.decode())
    assert numbers and not set(numbers) & set(rows)


def test_a_part_counts_what_its_whole_cost(t, q4):
    # Whether a page may wait for a part is whether it may wait for the whole it is cut from.
    stamp = dashboard_cache.stamp_of(t.town, Q4_MONTHS)
    shown = dashboard_cache.latest(
        "test", t.town, stamp, "x", lambda: dashboard_cache._Derived("part", 99.0), line="x"
    )
    assert (shown.value, shown.seconds, shown.current) == ("part", 99.0, True)
    again = dashboard_cache.latest("test", t.town, stamp, "x", lambda: 1 / 0, line="x")
    assert (again.value, again.seconds) == ("part", 99.0)


def test_one_request_per_page_part_stands_until_the_worker_answers(
    login, t, q4, slow, monkeypatch, later, worker_in_process
):
    # A town that changes faster than its quarter is computed: the queue holds one request
    # per part, not one per change; once answered, the next view asks for the stamp of then.
    worker = dashboard_cache.refresh_task
    pending: list[tuple] = []
    monkeypatch.setattr(
        dashboard_cache, "refresh_task", lambda *args, asked: pending.append((args, asked))
    )
    office = login(t.office_user)
    before = cases_of(office.get(PAGE))
    submitted(t, local(2026, 12, 20, 8, 30))
    office.get(PAGE)
    assert len(pending) == 3  # the summary, the quarter's panel, the padding signals
    later.shift(60)
    submitted(t, local(2026, 12, 20, 8, 40))
    office.get(PAGE)  # another stamp, the same requests still standing
    assert len(pending) == 3
    for args, asked in pending:  # the worker answers: computes, then lets the next view ask
        worker.call_local(*args, asked=asked)
    assert cases_of(office.get(PAGE)) == before + 2  # computed on the stamp of then
    submitted(t, local(2026, 12, 20, 8, 50))
    office.get(PAGE)
    assert len(pending) == 6


def test_the_worker_lets_the_next_view_ask_again_even_when_it_fails(
    t, monkeypatch, worker_in_process
):
    cache.set("asked-marker", True)

    def broken(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(dashboard_cache, "refresh", broken)
    with pytest.raises(RuntimeError):
        dashboard_cache.refresh_task.call_local(
            "summary", t.town.pk, "2026-10", "2026-12-20", asked="asked-marker"
        )
    assert cache.get("asked-marker") is None


def test_a_statement_links_each_case_as_reverse_does():
    from django.urls import reverse

    from gridcase.web.views.assessment import statement_rows

    for name in ("web:case_detail", "assess:appeal_file"):
        link = statement_rows._link(name)
        for number in ("CT-2026-00042", "BX_2026.7~1", "导入-001", "a b", "x%y", "0"):
            assert link(number) == reverse(name, args=[number]), number
