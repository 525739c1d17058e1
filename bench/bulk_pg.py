"""Millions of generated cases on PostgreSQL, made by the server (issue 15: ten million).

`bench_pages.add_cases` builds its rows in Python and sends them through `bulk_create`: about
10 minutes a million. Ten million that way is most of a working day, so here the server makes
them itself, one `INSERT … SELECT … FROM generate_series` per slice of 250,000, with the same
distribution as `add_cases` (two years back from now, recent cases open, old ones closed and
their disputes followed up, every category and level; the parties 甲 and 乙; a few
departments' cases), and for each case its timeline: the submission and, for a closed case,
the close. The search table (`cases_search`) is filled by the database's own triggers, as for
any write.

- `add_cases_sql(town, n)`: n cases for a town's officers (their villages and grids), numbered
  after the town's existing generated cases.
- `other_towns(k, per_town)`: k more towns (`基准镇N`), each with ten villages, a grid, an
  officer and a station each, a town center, a department, then per_town cases in each.

The timeline rows continue each town's chain by `seq` with placeholder hashes: the rows are
a benchmark's, `gridcase audit verify` would (rightly) refuse them. The months of the rows
get their partitions first (`core.partitions.ensure_months`), as an import does.
"""

from __future__ import annotations

import time
from datetime import timedelta

SLICE = 250_000

# The same shares as bench_pages.CATEGORIES / LEVELS (of 20).
_CASES_SQL = """
WITH p AS (
    SELECT %(now)s::timestamptz AS now, %(tz)s::text AS tz, %(today)s::date AS today,
           %(officers)s::bigint[] AS officers, %(villages)s::bigint[] AS villages,
           %(grids)s::bigint[] AS grids, %(vnames)s::text[] AS vnames,
           %(departments)s::bigint[] AS departments
), g AS (
    SELECT i,
           1 + floor(random() * cardinality(p.officers))::int AS o,
           p.now - (60 + floor(random() * (730 * 24 * 60 - 60)))::int * interval '1 minute'
               AS submitted,
           random() AS r_state, floor(random() * 20)::int AS r_cat,
           floor(random() * 20)::int AS r_lvl, random() AS r_dept,
           1 + floor(random() * 12)::int AS r_loc
    FROM generate_series(%(first)s::int, %(last)s::int) AS i, p
), h AS (
    SELECT g.*, (g.submitted AT TIME ZONE p.tz)::date AS day,
           p.today - (g.submitted AT TIME ZONE p.tz)::date AS age,
           CASE WHEN g.r_cat < 7 THEN 'dispute' WHEN g.r_cat < 11 THEN 'security_hazard'
                WHEN g.r_cat < 16 THEN 'livelihood_service'
                WHEN g.r_cat < 19 THEN 'environment_campaign' ELSE 'other' END AS category,
           CASE WHEN g.r_lvl < 14 THEN 'grid' WHEN g.r_lvl < 18 THEN 'village' ELSE 'town' END
               AS lvl
    FROM g, p
), s AS (
    SELECT h.*,
           CASE WHEN h.age <= 30 THEN
                    CASE WHEN h.r_state < 0.15 THEN 'pending'
                         WHEN h.r_state < 0.4 THEN 'handling' ELSE 'closed' END
                ELSE CASE WHEN h.r_state < 0.95 THEN 'closed'
                          WHEN h.r_state < 0.99 THEN 'voided' ELSE 'handling' END
           END AS state,
           CASE WHEN h.lvl = 'town' AND h.r_dept < 0.3 AND cardinality(p.departments) > 0
                THEN p.departments[1 + floor(h.r_dept / 0.3 * cardinality(p.departments))::int]
           END AS dept
    FROM h, p
)
INSERT INTO cases_case (
    town_id, number, category, major, title, occurred_at, location, location_mock, persons,
    cause, course, result, mediator, mediation_result, agreement_form, agreement_terms,
    village_id, grid_id, officer_id, source, state, level, department_id, created_at,
    submitted_at, accept_due, handle_due, first_accept_due, local_outcome, closed_at,
    closed_level, void_reason, follow_up_due, quality, quality_note, missing_elements,
    version, updated_at, client_digest)
SELECT %(town)s, 'BX-' || extract(year FROM s.day)::int || '-' || lpad(s.i::text, 7, '0'),
       s.category, false, '生成事件' || s.i, s.submitted - interval '2 hours',
       p.vnames[s.o] || s.r_loc || '组', false, '甲、乙', '生成数据', '用于测量页面速度', '',
       '', '', '', '[]'::jsonb,
       p.villages[s.o], p.grids[s.o], p.officers[s.o], 'imported', s.state,
       CASE WHEN s.dept IS NOT NULL THEN 'department' ELSE s.lvl END, s.dept, s.submitted,
       s.submitted, s.day + 3, CASE WHEN s.state <> 'pending' THEN s.day + 9 END, s.day + 3, '',
       CASE WHEN s.state = 'closed' THEN s.submitted + interval '3 days' END,
       CASE WHEN s.state = 'closed' THEN s.lvl ELSE '' END, '',
       CASE WHEN s.state = 'closed' AND s.category = 'dispute' THEN s.day + 17 END,
       '', '', '[]'::jsonb, 0, s.submitted, ''
FROM s, p
"""

