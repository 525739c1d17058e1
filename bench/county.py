"""A county for the benchmarks: towns, villages and officers in the database, and one case
ledger (CSV) per town, as the towns would export them, for a quarter.

    with fresh_database():                 # a temporary SQLite dir, or gridcase_bench on PG
        county = build_county(out_dir)     # 20 towns, 500 officers, 60,000 cases in 2026-Q3
        load_county(county)                # import every ledger (import_ledger per town)

The mix is realistic rather than uniform: busy and idle officers, every category (with the
Chinese names written several ways), majors, escalations (some closed by the town), late
acceptances and late closes, open cases, voided ones, cases reviewed as nonconforming and
rows lacking required elements. Chinese headers with a BOM (as Excel writes them) alternate
with English keys. The same seed gives the same county.

Only the standard library is imported at module level, so that a script can import this
module before Django is set up (`fresh_database` sets it up).
"""

from __future__ import annotations

import contextlib
import csv
import os
import random
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

TOWNS = [
    ("长塘镇", "ct"), ("白沙镇", "bs"), ("青山镇", "qs"), ("金桥镇", "jq"), ("石门镇", "sm"),
    ("柳溪镇", "lx"), ("花桥镇", "hq"), ("龙潭镇", "lt"), ("新市镇", "xs"), ("黄土镇", "ht"),
    ("双江镇", "sj"), ("云田镇", "yt"), ("梅林镇", "ml"), ("桃源镇", "ty"), ("枫林镇", "fl"),
    ("清水镇", "qw"), ("东湖镇", "dh"), ("南岳镇", "ny"), ("高塘镇", "gt"), ("永安镇", "ya"),
]  # fmt: skip
VILLAGE_WORDS = "东南西北上下前后新老大小长高石沙桥湾塘坪冲岭田湖港"
VILLAGE_SUFFIX = ["村", "村", "村", "社区"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌海波宇浩辉鹏"

# (code, the ways ledgers write it, weight)
CATEGORIES = [
    ("dispute", ["矛盾纠纷", "dispute"], 30),
    ("security_hazard", ["治安安全隐患", "社会治安安全隐患", "security_hazard"], 20),
    ("livelihood_service", ["民生服务"], 25),
    ("environment_campaign", ["八大行动", "优化环境八大行动", "优化环境“八大行动”"], 15),
    ("other", ["其他"], 10),
]
CAUSES = {
    "dispute": [
        "宅基地边界不清",
        "邻里噪音",
        "山林权属",
        "婚姻家庭矛盾",
        "工程款拖欠",
        "土地流转租金",
    ],
    "security_hazard": [
        "电线私拉乱接",
        "危房有人居住",
        "河边无护栏",
        "液化气罐存放不当",
        "道路塌陷",
    ],
    "livelihood_service": ["路灯损坏", "低保申请咨询", "自来水停水", "医保缴费咨询", "垃圾未清运"],
    "environment_campaign": ["乱堆乱放", "占道经营", "违章搭建", "沟渠堵塞", "户外广告破损"],
    "other": ["政策咨询", "信息核实", "走访登记"],
}
HEADER_ZH = {
    "case_no": "事件编号", "village": "行政村", "officer": "网格专管员", "category": "事件类别",
    "major": "是否重大", "occurred_at": "发生时间", "location": "发生地点", "persons": "人物",
    "cause": "起因", "course": "经过", "parties": "当事人", "submitted_at": "上报时间",
    "accepted_at": "受理时间", "escalated_at": "上报上级时间", "closed_at": "结案时间",
    "result": "处理结果", "mediator": "调解人", "agreement_form": "协议方式",
    "agreement_terms": "协议内容", "quality": "质量评定", "quality_note": "不合格原因",
    "voided": "作废",
}  # fmt: skip
KEYS = list(HEADER_ZH)


@dataclass
class TownLedger:
    name: str
    code: str
    path: Path
    rows: int
    officers: int
    villages: int


@dataclass
class County:
    quarter: str
    towns: list[TownLedger] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(t.rows for t in self.towns)

    @property
    def officers(self) -> int:
        return sum(t.officers for t in self.towns)


def build_county(
    out_dir: str | Path,
    towns: int = 20,
    officers: int = 500,
    cases: int = 60000,
    quarter: str = "2026-Q3",
    seed: int = 1,
) -> County:
    """Create the towns, villages, grids, units and officers (in bulk) and write one CSV
    ledger per town into `out_dir`. Needs Django set up on an empty (migrated) database."""
    from gridcase.core import clock

    if towns > len(TOWNS):
        raise ValueError(f"at most {len(TOWNS)} towns")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    days, working, calendar = _quarter_days(quarter)
    now = clock.now()

    county = County(quarter=quarter)
    staff = _create_org(rng, towns, officers)
    for i, (town, villages, people) in enumerate(staff):
        share = cases // towns + (1 if i < cases % towns else 0)
        path = out / f"{town.code}-{quarter}.csv"
        chinese = i % 2 == 0
        with path.open("w", encoding="utf-8-sig" if chinese else "utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([HEADER_ZH[k] for k in KEYS] if chinese else KEYS)
            for n in range(share):
                writer.writerow(
                    _case_row(rng, town, n, people, working, days, calendar, now, quarter)
                )
        county.towns.append(
            TownLedger(town.name, town.code, path, share, len(people), len(villages))
        )
    return county


def _create_org(
    rng: random.Random,
    towns: int,
    officers: int,
    chosen: list[tuple[str, str]] | None = None,
    per_town: list[int] | None = None,
):
    """Towns with 8–14 villages each, a station per village, the town's center and office,
    and the officers (each with a grid of their village), all in bulk. ``chosen`` (name, code)
    and ``per_town`` (officers of each) for the province; the county's otherwise."""
    from django.contrib.auth.hashers import make_password

    from gridcase.org.models import Grid, Role, Town, Unit, User, Village

    chosen = chosen if chosen is not None else TOWNS[:towns]
    existing = Town.objects.filter(name__in=[n for n, _ in chosen]).values_list("name", flat=True)
    if existing:
        raise ValueError(f"towns already exist: {', '.join(existing)}; use a fresh database")
    Town.objects.bulk_create((Town(name=n, code=c) for n, c in chosen), batch_size=2000)
    town_rows = list(Town.objects.filter(name__in=[n for n, _ in chosen]).order_by("id"))

    village_rows = []
    for town in town_rows:
        names = set()
        while len(names) < rng.randint(8, 14):
            names.add(
                rng.choice(VILLAGE_WORDS) + rng.choice(VILLAGE_WORDS) + rng.choice(VILLAGE_SUFFIX)
            )
        village_rows += [Village(town=town, name=n) for n in sorted(names)]
    Village.objects.bulk_create(village_rows, batch_size=2000)
    villages = {}
    for v in Village.objects.filter(town__in=town_rows).order_by("id"):
        villages.setdefault(v.town_id, []).append(v)
    units = []
    for town in town_rows:
        units.append(Unit(town=town, kind="town_center", name=f"{town.name}社会服务管理中心"))
        units.append(Unit(town=town, kind="governance_office", name=f"{town.name}政法综治办"))
        units += [
            Unit(town=town, kind="village_station", name=f"{v.name}服务站", village=v)
            for v in villages[town.id]
        ]
    Unit.objects.bulk_create(units, batch_size=2000)

    # Officers: spread over the towns, each in a village (some villages have two or three).
    if per_town is None:
        per_town = [officers // towns + (1 if i < officers % towns else 0) for i in range(towns)]
    people_of: dict[int, list[tuple[str, Village]]] = {}
    users = []
    for town, count in zip(town_rows, per_town, strict=True):
        names: set[str] = set()
        while len(names) < count:
            names.add(rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))))
        for k, name in enumerate(sorted(names)):
            village = villages[town.id][k % len(villages[town.id])]
            people_of.setdefault(town.id, []).append((name, village))
            users.append(
                User(
                    username=f"{town.code}_o{k + 1:03d}",
                    display_name=name,
                    town=town,
                    password=make_password(None),
                )
            )
    User.objects.bulk_create(users, batch_size=500)
    user_id = dict(User.objects.filter(town__in=town_rows).values_list("username", "id"))
    grids = []
    for town in town_rows:
        for k, (_, village) in enumerate(people_of[town.id]):
            grids.append(Grid(village=village, name=f"第{k + 1}网格"))
    Grid.objects.bulk_create(grids, batch_size=500)
    grid_of = {
        (g.village_id, g.name): g.id
        for g in Grid.objects.filter(village__town__in=town_rows).only("id", "village", "name")
    }
    roles = []
    for town in town_rows:
        for k, (_, village) in enumerate(people_of[town.id]):
            roles.append(
                Role(
                    user_id=user_id[f"{town.code}_o{k + 1:03d}"],
                    town=town,
                    kind="officer",
                    village=village,
                    grid_id=grid_of[(village.id, f"第{k + 1}网格")],
                )
            )
    Role.objects.bulk_create(roles, batch_size=500)
    return [
        (town, villages[town.id], _with_activity(rng, people_of[town.id])) for town in town_rows
    ]


