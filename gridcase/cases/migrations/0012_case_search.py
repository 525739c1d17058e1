"""The n-gram search table and the triggers that keep it (cases/search.py says why and how).

Triggers, not Django signals: the ledger's import writes cases and parties by many-row INSERT
and COPY (ledger/bulk.py), and `bulk_create` sends no signal either; a trigger sees every
write. The existing cases are indexed here, in one statement (a minute or two for a million).

PostgreSQL: statement-level triggers with transition tables (a COPY of 60,000 rows is one
set-based refresh, not 60,000); the case's row is refreshed only when a searchable field
changed (a save writes every column). SQLite: row triggers calling `gridcase_grams`, the
Python function every connection of the application registers (search.register); a tool that
writes cases outside the application (the sqlite3 shell) has to register it as well.
"""

from django.db import migrations

# The searchable text of a case (alias c), one field a line (no bigram spans two fields).
PG_TEXT = r"""concat_ws(E'\n', c.number, c.title, c.location, c.persons, c.cause, c.course,
    (SELECT string_agg(p.name, E'\n') FROM cases_party p WHERE p.case_id = c.id))"""

PG_FORWARD = rf"""
CREATE TABLE cases_search (case_id bigint PRIMARY KEY, grams text[] NOT NULL);

-- Every character, every pair of adjacent characters, and every three adjacent ASCII letters
-- or digits, ASCII letters lower-cased (search.grams makes them in Python for SQLite and the
-- queries). Set-based (an array split, two zipped unnests, a regular expression for the ASCII
-- runs): a per-gram filter made it three times slower. Grams holding a space are kept (no
-- query asks for one); duplicates too (GIN keeps each key once).
CREATE FUNCTION gridcase_grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT x.c
    || array(SELECT a || b FROM unnest(x.c[1:x.n - 1], x.c[2:x.n]) AS u(a, b))
    || array(SELECT substr(r[1], i, 3) FROM regexp_matches(x.s, '[0-9a-z]{{3,}}', 'g') AS r,
             generate_series(1, length(r[1]) - 2) AS i)
  FROM (SELECT s, c, cardinality(c) AS n FROM (SELECT s, regexp_split_to_array(s, '') AS c
        FROM (SELECT translate(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
              AS s) l) y) x
$$;

CREATE FUNCTION gridcase_search_refresh(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO cases_search (case_id, grams)
  SELECT c.id, gridcase_grams({PG_TEXT}) FROM cases_case c WHERE c.id = ANY(ids)
  ON CONFLICT (case_id) DO UPDATE SET grams = EXCLUDED.grams
$$;

CREATE FUNCTION gridcase_search_case_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gridcase_search_refresh(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;

CREATE FUNCTION gridcase_search_case_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gridcase_search_refresh(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.number, n.title, n.location, n.persons, n.cause, n.course)
      IS DISTINCT FROM (o.number, o.title, o.location, o.persons, o.cause, o.course)));
  RETURN NULL;
END $$;

CREATE FUNCTION gridcase_search_case_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM cases_search WHERE case_id IN (SELECT id FROM old_rows);
  RETURN NULL;
END $$;

CREATE FUNCTION gridcase_search_case_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE cases_search;
  RETURN NULL;
END $$;

CREATE FUNCTION gridcase_search_party_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gridcase_search_refresh(ARRAY(SELECT DISTINCT case_id FROM new_rows));
  RETURN NULL;
END $$;

CREATE FUNCTION gridcase_search_party_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gridcase_search_refresh(ARRAY(
    SELECT n.case_id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.name, n.case_id) IS DISTINCT FROM (o.name, o.case_id)
    UNION SELECT o.case_id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.case_id <> o.case_id));
  RETURN NULL;
END $$;

CREATE FUNCTION gridcase_search_party_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM gridcase_search_refresh(ARRAY(SELECT DISTINCT case_id FROM old_rows));
  RETURN NULL;
END $$;

CREATE TRIGGER cases_search_case_insert AFTER INSERT ON cases_case
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION gridcase_search_case_insert();
CREATE TRIGGER cases_search_case_update AFTER UPDATE ON cases_case
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION gridcase_search_case_update();
CREATE TRIGGER cases_search_case_delete AFTER DELETE ON cases_case
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION gridcase_search_case_delete();
CREATE TRIGGER cases_search_case_truncate AFTER TRUNCATE ON cases_case
  FOR EACH STATEMENT EXECUTE FUNCTION gridcase_search_case_truncate();
CREATE TRIGGER cases_search_party_insert AFTER INSERT ON cases_party
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION gridcase_search_party_insert();
CREATE TRIGGER cases_search_party_update AFTER UPDATE ON cases_party
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION gridcase_search_party_update();
CREATE TRIGGER cases_search_party_delete AFTER DELETE ON cases_party
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION gridcase_search_party_delete();

INSERT INTO cases_search (case_id, grams) SELECT c.id, gridcase_grams({PG_TEXT}) FROM cases_case c;
CREATE INDEX cases_search_grams ON cases_search USING gin (grams);
ANALYZE cases_search;
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS cases_search_case_insert ON cases_case;
DROP TRIGGER IF EXISTS cases_search_case_update ON cases_case;
DROP TRIGGER IF EXISTS cases_search_case_delete ON cases_case;
DROP TRIGGER IF EXISTS cases_search_case_truncate ON cases_case;
DROP TRIGGER IF EXISTS cases_search_party_insert ON cases_party;
DROP TRIGGER IF EXISTS cases_search_party_update ON cases_party;
DROP TRIGGER IF EXISTS cases_search_party_delete ON cases_party;
DROP FUNCTION IF EXISTS gridcase_search_case_insert(), gridcase_search_case_update(),
  gridcase_search_case_delete(), gridcase_search_case_truncate(),
  gridcase_search_party_insert(), gridcase_search_party_update(),
  gridcase_search_party_delete(), gridcase_search_refresh(bigint[]), gridcase_grams(text);
DROP TABLE IF EXISTS cases_search;
"""