_PARTIES_SQL = """
INSERT INTO cases_party (case_id, name, phone, position)
SELECT c.id, x.name, x.phone, x.position
FROM cases_case c,
     (VALUES ('甲', '13800000001', 0), ('乙', '13800000002', 1)) AS x(name, phone, position)
WHERE c.town_id = %(town)s AND c.id > %(after)s
"""

# Most disputes closed more than three weeks ago have had their follow-up visit.
_FOLLOW_UPS_SQL = """
INSERT INTO cases_followup (case_id, visited_on, by_id, method, satisfied, note, created_at)
SELECT c.id, c.follow_up_due, c.officer_id, 'phone', true, '', c.submitted_at
FROM cases_case c
WHERE c.town_id = %(town)s AND c.id > %(after)s AND c.follow_up_due < %(today)s
  AND random() < 0.97
"""

# As services.case_follow_up does: the cases just visited are no longer awaiting it.
_FOLLOWED_UP_SQL = """
UPDATE cases_case c SET followed_up_at = f.created_at
FROM cases_followup f
WHERE f.case_id = c.id AND c.town_id = %(town)s AND c.id > %(after)s
"""

# One row for the submission, one more for a close; seq continues the town's chain.
_TIMELINE_SQL = """
WITH e AS (
    SELECT c.id AS case_id, c.submitted_at AS at, c.officer_id AS actor, 'submit' AS action,
           'draft' AS from_state, 'pending' AS to_state, '' AS from_level, 'grid' AS to_level
    FROM cases_case c WHERE c.town_id = %(town)s AND c.id > %(after)s
    UNION ALL
    SELECT c.id, c.closed_at, c.officer_id, 'close', 'handling', 'closed', c.closed_level,
           c.closed_level
    FROM cases_case c
    WHERE c.town_id = %(town)s AND c.id > %(after)s AND c.state = 'closed'
), n AS (
    SELECT e.*, %(seq)s + row_number() OVER (ORDER BY e.at, e.case_id) AS seq FROM e
)
INSERT INTO cases_timelineentry (seq, prev_hash, hash, case_id, town_id, at, actor_id, action,
                                 from_state, to_state, from_level, to_level, note, data)
SELECT n.seq, md5(n.seq::text) || md5('p'), md5(n.seq::text) || md5('h'), n.case_id,
       %(town)s, n.at, n.actor, n.action, n.from_state, n.to_state, n.from_level, n.to_level,
       '', '{}'::jsonb
FROM n
"""


