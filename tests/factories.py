"""A small town with one named user per role, for tests of every part."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from gridcase.cases import filing
from gridcase.cases.models import Case
from gridcase.org.models import Grid, Role, Town, Unit, User, Village

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    """An aware datetime in Shanghai time: local(2026, 4, 30, 9)."""
    return datetime(*args, tzinfo=SHANGHAI)


@dataclass
class TestTown:
    __test__ = False  # a fixture, not a test class

    town: Town
    village: Village
    other_village: Village
    grid: Grid
    station: Unit
    center: Unit
    department: Unit
    other_department: Unit
    office: Unit
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_user(username: str, town: Town, kind: str, **scope) -> User:
    user = User.objects.create_user(
        username=username, password="pw", town=town, display_name=username
    )
    Role.objects.create(user=user, town=town, kind=kind, **scope)
    return user


def make_town(name: str = "长塘镇", code: str = "ct", prefix: str = "") -> TestTown:
    town = Town.objects.create(name=name, code=code)
    village = Village.objects.create(town=town, name="东村")
    other = Village.objects.create(town=town, name="西村")
    grid = Grid.objects.create(village=village, name="第一网格")
    other_grid = Grid.objects.create(village=other, name="第一网格")
    units = {
        "station": Unit.objects.create(
            town=town, kind="village_station", name=f"{name}东村站", village=village
        ),
        "other_station": Unit.objects.create(
            town=town, kind="village_station", name=f"{name}西村站", village=other
        ),
        "center": Unit.objects.create(town=town, kind="town_center", name=f"{name}中心"),
        "department": Unit.objects.create(town=town, kind="department", name=f"{name}派出所"),
        "other_department": Unit.objects.create(town=town, kind="department", name=f"{name}城建办"),
        "office": Unit.objects.create(town=town, kind="governance_office", name=f"{name}综治办"),
    }
    t = TestTown(
        town=town,
        village=village,
        other_village=other,
        grid=grid,
        station=units["station"],
        center=units["center"],
        department=units["department"],
        other_department=units["other_department"],
        office=units["office"],
    )
    p = prefix
    t.users = {
        "officer": make_user(f"{p}officer", town, "officer", village=village, grid=grid),
        "other_officer": make_user(
            f"{p}other_officer", town, "officer", village=other, grid=other_grid
        ),
        "station_user": make_user(
            f"{p}station", town, "village_station", village=village, unit=units["station"]
        ),
        "other_station_user": make_user(
            f"{p}other_station", town, "village_station", village=other, unit=units["other_station"]
        ),
        "center_user": make_user(f"{p}center", town, "town_center", unit=units["center"]),
        "department_user": make_user(
            f"{p}department", town, "department", unit=units["department"]
        ),
        "other_department_user": make_user(
            f"{p}other_department", town, "department", unit=units["other_department"]
        ),
        "office_user": make_user(f"{p}office", town, "governance_office", unit=units["office"]),
        "leader": make_user(f"{p}leader", town, "leader"),
        "admin_user": make_user(f"{p}admin", town, "administrator"),
    }
    return t


COMPLETE = {
    "category": "dispute",
    "occurred_at": None,  # filled by complete_data()
    "location": "东村3组",
    "persons": "张三、李四",
    "cause": "宅基地边界",
    "course": "两家因围墙位置争执",
    "parties": [
        {"name": "张三", "phone": "13800138001"},
        {"name": "李四", "phone": "0731-84561234"},
    ],
}

CLOSE_DISPUTE = {
    "result": "双方同意按原界线重建围墙",
    "mediator": "王调解",
    "mediation_result": "agreed",
    "agreement_form": "written",
    "agreement_terms": ["围墙按原界线重建", "费用各半"],
}


def complete_data(at: datetime, **overrides) -> dict:
    return {**COMPLETE, "occurred_at": at, **overrides}


def submitted_case(t: TestTown, at: datetime, **overrides) -> Case:
    case = filing.case_create_draft(
        town=t.town, by=t.officer, data=complete_data(at, **overrides), at=at
    )
    return filing.case_submit(case=case, by=t.officer, at=at)
