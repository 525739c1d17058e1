"""The queue's text search (`q`): an n-gram index the database keeps, then the exact test.

A search for 张 or 调解 in a million cases cannot use an ordinary index (the text is
anywhere in the field: ``LIKE '%调解%'``), and reading every row took 0.6–3.3 s (issue 15).
So every case has one row in the table ``cases_search`` with the grams of its searchable
text — each character (for one-character queries) and each pair of adjacent characters
(bigrams), of the number, title, place, persons, cause, course and the parties' names,
ASCII letters lower-cased, never across a space or from one field into the next:

- PostgreSQL: ``cases_search(case_id, grams text[])`` with a GIN index; a query asks
  ``grams @> ARRAY[its bigrams]`` (or its one character). pg_trgm was measured and left: it
  does make trigrams of Chinese text (C.UTF-8), but a pattern of one or two characters has no
  trigram, so ``LIKE '%张%'`` reads its whole index;
- SQLite: an FTS5 table ``cases_search(grams)`` whose rowid is the case id; its
  ``unicode61`` tokenizer takes each space-separated gram as one token (Chinese characters
  are letters to it), ``detail=none`` (the terms are ANDed, never a phrase). FTS5's own
  trigram tokenizer needs three characters, the queries here often have one or two.

The table is kept by the database itself (triggers made by migration 0011): after every
insert or update of a case's searchable fields, and every insert, update or delete of a
party — whoever writes: the services, the ledger's many-row INSERT and COPY
(``ledger/bulk.py``), ``bulk_create``, raw SQL — which no Django signal would see. PostgreSQL
computes the grams in SQL (``gridcase_grams``); SQLite calls the Python function `grams`,
registered on every connection Django opens (``register``).

A query shaped like a case number (``NUMBER``: BX-2026-0935176, or its beginning down to
the year's hyphen) is not looked up in the grams: its grams (``bx``, ``202``, ``026`` …) are
in nearly every case, and the GIN index intersected their long lists (196–390 ms at five
million cases). It means the cases whose number begins with it, any case of letters, read
from the index migration 0018 makes on the number (``number_q``).

Any other search is the index's candidates AND the exact test it always was (``icontains`` on the
fields, the parties' names): the grams find a superset (bigrams in another order, a pair
across 、), the test keeps what contains the text. It is one more filter on the person's
already scoped cases, so it never shows a case outside their scope. On SQLite, grams held by
more than one case in twenty (``COMMON``) do not narrow the search: the exact test alone is
applied to the rows each query reads from the scope's index.
"""

from __future__ import annotations

import re

from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.dispatch import receiver

from .models import Case, Party

# What the SQL function lower-cases on PostgreSQL (translate()), and Python here: ASCII only,
# so that both sides make the very same grams whatever the server's locale.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_SPACE = frozenset(" \t\n\r\f\v")
# The searchable fields, in the order the triggers concatenate them (one per line).
FIELDS = ("number", "title", "location", "persons", "cause", "course")


_ASCII_WORD = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


def _word(g: str) -> bool:
    """Three ASCII letters or digits: kept as a trigram too. Ten digits make only a hundred
    bigrams, each in most case numbers and phone numbers; a number's trigrams find it."""
    return len(g) == 3 and all(ch in _ASCII_WORD for ch in g)


def grams(text: str | None) -> str:
    """The grams of a text, space-separated, as SQLite's FTS5 table stores them: every
    character and every pair of adjacent characters without an (ASCII) space in it, and
    every three adjacent ASCII letters or digits."""
    if not text:
        return ""
    s = text.translate(_ASCII_LOWER)
    found = dict.fromkeys(
        g
        for i in range(len(s))
        for g in (s[i], s[i : i + 2], s[i : i + 3])
        if (len(g) < 3 and not any(ch in _ASCII_SPACE for ch in g)) or _word(g)
    )
    return " ".join(found)


