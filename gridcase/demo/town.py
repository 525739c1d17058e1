"""The demo town: 长塘镇 with a dozen villages, its people, and six months of living cases.

Every case is made through the services with past timestamps, so timelines, deadlines and
lights are exactly what real use would produce. The random choices are seeded: the same day
gives the same town.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.db import transaction

from gridcase.cases import filing, services
from gridcase.cases.deadlines import remembered_clocks
from gridcase.cases.errors import CaseError
from gridcase.cases.models import Case
from gridcase.core import clock
from gridcase.core.calendar import calendar_for
from gridcase.notify.models import InboxItem
from gridcase.org.boundary_services import set_boundaries
from gridcase.org.models import Grid, Role, Town, Unit, User, Village

from .geography import Scatter, boundaries

TOWN_NAME = "长塘镇"
TOWN_CODE = "ct"
PASSWORD = "gridcase2026"
VILLAGES = [
    "长塘村", "石门村", "枫林村", "双江村", "杨柳村", "金塘村",
    "白竹村", "新桥村", "花园村", "龙泉村", "黄土岭村", "桃源村",
]  # fmt: skip
DEPARTMENTS = [("派出所", "police"), ("国土资源所", "land"), ("安全生产监督站", "safety")]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春梅海燕德福"

STORIES = {
    "dispute": [
        ("宅基地边界纠纷", "两户因围墙位置发生争执", "宅基地界线不清"),
        ("邻里排水纠纷", "一户新修排水沟,雨水流入邻家菜地", "排水沟走向"),
        ("土地流转租金纠纷", "承包户拖欠流转租金两年", "租金未按期支付"),
        ("婚姻家庭矛盾", "夫妻因赡养老人问题多次争吵", "赡养分工"),
        ("劳务工资纠纷", "包工头拖欠三名村民工钱", "工程款未结算"),
    ],
    "security_hazard": [
        ("废弃鱼塘无护栏", "村道旁废弃鱼塘无护栏,有儿童在附近玩耍", "鱼塘废弃无人管理"),
        ("私拉电线", "出租屋私拉电线给电动车充电", "充电设施缺乏"),
        ("危房有人居住", "一户老人仍住在鉴定为危房的老屋", "无力修缮"),
        ("山塘堤坝渗水", "山塘堤坝出现渗水点", "汛期水位上涨"),
    ],
    "livelihood_service": [
        ("低保申请咨询", "独居老人咨询低保申请条件", "家庭收入下降"),
        ("路灯损坏", "村主干道三盏路灯不亮", "线路老化"),
        ("自来水停水", "片区自来水停水两天", "管道破裂"),
        ("医保缴费协助", "行动不便老人需代办医保缴费", "不会使用手机缴费"),
    ],
    "environment_campaign": [
        ("垃圾乱堆乱放", "村口垃圾堆放多日未清运", "清运不及时"),
        ("违规搭建", "路边新搭建铁皮棚", "经营需要"),
    ],
    "other": [("走失老人寻回", "协助寻回走失老人", "老人记忆力差")],
}
CATEGORY_WEIGHTS = [
    ("dispute", 30),
    ("security_hazard", 20),
    ("livelihood_service", 30),
    ("environment_campaign", 12),
    ("other", 8),
]
# How a case ends, with weights: the queues need every kind.
SCENARIOS = [
    ("grid_close", 30),
    ("on_spot", 8),
    ("village_close", 16),
    ("town_close", 8),
    ("dispatch", 10),
    ("returned", 5),
    ("late", 8),
    ("void", 3),
    ("slow_accept", 4),
]


@dataclass
class People:
    officers: list[tuple[User, Village, Grid]]
    stations: dict[int, User]
    center: list[User]
    departments: list[tuple[Unit, User]]
    office: User
    leader: User
    admin: User
    # grid id -> its boundary (GeoJSON), where the officers' cases are placed
    grid_boundaries: dict[int, dict] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Hashing costs half a second by design; the demo's users share one known password.
    return make_password(PASSWORD)


def _user(username: str, town: Town, name: str, **extra) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "town": town,
            "display_name": name,
            # The Django admin is for administrators only (org.admin_site decides by role).
            "is_staff": False,
            "password": _password_hash(),
            **extra,
        },
    )
    return user


def _role(user: User, town: Town, kind: str, **scope) -> None:
    Role.objects.get_or_create(user=user, town=town, kind=kind, defaults=scope)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_people(town: Town, rng: random.Random) -> People:
    officers, stations = [], {}
    places: list[tuple[Village, list[Grid]]] = []
    n = 0
    for i, village_name in enumerate(VILLAGES, start=1):
        village, _ = Village.objects.get_or_create(town=town, name=village_name)
        places.append((village, []))
        station, _ = Unit.objects.get_or_create(
            town=town,
            name=f"{village_name}社会服务管理站",
            defaults={"kind": "village_station", "village": village},
        )
        for g in range(1, 2 + (i % 3 == 0)):
            grid, _ = Grid.objects.get_or_create(village=village, name=f"第{g}网格")
            places[-1][1].append(grid)
            n += 1
            officer = _user(f"officer{n:02d}", town, _name(rng), phone=f"1390731{n:04d}")
            _role(officer, town, "officer", village=village, grid=grid)
            officers.append((officer, village, grid))
        staff = _user(f"station{i:02d}", town, _name(rng))
        _role(staff, town, "village_station", village=village, unit=station)
        stations[village.id] = staff
    center_unit, _ = Unit.objects.get_or_create(
        town=town, name="长塘镇社会服务管理中心", defaults={"kind": "town_center"}
    )
    center = []
    for k in (1, 2):
        user = _user(f"center{k}", town, _name(rng))
        _role(user, town, "town_center", unit=center_unit)
        center.append(user)
    departments = []
    for dept_name, code in DEPARTMENTS:
        unit, _ = Unit.objects.get_or_create(
            town=town, name=dept_name, defaults={"kind": "department"}
        )
        user = _user(f"dept_{code}", town, _name(rng))
        _role(user, town, "department", unit=unit)
        departments.append((unit, user))
    office_unit, _ = Unit.objects.get_or_create(
        town=town, name="长塘镇政法综治办", defaults={"kind": "governance_office"}
    )
    office = _user("office", town, _name(rng))
    _role(office, town, "governance_office", unit=office_unit)
    leader = _user("leader", town, _name(rng))
    _role(leader, town, "leader")
    admin = _user("admin", town, "系统管理员", is_superuser=True, is_staff=True)
    _role(admin, town, "administrator")
    people = People(officers, stations, center, departments, office, leader, admin)
    people.grid_boundaries = _set_boundaries(town, places)
    return people


def _set_boundaries(town: Town, places: list[tuple[Village, list[Grid]]]) -> dict[int, dict]:
    """The villages' and grids' boundaries (issue 13: the map works on the first run), set as
    `gridcase boundaries` would, through the checks; returns each grid's."""
    drawn = boundaries([len(grids) for _, grids in places])
    villages, grids = {}, {}
    for (village, its_grids), (outline, parts) in zip(places, drawn, strict=True):
        villages[village] = outline
        grids.update(zip(its_grids, parts, strict=True))
    set_boundaries(by=None, town=town, villages=villages, grids=grids)
    return {grid.pk: outline for grid, outline in grids.items()}


