"""A search by case number (issue 15): a query shaped like a number is read from the index on
the number (migration 0018), not from the n-gram table, within the person's scope; any other
query — digits that could be a phone, a word — is the text search as before."""

import pytest
from django.db import connection

from gridcase.cases import filing, search
from gridcase.cases.models import Case
from tests.cases.test_search import found
from tests.factories import complete_data, local, submitted_case

pytestmark = pytest.mark.django_db


def test_what_is_shaped_like_a_number():
    for text in ("CT-2026-00042", "ct-2026-000", "CT-2026-", "my_town-2-2026-1", "Q1-2026-7"):
        assert search.number_q(text) is not None, text
    for text in (
        "13800138000",  # a phone
        "0731-8888-1234",  # a phone written with hyphens: no letter
        "COVID-19",
        "CT-2026",  # the year without its hyphen: could be text
        "CT-26-00042",
        "CT-2026-00042 调解",
        "调解",
        "",
    ):
        assert search.number_q(text) is None, text


def test_a_number_and_its_beginning_are_found(t, frozen):
    a = submitted_case(t, local(2026, 10, 9, 9), location="东村桥头")
    b = submitted_case(t, local(2026, 10, 10, 9), location="西头")
    assert a.number == "CT-2026-00001"  # filing.next_number's shape
    user = t.center_user
    assert found(user, a.number) == [a.number]
    assert found(user, f"  {a.number.lower()} ") == [a.number]  # any case, spaces trimmed
    assert found(user, "CT-2026-0000") == sorted([a.number, b.number])
    assert found(user, "ct-2026-") == sorted([a.number, b.number])
    assert found(user, "CT-2026-00003") == []
    assert found(user, "CT-2026-00001", parties=False) == [a.number]  # the API's search
    # A number means the case's own number: its beginning, not a text quoting it.
    c = submitted_case(t, local(2026, 10, 11, 9), cause="与CT-2026-00001为同一事件")
    assert found(user, a.number) == [a.number]
    assert found(user, "同一事件") == [c.number]


def test_the_scope_still_applies(t, other_town, frozen):
    east = submitted_case(t, local(2026, 10, 9, 9))
    at = local(2026, 10, 9, 10)
    west = filing.case_submit(
        case=filing.case_create_draft(
            town=t.town, by=t.other_officer, data=complete_data(at), at=at
        ),
        by=t.other_officer,
        at=at,
    )
    elsewhere = submitted_case(other_town, local(2026, 10, 9, 9))
    assert elsewhere.number == "BS-2026-00001"
    assert found(t.center_user, "CT-2026-") == sorted([east.number, west.number])
    assert found(t.officer, "CT-2026-") == [east.number]  # not another officer's village
    assert found(t.officer, west.number) == []
    assert found(t.other_officer, west.number) == [west.number]
    assert found(t.center_user, elsewhere.number) == []  # not another town's
    assert found(other_town.center_user, elsewhere.number) == [elsewhere.number]
    assert found(other_town.center_user, "CT-2026-") == []


def test_other_queries_keep_the_text_search(t, frozen):
    a = submitted_case(t, local(2026, 10, 9, 9), persons="张三 13812345678")
    b = submitted_case(t, local(2026, 10, 10, 9), location="COVID-19 检测点")
    user = t.center_user
    assert found(user, "13812345678") == [a.number]  # digits: maybe a phone
    assert found(user, "00001") == [a.number]  # the middle of a number, as before
    assert found(user, "COVID-19") == [b.number]
    assert found(user, "CT-2026") == sorted([a.number, b.number])  # text: contains
    sql = str(Case.objects.filter(search.search_q("13812345678")).query)
    assert "%13812345678%" in sql  # the exact test (contains) on the grams' candidates


def test_the_number_is_read_from_its_index(t, frozen):
    for day in range(1, 9):
        submitted_case(t, local(2026, 10, day, 9))
    query = Case.objects.filter(search.number_prefix_q("ct-2026-00004")).values("id")
    sql = str(query.query)
    assert "cases_search" not in sql and "LIKE" in sql
    compiled, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A handful of rows: a sequential scan is cheaper; forbid it to see the index is
            # usable (the expression and the pattern operator class match the query's).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {compiled}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {compiled}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "case_number_prefix" in plan, plan
    assert [c.number for c in Case.objects.filter(search.search_q("ct-2026-00004"))] == [
        "CT-2026-00004"
    ]


def test_a_few_cases_are_named_by_id_and_many_left_the_prefix(t, frozen, monkeypatch):
    # Named by id, a list sorted by time sorts the few; a year's beginning is left the prefix,
    # which the list finds walking in order (SQLite walked the whole town for one number).
    cases = [submitted_case(t, local(2026, 10, day, 9)) for day in range(1, 5)]
    monkeypatch.setattr(search, "LISTED", 3)
    one = search.number_q(cases[0].number)
    assert "LIKE" not in str(Case.objects.filter(one).query)
    assert [c.pk for c in Case.objects.filter(one)] == [cases[0].pk]
    many = search.number_q("CT-2026-")
    assert "LIKE" in str(Case.objects.filter(many).query)
    assert Case.objects.filter(many).count() == 4
    monkeypatch.setattr(search, "LISTED", 4)
    named = search.number_q("ct-2026-")
    assert "LIKE" not in str(Case.objects.filter(named).query)
    assert sorted(c.pk for c in Case.objects.filter(named)) == sorted(c.pk for c in cases)