def _terms(text: str, vendor: str) -> list[str]:
    """The grams a case holding `text` must have: its ASCII trigrams, its bigrams (those not
    inside a trigram), or its one character. On SQLite only grams FTS5's tokenizer keeps whole
    (letters and digits; it splits at the rest), a lone letter where its neighbours are not."""
    s = text.translate(_ASCII_LOWER)
    ok = (lambda ch: ch.isalnum()) if vendor == "sqlite" else (lambda ch: ch not in _ASCII_SPACE)
    n = len(s)
    triples = [i for i in range(n - 2) if _word(s[i : i + 3])]
    in_triple = {i + k for i in triples for k in (0, 1)}  # bigrams starting here are implied
    pairs = [i for i in range(n - 1) if ok(s[i]) and ok(s[i + 1]) and i not in in_triple]
    covered = {i + k for i in triples for k in (0, 1, 2)} | {i + k for i in pairs for k in (0, 1)}
    singles = [s[i] for i in range(n) if ok(s[i]) and i not in covered]
    terms = [s[i : i + 3] for i in triples] + [s[i : i + 2] for i in pairs] + singles
    return list(dict.fromkeys(terms))


def exact_q(text: str, *, parties: bool = True) -> Q:
    """What a text search means: the text in the number, title, place, persons, cause or course
    (or a party's name), any case of ASCII letters."""
    q = (
        Q(number__icontains=text)
        | Q(title__icontains=text)
        | Q(location__icontains=text)
        | Q(persons__icontains=text)
        | Q(cause__icontains=text)
        | Q(course__icontains=text)
    )
    if parties:
        q |= Exists(Party.objects.filter(case_id=OuterRef("pk"), name__icontains=text))
    return q


# A case number as `filing.next_number` makes it — the town's code (a slug, so letters,
# digits, "-" and "_"), the local year, a counter: BX-2026-00042 — or its beginning, down to
# the year and its hyphen. The code must hold a letter and the year be four digits followed
# by a hyphen, so that no phone (0731-8888-1234 has no letter), word or text (COVID-19) is
# taken for one: those keep the text search (the grams find digits by their trigrams).
NUMBER = re.compile(r"[A-Za-z0-9_-]*[A-Za-z][A-Za-z0-9_-]*-[0-9]{4}-[0-9]*")


def number_prefix_q(text: str) -> Q:
    """The cases whose number begins with the text. ``istartswith`` is ``UPPER(number) LIKE
    UPPER('bx-2026-09%')`` on PostgreSQL, ``number LIKE … ESCAPE`` on SQLite (case-insensitive
    for ASCII): both are ranges of the index migration 0018 makes (upper(number)
    text_pattern_ops; number COLLATE NOCASE)."""
    return Q(number__istartswith=text)


def number_q(text: str) -> Q | None:
    """The cases whose number begins with the text, if it is shaped like a case number
    (``NUMBER``), else None.

    A whole number is one case, its beginning down to the year a year of the town's. The
    cases are read from the number's index first (up to LISTED ids) and named by id: within a
    list sorted by time, SQLite (no statistics) walked the town's cases newest first testing
    each number — the whole town, 3.5 s at a million, for the one case a number names. More
    than LISTED (a year's beginning) stay the prefix: the list finds them walking in order."""
    if not NUMBER.fullmatch(text):
        return None
    prefix = number_prefix_q(text)
    ids = list(Case.objects.filter(prefix).values_list("pk", flat=True)[: LISTED + 1])
    return Q(pk__in=ids) if len(ids) <= LISTED else prefix


# Up to this many candidates are read first and named by id; more are left a subquery.
LISTED = 2000