class _Stop(Exception):
    """The story has reached today: the case stays open where it is."""


class Story:
    """Plays one case's life forward in working hours, stopping at the present."""

    def __init__(self, town: Town, now: datetime, cal, rng: random.Random, seed: int = 0):
        self.town, self.now, self.cal, self.rng = town, now, cal, rng
        # Case points come from their own stream: the stories' draws stay as they were.
        self.scatter = Scatter(seed + 13)
        self.tz = clock.zone(town.timezone)
        self.limit = now  # this case's story stops here

    def begin(self, submitted: datetime) -> None:
        """Recent cases are often still open; some older ones were left lying (red)."""
        age = self.now - submitted
        self.limit = self.now
        if age < timedelta(days=15) and self.rng.random() < 0.45:
            self.limit = submitted + age * self.rng.random()
        elif age < timedelta(days=45) and self.rng.random() < 0.06:
            self.limit = submitted + timedelta(hours=self.rng.randint(1, 60))

    def do(self, action, **kwargs):
        """Run a service as of its `at`: what it causes is dated then, not today."""
        with clock.replaying(kwargs["at"]):
            return action(**kwargs)

    def later(self, at: datetime, working_days: int, hour: int | None = None) -> datetime:
        day = at.astimezone(self.tz).date()
        if working_days:
            day = self.cal.add_working_days(day, working_days)
        when = datetime.combine(
            day, time(hour or self.rng.randint(8, 17), self.rng.randint(0, 59)), tzinfo=self.tz
        )
        when = max(when, at + timedelta(minutes=5))
        if when > self.limit:
            raise _Stop
        return when