def _with_activity(rng: random.Random, people: list) -> list[tuple[str, str, float]]:
    """(name, village, weight): some officers are busy, some enter almost nothing."""
    return [(name, v.name, rng.choice([0.1, 0.5, 1, 1, 1, 1.5, 2])) for name, v in people]


def _quarter_days(quarter: str):
    """The quarter's days, its working days and the calendar that says which they are."""
    from gridcase.core import clock
    from gridcase.core.calendar import calendar_for

    months = clock.quarter_months(quarter)
    first = clock.parse_month(months[0])
    last_month = clock.parse_month(months[-1])
    end = date(last_month.year + last_month.month // 12, last_month.month % 12 + 1, 1)
    calendar = calendar_for(None, first.year, end.year)
    days = [first + timedelta(n) for n in range((end - first).days)]
    working = [d for d in days if calendar.is_working_day(d)]
    return days, working, calendar


def _case_row(rng, town, n, people, working, days, calendar, now, quarter) -> list[str]:
    tz = ZoneInfo(town.timezone)
    officer, village, _ = rng.choices(people, weights=[p[2] for p in people])[0]
    code, words, _ = rng.choices(CATEGORIES, weights=[c[2] for c in CATEGORIES])[0]
    day = rng.choice(working) if rng.random() < 0.9 else rng.choice(days)
    submitted = datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=tz)
    occurred = submitted - timedelta(minutes=rng.randint(10, 60 * 48))

    def later(start: datetime, lo: int, hi: int) -> datetime:
        """A moment lo..hi working days after `start` (0: the same day), in office hours."""
        k = rng.randint(lo, hi)
        target = calendar.add_working_days(start.date(), k) if k else start.date()
        moment = datetime.combine(target, time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=tz)
        return max(moment, start + timedelta(minutes=5))

    fate = rng.random()
    accepted = escalated = closed = None
    if fate < 0.93:
        lag = rng.random()
        accepted = later(submitted, 0, 2) if lag < 0.93 else later(submitted, 3, 5)
        outcome = rng.random()
        if outcome < 0.80:
            closed = later(accepted, 0, 5) if rng.random() < 0.9 else later(accepted, 6, 9)
        elif outcome < 0.95:
            escalated = later(accepted, 0, 5) if rng.random() < 0.9 else later(accepted, 6, 8)
            if rng.random() < 0.7:
                closed = later(escalated, 1, 10)
    elif fate < 0.97:
        accepted = None  # the ledger has no acceptance time (never accepted, still pending)
    else:
        closed = later(submitted, 0, 3)  # settled on the spot; no separate acceptance time
    # The ledger is exported today: nothing in it has happened after today.
    if closed and closed > now:
        closed = None
    if escalated and escalated > now:
        escalated = closed = None
    if accepted and accepted > now:
        accepted = escalated = closed = None

    major = code in ("dispute", "security_hazard") and rng.random() < 0.03
    cause = rng.choice(CAUSES[code])
    group = f"{village}{rng.randint(1, 12)}组"
    p1, p2 = _person(rng), _person(rng)
    parties = ""
    if code == "dispute":
        parties = f"{p1}:{_phone(rng)};{p2}:{_phone(rng)}"
    elif rng.random() < 0.3:
        parties = f"{p1}:{_phone(rng)}"
    values = {
        "case_no": f"{town.code.upper()}-{quarter}-{n + 1:05d}",
        "village": village,
        "officer": officer,
        "category": rng.choice(words),
        "major": rng.choice(["是", "1", "true"]) if major else rng.choice(["否", "", "0"]),
        "occurred_at": occurred.strftime("%Y-%m-%d %H:%M"),
        "location": group,
        "persons": f"{p1}、{p2}" if code == "dispute" else p1,
        "cause": cause,
        "course": f"{p1}反映{cause},专管员到场了解情况并登记。",
        "parties": parties,
        "submitted_at": _stamp(rng, submitted),
        "accepted_at": _stamp(rng, accepted),
        "escalated_at": _stamp(rng, escalated),
        "closed_at": _stamp(rng, closed),
        "result": "",
        "mediator": "",
        "agreement_form": "",
        "agreement_terms": "",
        "quality": "",
        "quality_note": "",
        "voided": "",
    }
    if closed:
        values["result"] = (
            "已处理完毕,当事人无异议" if not escalated else "镇中心协调有关部门处理完毕"
        )
        if code == "dispute" and not escalated:
            values["mediator"] = _person(rng)
            values["agreement_form"] = rng.choice(["书面", "口头"])
            values["agreement_terms"] = "1. 双方按原界线处理\n2. 费用各半承担"
    # The ledger's own flaws and the office's judgements.
    flaw = rng.random()
    if flaw < 0.02:
        values["voided"] = "是"
    elif flaw < 0.05:
        values["quality"] = "不合格"
        values["quality_note"] = rng.choice(["照片与事件不符", "重复录入", "描述过于简单"])
    elif flaw < 0.10:
        dropped = rng.choice(["location", "cause", "course", "occurred_at", "parties", "mediator"])
        values[dropped] = ""
    elif flaw < 0.20:
        values["quality"] = "合格"
    return [values[k] for k in KEYS]