def sqlite_text(c: str) -> str:
    """The searchable text of the case row `c` (NEW, OLD or an alias), one field a line."""
    fields = " || char(10) || ".join(
        f"{c}.{f}" for f in ("number", "title", "location", "persons", "cause", "course")
    )
    return (
        f"{fields} || char(10) || coalesce((SELECT group_concat(p.name, char(10)) "
        f"FROM cases_party p WHERE p.case_id = {c}.id), '')"
    )


def sqlite_refresh(case_id: str) -> str:
    return (
        f"DELETE FROM cases_search WHERE rowid = {case_id}; "
        f"INSERT INTO cases_search (rowid, grams) SELECT c.id, gridcase_grams({sqlite_text('c')}) "
        f"FROM cases_case c WHERE c.id = {case_id};"
    )


CHANGED = " OR ".join(
    f"OLD.{f} IS NOT NEW.{f}" for f in ("number", "title", "location", "persons", "cause", "course")
)

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE cases_search USING fts5("
    "grams, tokenize = 'unicode61 remove_diacritics 0', detail = none)",
    f"CREATE TRIGGER cases_search_case_insert AFTER INSERT ON cases_case BEGIN "
    f"{sqlite_refresh('NEW.id')} END",
    f"CREATE TRIGGER cases_search_case_update AFTER UPDATE ON cases_case WHEN {CHANGED} BEGIN "
    f"{sqlite_refresh('NEW.id')} END",
    "CREATE TRIGGER cases_search_case_delete AFTER DELETE ON cases_case BEGIN "
    "DELETE FROM cases_search WHERE rowid = OLD.id; END",
    f"CREATE TRIGGER cases_search_party_insert AFTER INSERT ON cases_party BEGIN "
    f"{sqlite_refresh('NEW.case_id')} END",
    f"CREATE TRIGGER cases_search_party_update AFTER UPDATE ON cases_party "
    f"WHEN OLD.name IS NOT NEW.name OR OLD.case_id IS NOT NEW.case_id BEGIN "
    f"{sqlite_refresh('OLD.case_id')} {sqlite_refresh('NEW.case_id')} END",
    f"CREATE TRIGGER cases_search_party_delete AFTER DELETE ON cases_party BEGIN "
    f"{sqlite_refresh('OLD.case_id')} END",
    f"INSERT INTO cases_search (rowid, grams) SELECT c.id, gridcase_grams({sqlite_text('c')}) "
    f"FROM cases_case c",
]

SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS cases_search_{name}"
        for name in (
            "case_insert",
            "case_update",
            "case_delete",
            "party_insert",
            "party_update",
            "party_delete",
        )
    ),
    "DROP TABLE IF EXISTS cases_search",
]


def forward(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(PG_FORWARD)
    elif connection.vendor == "sqlite":
        from gridcase.cases.search import register

        connection.ensure_connection()
        register(connection)
        with connection.cursor() as cursor:
            for sql in SQLITE_FORWARD:
                cursor.execute(sql)


def backward(apps, schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_BACKWARD)
        elif connection.vendor == "sqlite":
            for sql in SQLITE_BACKWARD:
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_case_scope_indexes"),
    ]

    operations = [migrations.RunPython(forward, backward)]