def _close_data(category: str, local: bool, rng: random.Random) -> dict:
    data = {
        "result": rng.choice(["已处理完毕,当事人认可", "问题已解决", "已落实整改", "已协调解决"])
    }
    if category == "dispute" and local:
        written = rng.random() < 0.6
        data |= {
            "mediator": _name(rng),
            "mediation_result": "agreed",
            "agreement_form": "written" if written else "oral",
            "agreement_terms": ["双方按原界线各自管理", "今后发生问题先协商"][: rng.choice((1, 2))],
        }
    return data


def play_case(story: Story, people: People, officer, village, grid, submitted: datetime) -> None:
    rng = story.rng
    category = rng.choices(*zip(*CATEGORY_WEIGHTS, strict=True))[0]
    title, course, cause = rng.choice(STORIES[category])
    major = category in ("dispute", "security_hazard") and rng.random() < 0.08
    data = {
        "category": category,
        "major": major,
        "title": title,
        "occurred_at": submitted - timedelta(hours=rng.randint(1, 30)),
        "location": f"{village.name}{rng.randint(1, 12)}组",
        "persons": "、".join(_name(rng) for _ in range(rng.choice((1, 2, 3)))),
        "cause": cause,
        "course": course,
        "parties": [
            {"name": _name(rng), "phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"}
            for _ in range(2 if category == "dispute" else rng.choice((0, 1)))
        ],
    }
    outline = people.grid_boundaries.get(grid.pk)
    if outline is not None:
        lat, lon = story.scatter.point_in(grid.pk, outline)
        accuracy = round(story.scatter.rng.uniform(4, 35), 1)
        data.update(latitude=lat, longitude=lon, location_accuracy=accuracy)
    by = officer
    story.begin(submitted)
    case = story.do(filing.case_create_draft, town=story.town, by=by, data=data, at=submitted)
    scenario = rng.choices(*zip(*SCENARIOS, strict=True))[0]
    station = people.stations[village.id]
    center = rng.choice(people.center)
    try:
        if scenario == "on_spot":
            story.do(
                services.case_handle_on_spot,
                case=case,
                by=by,
                data=_close_data(category, True, rng),
                at=submitted,
            )
        else:
            story.do(filing.case_submit, case=case, by=by, at=submitted)
            at = story.later(submitted, 3 if scenario == "slow_accept" else rng.choice((0, 1)))
            story.do(services.case_accept, case=case, by=by, at=at)
            _play_rest(story, people, case, scenario, at, station, center)
        _after(story, people, case, submitted)
    except _Stop:
        pass


