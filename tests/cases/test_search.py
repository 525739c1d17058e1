"""The text search through the n-gram table: what it finds, whom it shows, and that the
database keeps the table current whoever writes (services, bulk_create, the ledger import)."""

import pytest
from django.db import connection

from gridcase.cases import filing, search
from gridcase.cases.models import Case, Party
from gridcase.cases.selectors import visible_cases
from gridcase.ledger.services import import_ledger
from tests.factories import complete_data, local, submitted_case
from tests.ledger.conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


def found(user, text: str, **kwargs) -> list[str]:
    cases = visible_cases(user).filter(search.search_q(text, **kwargs))
    return sorted(cases.values_list("number", flat=True))


def stored(case: Case) -> set[str]:
    """The grams the database holds for the case."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT grams FROM cases_search WHERE case_id = %s", [case.pk])
            rows = cursor.fetchall()
            # PostgreSQL keeps the grams holding a space too (no query asks for one).
            return {g for g in rows[0][0] if not set(g) & set(" \t\n\r\f\v")} if rows else set()
        cursor.execute("SELECT grams FROM cases_search WHERE rowid = %s", [case.pk])
        rows = cursor.fetchall()
        return set(rows[0][0].split()) if rows else set()


def expected(case: Case) -> set[str]:
    names = "\n".join(case.parties.order_by("id").values_list("name", flat=True))
    fields = [getattr(case, f) for f in search.FIELDS]
    return set(search.grams("\n".join([*fields, names])).split())


def test_terms_of_a_query():
    assert search._terms("张", "postgresql") == ["张"]
    assert search._terms("调解员", "postgresql") == ["调解", "解员"]
    assert search._terms("BX-0012", "postgresql") == ["001", "012", "bx", "x-", "-0"]
    assert search._terms("BX-0012", "sqlite") == ["001", "012", "bx"]  # FTS5 splits at "-"
    assert search._terms("张 三", "sqlite") == ["张", "三"]
    assert search._whole("调解") and search._whole("138") and not search._whole("É")
    assert not search._whole("调解员")


def test_grams_are_characters_and_pairs_never_across_a_space():
    assert search.grams("调解 AB") == "调 调解 解 a ab b"
    assert search.grams("BX-12") == "b bx x x- - -1 1 12 2"
    assert search.grams("0731") == "0 07 073 7 73 731 3 31 1"
    assert search.grams("甲\n乙") == "甲 乙"
    assert search.grams("") == ""


def test_the_database_makes_the_same_grams_as_python(t, frozen):
    case = submitted_case(t, local(2026, 10, 9, 9), location="东村 桥头 B3", persons="Zhang三")
    assert stored(case) == expected(case)
    assert {"桥头", "b3", "zh", "三"} <= stored(case)


def test_one_two_and_more_characters_numbers_and_parties(t, frozen):
    a = submitted_case(t, local(2026, 10, 9, 9), location="东村桥头", cause="宅基地边界")
    b = submitted_case(
        t,
        local(2026, 10, 10, 9),
        location="西头",
        persons="王五",
        cause="噪音扰民",
        parties=[
            {"name": "赵六", "phone": "13900139000"},
            {"name": "钱二", "phone": "13900139001"},
        ],
    )
    user = t.center_user
    assert found(user, "桥") == [a.number]  # one character
    assert found(user, "桥头") == [a.number]  # two
    assert found(user, "头") == sorted([a.number, b.number])
    assert found(user, "宅基地边界") == [a.number]  # five: every bigram, then the exact test
    assert found(user, "张三") == [a.number]  # a party's name (and the persons)
    assert found(user, "赵六") == [b.number]  # a party's name only
    assert found(user, "赵") == [b.number]  # one character: the index alone answers
    assert found(user, "赵", parties=False) == []  # (and without the parties, the exact test)
    assert found(user, "赵六", parties=False) == []  # the API's search leaves parties out
    assert found(user, b.number) == [b.number]
    assert found(user, b.number.upper()) == [b.number]  # ASCII letters in any case
    assert found(user, f"  {a.number} ") == [a.number]
    assert found(user, "东村边界") == []  # every bigram elsewhere, never the text itself
    assert found(user, "-") == sorted([a.number, b.number])  # no gram: the exact test alone


def test_pairs_found_in_another_order_are_not_a_match(t, frozen):
    a = submitted_case(t, local(2026, 10, 9, 9), cause="张三说三张纸")
    b = submitted_case(t, local(2026, 10, 9, 10), cause="张三张")
    # Both hold the bigrams 张三 and 三张; only b holds 张三张.
    assert {"张三", "三张"} <= stored(a)
    assert found(t.center_user, "张三张") == [b.number]


def test_a_search_never_widens_the_scope(t, frozen):
    east = submitted_case(t, local(2026, 10, 9, 9), location="东村石桥")
    west = filing.case_submit(
        case=filing.case_create_draft(
            town=t.town,
            by=t.other_officer,
            data=complete_data(local(2026, 10, 9, 9), location="西村石桥"),
            at=local(2026, 10, 9, 9),
        ),
        by=t.other_officer,
        at=local(2026, 10, 9, 9),
    )
    draft = filing.case_create_draft(
        town=t.town, by=t.officer, data={"location": "东村石桥草稿"}, at=local(2026, 10, 9, 9)
    )
    assert found(t.center_user, "石桥") == sorted([east.number, west.number])
    assert found(t.officer, "石桥") == sorted([east.number, draft.number])  # own draft
    assert found(t.station_user, "石桥") == [east.number]  # no one's draft
    assert found(t.other_station_user, "石桥") == [west.number]
    assert found(t.other_officer, "草稿") == []
    assert found(t.department_user, "石桥") == []  # nothing dispatched to it


def test_kept_current_when_a_draft_and_its_parties_change(t, frozen):
    at = local(2026, 10, 9, 9)
    draft = filing.case_create_draft(
        town=t.town, by=t.officer, data=complete_data(at, location="老屋场"), at=at
    )
    assert found(t.officer, "老屋") == [draft.number]
    filing.case_update_draft(
        case=draft,
        by=t.officer,
        data=complete_data(
            at,
            location="新屋场",
            persons="钱七",
            parties=[{"name": "钱七", "phone": "13700137000"}],
        ),
        at=at,
    )
    assert found(t.officer, "老屋") == []
    assert found(t.officer, "新屋") == [draft.number]
    assert found(t.officer, "钱七") == [draft.number]
    assert found(t.officer, "张三") == []  # the party replaced
    draft.refresh_from_db()
    assert stored(draft) == expected(draft)
    Party.objects.filter(case=draft).update(name="孙八")  # a party renamed in place
    assert found(t.officer, "孙八") == [draft.number]
    Party.objects.filter(case=draft).delete()
    assert found(t.officer, "孙八") == []


def test_kept_current_by_bulk_create_which_sends_no_signal(t, frozen):
    Case.objects.bulk_create(
        [
            Case(
                town=t.town,
                number="BULK-1",
                category="other",
                title="批量写入",
                location="东村",
                village=t.village,
                officer=t.officer,
                state="pending",
                submitted_at=local(2026, 10, 9, 9),
            )
        ]
    )
    case = Case.objects.get(number="BULK-1")
    pk = case.pk
    Party.objects.bulk_create([Party(case=case, name="周九", phone="13600136000")])
    assert found(t.center_user, "批量") == ["BULK-1"]
    assert found(t.center_user, "周九") == ["BULK-1"]
    case.delete()  # (no timeline: nothing protects it)
    with connection.cursor() as cursor:
        column = "case_id" if connection.vendor == "postgresql" else "rowid"
        cursor.execute(f"SELECT count(*) FROM cases_search WHERE {column} = %s", [pk])
        assert cursor.fetchone()[0] == 0


def test_kept_current_by_the_ledger_import(t, tmp_path, frozen):
    def ledger(rows):
        path = tmp_path / "ledger.csv"
        path.write_bytes(csv_bytes(rows))
        return path

    import_ledger(
        path_or_file=ledger([row("L-001"), row("L-002", location="西坡")]), town_name="长塘镇"
    )
    assert found(t.center_user, "西坡") == ["L-002"]
    assert found(t.center_user, "张三") == ["L-001", "L-002"]
    import_ledger(
        path_or_file=ledger(
            [
                row("L-001", parties="张三:13800138001;吴十:13900139000"),
                row("L-002", location="南坡"),
            ]
        ),
        town_name="长塘镇",
    )
    assert found(t.center_user, "吴十") == ["L-001"]
    assert found(t.center_user, "西坡") == []
    assert found(t.center_user, "南坡") == ["L-002"]
    for case in Case.objects.all():
        assert stored(case) == expected(case)


def test_many_candidates_are_a_subquery_few_are_named(t, frozen, monkeypatch):
    a = submitted_case(t, local(2026, 10, 9, 9), location="东村石桥")
    b = submitted_case(t, local(2026, 10, 9, 10), location="西村石桥")
    assert found(t.center_user, "石桥") == sorted([a.number, b.number])
    monkeypatch.setattr(search, "LISTED", 1)  # two candidates: more than named
    monkeypatch.setattr(search, "COMMON_SHARE", 1)  # not too many to narrow the search
    assert (
        "SELECT" in str(Case.objects.filter(search.candidates_q("石桥")).query).split("WHERE", 1)[1]
    )
    assert found(t.center_user, "石桥") == sorted([a.number, b.number])
    assert found(t.center_user, "东村石桥") == [a.number]


def test_a_gram_in_many_cases_is_tested_on_the_rows_read(t, frozen, monkeypatch):
    # SQLite: grams in more than one case in COMMON_SHARE (and more than LISTED) do not
    # narrow the search; each row the list reads is tested instead of a list of every match.
    a = submitted_case(t, local(2026, 10, 9, 9), location="东村石桥")
    b = submitted_case(t, local(2026, 10, 9, 10), location="西村石桥", title="桥")
    submitted_case(t, local(2026, 10, 9, 11), location="南村")
    monkeypatch.setattr(search, "LISTED", 1)
    monkeypatch.setattr(search, "COMMON_SHARE", 10**9)  # any two cases are "many"
    common = search.candidates_q("石桥")
    if connection.vendor == "sqlite":
        assert common is search.COMMON
        where = str(Case.objects.filter(search.search_q("石桥")).query).split("WHERE", 1)[1]
        assert "MATCH" not in where and "LIKE" in where
    else:  # PostgreSQL's planner weighs the GIN index's statistics itself
        assert common is not search.COMMON
    assert found(t.center_user, "石桥") == sorted([a.number, b.number])
    assert found(t.center_user, "东村石桥") == [a.number]
    assert found(t.center_user, "桥") == sorted([a.number, b.number])  # one gram: exact too
    # Not many when they are fewer than one case in COMMON_SHARE.
    monkeypatch.setattr(search, "COMMON_SHARE", 1)
    assert search.candidates_q("石桥") is not search.COMMON
    assert found(t.center_user, "石桥") == sorted([a.number, b.number])