def _stamp(rng: random.Random, moment: datetime | None) -> str:
    if moment is None:
        return ""
    if rng.random() < 0.1:  # some platforms export ISO 8601 with the offset
        return moment.isoformat(timespec="seconds")
    return moment.strftime("%Y-%m-%d %H:%M:%S" if rng.random() < 0.5 else "%Y-%m-%d %H:%M")


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"0731-8{rng.randint(1000000, 9999999)}"
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def load_county(county: County, *, by=None) -> list:
    """Import every town's ledger; returns the ImportReports (raises if any row is refused)."""
    from gridcase.ledger.services import import_ledger

    reports = []
    for town in county.towns:
        report = import_ledger(path_or_file=town.path, town_name=town.name, by=by)
        if not report.ok:
            raise RuntimeError("\n".join(report.lines()[:20]))
        reports.append(report)
    return reports


# ---------------------------------------------------------------- the province


@dataclass
class Province:
    quarter: str
    towns: int
    officers: int
    cases: int
    largest_town: int  # cases
    seconds: float  # generating and writing the cases (the organisation aside)
    org_seconds: float
    parties: int = 0
    timeline: int = 0

    @property
    def rows_per_second(self) -> float:
        return (self.cases + self.parties + self.timeline) / self.seconds if self.seconds else 0