def _play_rest(story, people, case, scenario, at, station, center) -> None:
    rng, officer, cat = story.rng, case.officer, case.category
    if scenario in ("grid_close", "slow_accept"):
        at = story.later(at, rng.choice((0, 1, 2, 3)))
        story.do(
            services.case_close, case=case, by=officer, data=_close_data(cat, True, rng), at=at
        )
    elif scenario == "late":
        at = story.later(at, rng.choice((6, 7, 9)))
        story.do(
            services.case_close, case=case, by=officer, data=_close_data(cat, True, rng), at=at
        )
    elif scenario == "void":
        at = story.later(at, 1)
        story.do(
            services.case_void, case=case, by=center, reason="重复录入,与已有事件为同一事项", at=at
        )
    else:
        at = story.later(at, rng.choice((0, 1)))
        story.do(
            services.case_escalate, case=case, by=officer, note="网格内无法处理,提请村站协调", at=at
        )
        at = story.later(at, rng.choice((0, 1)))
        story.do(services.case_accept, case=case, by=station, at=at)
        if scenario == "village_close":
            at = story.later(at, rng.choice((1, 2)))
            story.do(
                services.case_close, case=case, by=station, data=_close_data(cat, True, rng), at=at
            )
            return
        at = story.later(at, rng.choice((0, 1)))
        story.do(
            services.case_escalate, case=case, by=station, note="村级处理有难度,上报镇中心", at=at
        )
        at = story.later(at, rng.choice((0, 1)))
        if scenario == "returned":
            story.do(
                services.case_return,
                case=case,
                by=center,
                reason="属村级职责范围,请村站继续调处",
                at=at,
            )
            at = story.later(at, rng.choice((1, 2, 3)))
            story.do(
                services.case_close, case=case, by=station, data=_close_data(cat, True, rng), at=at
            )
            return
        story.do(services.case_accept, case=case, by=center, at=at)
        if scenario == "town_close":
            at = story.later(at, rng.choice((1, 2, 3)))
            story.do(
                services.case_close, case=case, by=center, data=_close_data(cat, False, rng), at=at
            )
            return
        unit, dept_user = rng.choice(people.departments)
        at = story.later(at, rng.choice((0, 1)))
        story.do(
            services.case_dispatch,
            case=case,
            by=center,
            department=unit,
            note="请依职责处理",
            at=at,
        )
        at = story.later(at, 1)
        story.do(services.case_accept, case=case, by=dept_user, at=at)
        if rng.random() < 0.3:
            story.do(services.case_urge, case=case, by=center, note="请加快办理,按期反馈", at=at)
        if rng.random() < 0.2:
            request = story.do(
                services.case_request_extension,
                case=case,
                by=dept_user,
                working_days=3,
                reason="需等待现场勘测结果",
                at=at,
            )
            at = story.later(at, 1)
            story.do(
                services.case_decide_extension,
                request=request,
                by=center,
                approve=True,
                note="同意",
                at=at,
            )
        at = story.later(at, rng.choice((2, 3, 4)))
        story.do(
            services.case_report, case=case, by=dept_user, result="已依法处理并告知当事人", at=at
        )
        at = story.later(at, 1)
        story.do(
            services.case_close, case=case, by=center, data=_close_data(cat, False, rng), at=at
        )


def _after(story, people, case, submitted) -> None:
    """Follow-ups on closed disputes, and the office's quality review."""
    rng = story.rng
    if case.state == "closed" and case.category == "dispute" and rng.random() < 0.7:
        at = story.later(case.closed_at, rng.choice((2, 5, 8)))
        story.do(
            services.case_follow_up,
            case=case,
            by=case.officer,
            visited_on=at.astimezone(story.tz).date(),
            method=rng.choice(("phone", "visit")),
            satisfied=rng.random() < 0.9,
            note="当事人表示已按协议履行",
            at=at,
        )
    if case.state in ("closed", "handling", "pending") and rng.random() < 0.5:
        at = story.later(submitted, 4)
        bad = rng.random() < 0.12
        story.do(
            services.case_review,
            case=case,
            by=people.office,
            quality="nonconforming" if bad else "conforming",
            note="经过描述过于简单,未写明事件起因" if bad else "",
            major=(rng.random() < 0.7) if case.major else None,
            at=at,
        )