def candidates_q(text: str, using=None) -> Q | None:
    """The cases whose grams hold every term of the text (a superset of the matches), by the
    index; None when the text has no term (spaces, punctuation on SQLite), COMMON when the
    grams are in too many cases to narrow the search (SQLite): then only the exact test
    applies. Reads the index once (up to LISTED ids) to choose the query's form."""
    conn = using or default_connection
    terms = _terms(text, conn.vendor)
    if not terms:
        return None
    if conn.vendor == "postgresql":
        sql = "SELECT case_id FROM cases_search WHERE grams @> %s::text[]"
        params: list = [terms]
    elif conn.vendor == "sqlite":
        sql = "SELECT rowid FROM cases_search WHERE cases_search MATCH %s"
        params = [" ".join('"' + t.replace('"', '""') + '"' for t in terms)]
    else:
        return None
    # A few matches are named (the list then sorts them: a few thousand rows at most); many
    # are left a subquery (the list walks its index in order and stops after a page, most
    # rows matching). One plan cannot serve both: the planner's guess for a rare gram (张 in
    # 72 cases of a million: it guessed 5,000) made it walk a whole village for a page.
    with conn.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*params, LISTED + 1])
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) <= LISTED:
            return Q(pk__in=ids)
        if conn.vendor == "sqlite" and _common(cursor, sql, params):
            return COMMON
    return Q(pk__in=RawSQL(sql, params))


# The answer of `candidates_q` for a gram in so many cases that the index does not narrow the
# search: the exact test alone, on the rows the list walks.
COMMON = Q()
# The share of the cases above which a gram is common (SQLite): one in 20.
COMMON_SHARE = 20


def _common(cursor, sql: str, params: list) -> bool:
    """Whether more than LISTED cases, and more than one case in COMMON_SHARE, hold the grams
    (SQLite; asked when more than LISTED do).

    SQLite tests ``id IN (subquery)`` from a list it builds of every match, each time: a
    gram every case holds (甲 in a generated town of a million) cost 0.3 s a query, three a
    list page (its tab counts and the page), and one query took the list for its driver,
    2.7 s. Testing the text on each row the list reads (``exact_q``, 5–20 µs a row) reads as
    few rows as the scope's index gives: a page of cases when many match, the open cases for
    the counts. Counted up to the share, by the index (0.07 µs a match)."""
    cursor.execute(f"SELECT max(id) FROM {Case._meta.db_table}")
    share = max(LISTED, ((cursor.fetchone() or [0])[0] or 0) // COMMON_SHARE)
    cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s)", [*params, share + 1])
    return cursor.fetchone()[0] > share


def search_q(text: str, *, parties: bool = True) -> Q:
    """The cases matching a search: by their number if the text is shaped like one
    (``number_q``), else ``exact_q`` found through the n-gram index. Combine it with the
    person's scope (it is one more filter: it never widens what they see)."""
    text = text.strip()
    by_number = number_q(text)
    if by_number is not None:
        return by_number
    exact = exact_q(text, parties=parties)
    found = candidates_q(text)
    if found is None or found is COMMON:
        return exact
    if parties and _whole(text):
        # The text is one gram itself (张, 调解, 138): a case holds the gram exactly when a
        # field or a party's name holds the text, so the index alone answers. (The exact test
        # on a gram found in every case — 甲 in a generated town — read all parties' names.)
        return found
    return found & exact


def _whole(text: str) -> bool:
    """Whether the text is its own single search term, with no letter whose case only the
    exact test folds (``icontains`` folds É; the grams fold ASCII only)."""
    lowered = text.translate(_ASCII_LOWER)
    return _terms(text, default_connection.vendor) == [lowered] and all(
        ch.isascii() or ch.lower() == ch.upper() for ch in text
    )


# ---------------------------------------------------------------- SQLite: the Python grams


def register(connection) -> None:
    """Make `grams` callable from SQL (the triggers) on a SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("gridcase_grams", 1, grams, deterministic=True)


@receiver(connection_created, dispatch_uid="gridcase.cases.search.register")
def _on_connection(sender, connection, **kwargs) -> None:
    register(connection)