def province_towns(towns: int) -> list[tuple[str, str]]:
    """(name, code) of ``towns`` towns: the county's twenty, then made-up names (三字 + 镇)."""
    chosen = list(TOWNS[:towns])
    words = VILLAGE_WORDS
    n = 0
    while len(chosen) < towns:
        a, b, c = n // (len(words) ** 2), n // len(words) % len(words), n % len(words)
        n += 1
        if a == b or b == c:
            continue
        chosen.append((f"{words[a % len(words)]}{words[b]}{words[c]}镇", f"p{len(chosen):04d}"))
    return chosen


def _shares(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, exactly (largest remainders)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: shares[i] - raw[i])[: total - sum(shares)]:
        shares[i] += 1
    return shares


def build_province(
    towns: int = 2000,
    officers: int = 100_000,
    cases: int = 6_000_000,
    quarter: str = "2026-Q3",
    seed: int = 1,
    processes: int | None = None,
    progress=None,
    search: bool = False,
) -> Province:
    """A province: the county's towns grown to ``towns`` (sizes vary: a town has half to twice
    the average of officers and cases), written straight into the database — no CSV ledger.

    Each town's rows are the county's (`_case_row`: the same realistic mix), read by the
    import's own `parse_row` and written by the import's own writer (`ledger.writing`:
    `case_fields` derives the states and deadlines, `bulk.insert` sends them by COPY on
    PostgreSQL, then the parties and one sealed "import" timeline row per case): what
    `import_ledger` writes, without the file and without comparing with existing cases (the
    towns are new); then the governance office's reviews of one case in twenty
    (`_office_reviews`). Towns are written by ``processes`` workers (default: the cores), each
    town in its own transaction, so that memory is one town's. Needs Django set up on an
    empty (migrated) database.

    One thing differs unless ``search``: on PostgreSQL the case search's n-gram table
    (`cases/search.py`, kept by triggers) is not filled — its triggers cost more server time
    than the rest of the import (1.5 s of 2.7 s a town of 3,000 cases), and nothing measured
    here reads it."""
    import multiprocessing
    import time as timer

    from django.db import connections

    from gridcase.org.models import Town

    rng = random.Random(seed)
    start = timer.perf_counter()
    chosen = province_towns(towns)
    weights = [rng.choice([0.5, 0.75, 1, 1, 1, 1.25, 1.5, 2]) for _ in chosen]
    staff = _create_org(
        rng, towns, officers, chosen=chosen, per_town=_shares(rng, officers, weights)
    )
    org_seconds = timer.perf_counter() - start
    shares = _shares(rng, cases, weights)
    work = sorted(
        (
            (town.id, [(name, village, w) for name, village, w in people], share, seed, quarter)
            for (town, _, people), share in zip(staff, shares, strict=True)
        ),
        key=lambda item: -item[2],  # the largest first: the workers finish together
    )
    del staff
    quiet = not search and connections["default"].vendor == "postgresql"
    if quiet:
        _search_triggers(enable=False)
    connections.close_all()  # each worker opens its own connection
    start = timer.perf_counter()
    counts = [0, 0, 0]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes or os.cpu_count() or 1, maxtasksperchild=200) as pool:
        for done, written in enumerate(pool.imap_unordered(_write_town, work, chunksize=1), 1):
            counts = [a + b for a, b in zip(counts, written, strict=True)]
            if progress is not None:
                progress(done, len(work), counts[0])
    seconds = timer.perf_counter() - start
    if quiet:
        _search_triggers(enable=True)
    assert Town.objects.count() >= towns
    return Province(
        quarter=quarter,
        towns=towns,
        officers=officers,
        cases=counts[0],
        largest_town=max(shares),
        seconds=seconds,
        org_seconds=org_seconds,
        parties=counts[1],
        timeline=counts[2],
    )