def build_demo(*, days: int = 182, seed: int = 2026, out=print) -> Town:
    """Build the demo town once; a second run finds it and only prints the logins."""
    existing = Town.objects.filter(name=TOWN_NAME).first()
    if existing and Case.objects.filter(town=existing).exists():
        out(f"演示镇“{TOWN_NAME}”已存在,未重复创建。")
        return existing
    rng = random.Random(seed)
    now = clock.now()
    with transaction.atomic():
        town, _ = Town.objects.get_or_create(name=TOWN_NAME, defaults={"code": TOWN_CODE})
        people = build_people(town, rng)
    today = clock.today(town.timezone)
    cal = calendar_for(town.id, today.year - 1, today.year)
    story = Story(town, now, cal, rng, seed)
    start = today - timedelta(days=days)
    with remembered_clocks():
        made = _play_days(story, people, start, days, cal, now)
        made += _plant_duplicates(story, people, now)
    # People have read what reached them before this week; the rest is their news.
    InboxItem.objects.filter(created_at__lt=now - timedelta(days=3), read_at__isnull=True).update(
        read_at=now
    )
    out(f"已创建演示镇“{TOWN_NAME}”: {len(VILLAGES)} 个行政村, {made} 件事件。")
    return town


def _play_days(story, people, start, days, cal, now) -> int:
    rng = story.rng
    made = 0
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        if not cal.is_working_day(day) and rng.random() < 0.7:
            continue
        for officer, village, grid in people.officers:
            for _ in range(rng.choices((0, 1, 2), (62, 33, 5))[0]):
                submitted = datetime.combine(
                    day, time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=story.tz
                )
                if submitted > now:
                    continue
                try:
                    with transaction.atomic():
                        play_case(story, people, officer, village, grid, submitted)
                    made += 1
                except CaseError as exc:  # a story the rules refuse is a bug in this file
                    raise RuntimeError(f"demo case refused: {exc.message}") from exc
    return made


# integrity.md: a few matters entered twice, as happens: the same officer a day or two later,
# in other words. The office finds them in 疑似重复 (and the officer is warned on entry).
REWORDINGS = [
    ("发生", "出现"),
    ("要求", "希望"),
    ("纠纷", "争执"),
    ("反映", "投诉"),
    ("村民", "群众"),
]


def _plant_duplicates(story, people, now: datetime, count: int = 4) -> int:
    rng = story.rng
    recent = list(
        Case.objects.filter(
            town=story.town,
            category="dispute",  # with their parties: the demo's cases have no coordinates
            submitted_at__gte=now - timedelta(days=40),
            submitted_at__lte=now - timedelta(days=4),
        )
        .exclude(state="voided")
        .order_by("submitted_at")
        .prefetch_related("parties")
    )
    made = 0
    for original in rng.sample(recent, min(count, len(recent))):
        officer = original.officer
        again = original.submitted_at + timedelta(days=rng.choice((1, 2, 3)), hours=1)
        title, course = original.title, original.course
        for old, new in rng.sample(REWORDINGS, 3):
            title, course = title.replace(old, new), course.replace(old, new)
        data = {
            "category": original.category,
            "title": title,
            "occurred_at": original.occurred_at,
            "location": original.location,
            "persons": original.persons,
            "cause": original.cause,
            "course": course + ("。" if not course.endswith("。") else ""),
            "parties": [{"name": p.name, "phone": p.phone} for p in original.parties.all()],
        }
        with transaction.atomic():
            story.begin(again)
            case = story.do(
                filing.case_create_draft, town=story.town, by=officer, data=data, at=again
            )
            story.do(filing.case_submit, case=case, by=officer, at=again)
        made += 1
    return made


def logins() -> list[tuple[str, str]]:
    """(username, what they do) for the demo's printed login list."""
    town = Town.objects.filter(name=TOWN_NAME).first()
    if town is None:
        return []
    rows = []
    first = {}
    for role in Role.objects.filter(town=town).select_related("user", "village", "unit"):
        key = role.kind
        if key in first and key not in ("department",):
            continue
        first[key] = True
        where = role.village or role.unit or town
        rows.append((role.user.username, f"{role.get_kind_display()} · {where}"))
    return rows