def _people(town):
    from gridcase.org.models import Role, Unit

    officers = list(
        Role.objects.filter(town=town, kind="officer").select_related("village").order_by("id")
    )
    departments = list(
        Unit.objects.filter(town=town, kind="department")
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return {
        "officers": [r.user_id for r in officers],
        "villages": [r.village_id for r in officers],
        "grids": [r.grid_id for r in officers],
        "vnames": [r.village.name for r in officers],
        "departments": departments,
    }


def add_cases_sql(town, n: int, seed: float = 0.2026, out=print) -> int:
    """n generated cases in `town`, made by the server in slices (each its own transaction)."""
    from django.db import connection, transaction

    from gridcase.cases.models import Case
    from gridcase.core import clock, partitions

    now = clock.now()
    today = clock.local_date(now, town.timezone)
    partitions.ensure_months(
        connection, partitions.months_between(today - timedelta(days=735), today)
    )
    people = _people(town)
    first = Case.objects.filter(town=town, number__startswith="BX-").count()
    made = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
    while made < n:
        size = min(SLICE, n - made)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM cases_case")
            after = cursor.fetchone()[0]
            cursor.execute(
                "SELECT seq FROM core_chainhead WHERE key = %s FOR UPDATE",
                [f"timeline:{town.pk}"],
            )
            row = cursor.fetchone()
            seq = row[0] if row else 0
            params = {
                "now": now,
                "tz": town.timezone,
                "today": today,
                "town": town.pk,
                "first": first + made,
                "last": first + made + size - 1,
                "after": after,
                "seq": seq,
                **people,
            }
            # No trigger fires in this transaction (SET LOCAL: back at its end): not the
            # search's, which would make each case's grams twice (on its insert and again on
            # its parties'), each time through an array of 250,000 ids, nor the deferred
            # checks of every foreign key of every row at the commit — the rows refer to what
            # exists by construction. The search rows are made once below, as the triggers
            # make them (their function, set-based). Superuser only, as the benchmark is.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(_CASES_SQL, params)
            cursor.execute(_PARTIES_SQL, params)
            # The grams of what differs from case to case (number, title, place), and those of
            # the text every generated case shares (persons, cause, course, the parties'
            # names), made once: the same grams the triggers' function makes of the whole,
            # but for the pairs across a field's end (a newline, which no query holds), at a
            # third of the cost (no subquery for the parties per case).
            cursor.execute(
                "INSERT INTO cases_search (case_id, grams) SELECT c.id, "
                "gridcase_grams(concat_ws(E'\\n', c.number, c.title, c.location)) || "
                "gridcase_grams(E'甲、乙\\n生成数据\\n用于测量页面速度\\n甲\\n乙') "
                "FROM cases_case c WHERE c.town_id = %(town)s AND c.id > %(after)s",
                params,
            )
            cursor.execute(_FOLLOW_UPS_SQL, params)
            cursor.execute(_FOLLOWED_UP_SQL, params)
            cursor.execute(_TIMELINE_SQL, params)
            cursor.execute(
                "SELECT coalesce(max(seq), %s) FROM cases_timelineentry WHERE town_id = %s",
                [seq, town.pk],
            )
            last_seq = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO core_chainhead (key, seq, hash) VALUES (%s, %s, md5('x') || md5('y'))"
                " ON CONFLICT (key) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
                [f"timeline:{town.pk}", last_seq],
            )
        made += size
        out(
            f"  {town.name}: {made:,} of {n:,} cases ({time.perf_counter() - started:.0f} s "
            f"for {size:,})",
            flush=True,
        )
    return made


def other_towns(k: int, per_town: int, out=print) -> list:
    """k more towns of ten villages each (created once), each filled to per_town cases."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from gridcase.cases.models import Case
    from gridcase.org.models import Grid, Role, Town, Unit, User, Village

    password = make_password(None)
    towns = []
    for t in range(1, k + 1):
        town, created = Town.objects.get_or_create(
            name=f"基准镇{t}", defaults={"code": f"bench{t}"}
        )
        if created:
            center = Unit.objects.create(town=town, kind="town_center", name=f"基准镇{t}中心")
            dept = Unit.objects.create(town=town, kind="department", name=f"基准镇{t}司法所")
            for v in range(1, 11):
                village = Village.objects.create(town=town, name=f"基准{t}村{v}")
                grid = Grid.objects.create(village=village, name="第1网格")
                station = Unit.objects.create(
                    town=town, kind="village_station", name=f"基准{t}村{v}站", village=village
                )
                officer = User.objects.create(
                    username=f"b{t}_officer{v}", town=town, password=password
                )
                Role.objects.create(
                    user=officer, town=town, kind="officer", village=village, grid=grid
                )
                staff = User.objects.create(
                    username=f"b{t}_station{v}", town=town, password=password
                )
                Role.objects.create(
                    user=staff, town=town, kind="village_station", village=village, unit=station
                )
            for kind, unit in (("town_center", center), ("department", dept)):
                user = User.objects.create(username=f"b{t}_{kind}", town=town, password=password)
                Role.objects.create(user=user, town=town, kind=kind, unit=unit)
        # Another process may be filling this town (two processes share the work out, one
        # town each at a time): a session lock per town, the other passes on to the next.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(2026, %s)", [town.pk])
            if not cursor.fetchone()[0]:
                out(f"  {town.name}: filled by another process", flush=True)
                continue
        try:
            have = Case.objects.filter(town=town).count()
            if have < per_town:
                add_cases_sql(town, per_town - have, seed=t / 1000, out=out)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(2026, %s)", [town.pk])
        towns.append(town)
    return towns