def _search_triggers(*, enable: bool) -> None:
    from django.db import connection

    verb = "ENABLE" if enable else "DISABLE"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE cases_case {verb} TRIGGER cases_search_case_insert")
        cursor.execute(f"ALTER TABLE cases_party {verb} TRIGGER cases_search_party_insert")


def _write_town(item) -> tuple[int, int, int]:
    """One town's quarter, as the import writes it: (cases, parties, timeline rows)."""
    from django.db import transaction

    from gridcase.cases.models import Party, TimelineEntry
    from gridcase.core import clock
    from gridcase.ledger import writing
    from gridcase.ledger.derivation import ledger_clocks
    from gridcase.ledger.references import References
    from gridcase.ledger.report import ImportReport
    from gridcase.ledger.rows import parse_row
    from gridcase.org.models import Town

    town_id, people, share, seed, quarter = item
    town = Town.objects.get(pk=town_id)
    rng = random.Random(f"{seed}:{town.code}")  # the same town whatever the worker
    days, working, calendar = _quarter_days(quarter)
    now = clock.now()
    zone = ZoneInfo(town.timezone)
    rows = []
    for n in range(share):
        cells = dict(
            zip(
                KEYS,
                _case_row(rng, town, n, people, working, days, calendar, now, quarter),
                strict=True,
            )
        )
        rows.append(parse_row(n + 2, cells, tz=zone, now=now))
    name = f"{town.code}-{quarter}.csv"
    report = ImportReport(file=name, town=town.name, dry_run=False)
    with transaction.atomic():
        refs = References.load(town)
        refs.resolve(rows, create_missing=False, town_name=town.name, report=report)
        if report.problems:
            raise RuntimeError("\n".join(report.lines()[:20]))
        clock_at = ledger_clocks(town, rows)
        written = writing.Written()
        for batch in writing.chunks(rows, writing.BATCH):
            writing.write_batch(town, batch, {}, refs, clock_at, now, report, written)
        writing.write_related(town, written, name, None, now)
        _office_reviews(town, seed, now)
    parties = Party.objects.filter(case__town=town).count()
    timeline = TimelineEntry.objects.filter(town=town).count()
    return report.created, parties, timeline


REVIEWED = 0.05  # of the submitted cases, the share the governance office reviews
REVIEW_NOTES = ("照片与事件不符", "描述过于简单", "当事人信息不全")


def _office_reviews(town, seed: int, at: datetime) -> int:
    """The governance office's quality reviews of one submitted case in twenty, as
    `case_review` records them (the case's quality and note, a sealed "review" row of the
    timeline), written in bulk: a fifth of them nonconforming, one in ten reviewed twice (the
    latest is the judgement). The assessment reads each case's latest review
    (`facts.period_reviews`) and prefers it to the ledger's mark; without reviews the bench
    would not measure that read. A random stream of the town's own: the same reviews whether
    written with the town or later (`add_office_reviews`)."""
    from gridcase.cases.models import Case, TimelineEntry
    from gridcase.cases.workflow import SUBMITTED
    from gridcase.core import chain

    rng = random.Random(f"{seed}:{town.code}:reviews")
    rows: list[dict] = []
    marks: dict[tuple[str, str], list[int]] = {}
    cases = (
        Case.objects.filter(town=town, state__in=SUBMITTED)
        .order_by("id")
        .values_list("id", "state", "level", "major")
    )
    for case_id, state, level, major in cases:
        if rng.random() >= REVIEWED:
            continue
        for n in range(2 if rng.random() < 0.1 else 1):
            quality, note = "conforming", ""
            if rng.random() < 0.2:
                quality, note = "nonconforming", rng.choice(REVIEW_NOTES)
            rows.append(
                {
                    "case_id": case_id,
                    "town_id": town.pk,
                    "at": at + timedelta(minutes=n),
                    "actor_id": None,
                    "action": "review",
                    "from_state": state,
                    "to_state": state,
                    "from_level": level,
                    "to_level": level,
                    "note": note,
                    "data": {"quality": quality, "major": None, "was_major": major},
                }
            )
        marks.setdefault((quality, note), []).append(case_id)  # the latest review's
    for (quality, note), ids in marks.items():
        Case.objects.filter(pk__in=ids).update(quality=quality, quality_note=note)
    chain.append_many(TimelineEntry, rows)
    return len(rows)


def add_office_reviews(seed: int = 1, processes: int | None = None) -> int:
    """The office's reviews (`_office_reviews`) for a province built before the build wrote
    them: each town in a transaction of its own, one process per core. The number written."""
    import multiprocessing

    from django.db import connections

    from gridcase.cases.models import TimelineEntry
    from gridcase.org.models import Town

    if TimelineEntry.objects.filter(action="review").exists():
        raise RuntimeError("this province has reviews already")
    towns = list(Town.objects.values_list("id", flat=True))
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes or os.cpu_count() or 1, maxtasksperchild=200) as pool:
        return sum(pool.imap_unordered(_review_town, [(t, seed) for t in towns], chunksize=20))


def _review_town(item) -> int:
    from django.db import transaction

    from gridcase.core import clock
    from gridcase.org.models import Town

    town_id, seed = item
    with transaction.atomic():
        return _office_reviews(Town.objects.get(pk=town_id), seed, clock.now())


# ---------------------------------------------------------------- a database of its own


def server_admin(url: str) -> dict:
    """Connection parameters for the server's maintenance database (`postgres`), from which a
    benchmark's own database is created or dropped."""
    import dj_database_url

    params = dj_database_url.parse(url)
    return {
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
        "dbname": "postgres",
    }


@contextlib.contextmanager
def kept_database(name: str, sqlite_dir: Path) -> Iterator[str]:
    """Like fresh_database, but the database is kept between runs: the PostgreSQL database
    `name` (created when missing) or SQLite in `sqlite_dir`; migrated on each run (so new
    migrations and their indexes are applied to the data already there). For benchmarks whose
    data take long to build (a million cases): build once, measure many times."""
    url = os.environ.get("DATABASE_URL", "")
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    os.environ["GRIDCASE_DATA_DIR"] = str(sqlite_dir)
    os.environ.pop("GRIDCASE_SQLITE_PATH", None)
    os.environ.setdefault("GRIDCASE_DEBUG", "0")
    os.environ.setdefault("GRIDCASE_SECRET_KEY", secrets.token_hex(32))
    if url:
        import psycopg

        admin = server_admin(url)
        with psycopg.connect(**admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    try:
        yield "PostgreSQL" if url else "SQLite"
    finally:
        from django.db import connections

        connections.close_all()
        if url:
            os.environ["DATABASE_URL"] = url


@contextlib.contextmanager
def fresh_database(name: str = "gridcase_bench") -> Iterator[str]:
    """Set Django up on a database of its own, migrated, and remove it afterwards.

    With DATABASE_URL (PostgreSQL): the database `name` on the same server, dropped and
    created again. Without: SQLite in a temporary data directory. DEBUG is off unless
    GRIDCASE_DEBUG says otherwise. Yields "PostgreSQL" or "SQLite". Call before anything
    imports Django's settings.
    """
    tmp = Path(tempfile.mkdtemp(prefix="gridcase-bench-"))
    url = os.environ.get("DATABASE_URL", "")
    admin = None
    os.environ["GRIDCASE_DATA_DIR"] = str(tmp / "data")
    os.environ.pop("GRIDCASE_SQLITE_PATH", None)
    # As in production: with DEBUG on, Django also records every query it runs.
    os.environ.setdefault("GRIDCASE_DEBUG", "0")
    os.environ.setdefault("GRIDCASE_SECRET_KEY", secrets.token_hex(32))
    if url:
        import psycopg

        admin = server_admin(url)
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    try:
        yield "PostgreSQL" if url else "SQLite"
    finally:
        from django.db import connections

        connections.close_all()
        if admin is not None:
            import psycopg

            with psycopg.connect(**admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            os.environ["DATABASE_URL"] = url
        shutil.rmtree(tmp, ignore_errors=True)
