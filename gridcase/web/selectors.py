"""The queues of the workbench: what waits at each person's level, filtered, counted, paged.

Every query starts from `cases.selectors.visible_cases(user)`, so the scope rules live in one
place. The queues add "my level" (the cases waiting at a level this person handles), the tabs,
the filters and keyset pagination.

Performance (a town may hold a million cases):
- pages are keyset ("seek") pages on (sort key, id), never OFFSET, so page 1000 costs what
  page 1 costs;
- the list never counts its rows; the tab counts are one aggregate query with a conditional
  Count per tab, restricted to open cases and closed cases awaiting a follow-up (the states
  and levels are indexed: case(town, state, level));
- a case's light needs the town's working calendar: it is loaded once per request and town
  (`user_days`, from cases.deadlines), never per row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from gridcase.cases.deadlines import TownDay, due_now_expr, light_q, town_days
from gridcase.cases.models import OPEN_STATES, Case, FollowUp, Party, State, TimelineEntry
from gridcase.cases.selectors import visible_cases
from gridcase.core import clock
from gridcase.org.models import Role, User
from gridcase.org.selectors import roles_in_force

IN_PROGRESS = [State.HANDLING, State.REPORTED]
FAR_FUTURE = date(9999, 12, 31)


# ---------------------------------------------------------------- my level


def my_level_q(user: User) -> Q:
    """The cases waiting at a level this person handles (the union over their roles)."""
    q = Q(pk__in=[])
    for role in roles_in_force(user):
        town = Q(town_id=role.town_id)
        if role.kind == Role.Kind.OFFICER:
            area = Q(village_id=role.village_id)
            if role.grid_id is not None:
                area &= Q(grid_id=role.grid_id) | Q(grid__isnull=True)
            q |= town & Q(level="grid") & (area | Q(officer_id=user.pk))
        elif role.kind == Role.Kind.VILLAGE_STATION:
            q |= town & Q(level="village", village_id=role.village_id)
        elif role.kind == Role.Kind.TOWN_CENTER:
            q |= town & Q(level="town")
        elif role.kind == Role.Kind.DEPARTMENT:
            q |= town & Q(level="department", department_id=role.unit_id)
        elif role.kind in (
            Role.Kind.GOVERNANCE_OFFICE,
            Role.Kind.LEADER,
            Role.Kind.ADMINISTRATOR,
        ):
            q |= town
    return q


def follow_up_area_q(user: User) -> Q:
    """Whose follow-ups a person sees: the officer their grid's, the station its village's,
    the town-wide roles the town's. Departments do not visit."""
    q = Q(pk__in=[])
    for role in roles_in_force(user):
        town = Q(town_id=role.town_id)
        if role.kind == Role.Kind.OFFICER:
            area = Q(village_id=role.village_id)
            if role.grid_id is not None:
                area &= Q(grid_id=role.grid_id) | Q(grid__isnull=True)
            q |= town & (area | Q(officer_id=user.pk))
        elif role.kind == Role.Kind.VILLAGE_STATION:
            q |= town & Q(village_id=role.village_id)
        elif role.kind in (
            Role.Kind.TOWN_CENTER,
            Role.Kind.GOVERNANCE_OFFICE,
            Role.Kind.LEADER,
            Role.Kind.ADMINISTRATOR,
        ):
            q |= town
    return q


# A return sets the case's level_accepted_at to the moment of the return (services.case_return),
# so "returned to me and not yet acted on" is: handling, and a return entry into this level at
# exactly that moment.
RETURNED = Exists(
    TimelineEntry.objects.filter(
        case_id=OuterRef("pk"),
        action="return",
        to_level=OuterRef("level"),
        at=OuterRef("level_accepted_at"),
    )
)
FOLLOW_UP_DONE = Exists(FollowUp.objects.filter(case_id=OuterRef("pk")))


# ---------------------------------------------------------------- tabs


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    tone: str = ""  # "yellow" / "red": how the tab's count is coloured
    counted: bool = True  # the "all" tab is never counted (it could be the whole table)


TABS = {
    "accept": Tab("accept", _("待受理")),
    "handling": Tab("handling", _("办理中")),
    "due_soon": Tab("due_soon", _("即将到期"), "yellow"),
    "overdue": Tab("overdue", _("已超期"), "red"),
    "follow_up": Tab("follow_up", _("待回访")),
    "returned": Tab("returned", _("被退回")),
    "drafts": Tab("drafts", _("草稿")),
    "all": Tab("all", _("全部事件"), counted=False),
}

_ROLE_TABS = {
    Role.Kind.OFFICER: [
        "accept",
        "handling",
        "due_soon",
        "overdue",
        "follow_up",
        "returned",
        "drafts",
    ],
    Role.Kind.VILLAGE_STATION: [
        "accept",
        "handling",
        "due_soon",
        "overdue",
        "follow_up",
        "returned",
    ],
    Role.Kind.TOWN_CENTER: ["accept", "handling", "due_soon", "overdue", "follow_up", "returned"],
    Role.Kind.DEPARTMENT: ["accept", "handling", "due_soon", "overdue"],
    Role.Kind.GOVERNANCE_OFFICE: ["accept", "handling", "due_soon", "overdue", "follow_up"],
    Role.Kind.LEADER: ["accept", "handling", "due_soon", "overdue", "follow_up"],
    Role.Kind.ADMINISTRATOR: ["accept", "handling", "due_soon", "overdue", "follow_up"],
}


# Follow-ups are counted for the roles that look after a village: their count reads the
# village's closed cases through case(village, state). A town-wide count would read every
# closed case of the town on every page, so for the town-wide roles the tab is listed
# without a number (until cases carry a "followed up" column with a partial index).
FOLLOW_UP_COUNTED = {Role.Kind.OFFICER, Role.Kind.VILLAGE_STATION}


def tabs_for(user: User) -> list[Tab]:
    kinds = {role.kind for role in roles_in_force(user)}
    keys: set[str] = set()
    for kind in kinds:
        keys.update(_ROLE_TABS.get(kind, []))
    tabs = [tab for key, tab in TABS.items() if key in keys or key == "all"]
    if kinds - FOLLOW_UP_COUNTED:
        tabs = [replace(tab, counted=False) if tab.key == "follow_up" else tab for tab in tabs]
    return tabs


def tab_q(key: str, user: User, days: list[TownDay]) -> Q:
    if key == "accept":
        return my_level_q(user) & Q(state=State.PENDING)
    if key == "handling":
        return my_level_q(user) & Q(state__in=IN_PROGRESS)
    # The state at the top level lets the index case(town, state, level) find the rows.
    if key == "due_soon":
        return my_level_q(user) & Q(state__in=OPEN_STATES) & light_q("yellow", days)
    if key == "overdue":
        return my_level_q(user) & Q(state__in=OPEN_STATES) & light_q("red", days)
    if key == "follow_up":
        return (
            follow_up_area_q(user)
            & Q(state=State.CLOSED, follow_up_due__isnull=False)
            & ~FOLLOW_UP_DONE
        )
    if key == "returned":
        return my_level_q(user) & Q(state=State.HANDLING) & RETURNED
    if key == "drafts":
        return Q(state=State.DRAFT, officer_id=user.pk)
    if key == "all":
        return ~Q(state=State.DRAFT)
    raise ValueError(f"unknown tab {key!r}")


OPEN_TABS = ("accept", "handling", "due_soon", "overdue", "returned")


def tab_counts(user: User, cases: QuerySet[Case], tabs: list[Tab], days) -> dict[str, int]:
    """The counted tabs' numbers, each query served by an index:

    - one aggregate over the open cases at my level (case(town, state, level)), a
      conditional Count per tab; "my level" is compiled once, not once per tab (building the
      SQL cost more than running it); open cases are few whatever the size of the table;
    - the follow-ups awaiting a visit in my village (case(village, state)); town-wide roles
      do not count them (see FOLLOW_UP_COUNTED);
    - my drafts (case(officer, ...)).
    """
    counted = {tab.key for tab in tabs if tab.counted}
    counts: dict[str, int] = {}
    within = {
        "accept": Q(state=State.PENDING),
        "handling": Q(state__in=IN_PROGRESS),
        "due_soon": light_q("yellow", days),
        "overdue": light_q("red", days),
        "returned": Q(state=State.HANDLING) & RETURNED,
    }
    open_keys = [key for key in OPEN_TABS if key in counted]
    if open_keys:
        counts |= cases.filter(my_level_q(user), state__in=OPEN_STATES).aggregate(
            **{key: Count("pk", filter=within[key]) for key in open_keys}
        )
    # Each below with `state =` one value: with `state IN (...)` SQLite left the index
    # case(village, state) for case(town, state) and read the whole town.
    if "follow_up" in counted:
        counts["follow_up"] = (
            cases.filter(
                follow_up_area_q(user),
                state=State.CLOSED,
                follow_up_due__isnull=False,
            )
            .filter(~FOLLOW_UP_DONE)
            .count()
        )
    if "drafts" in counted:
        counts["drafts"] = cases.filter(state=State.DRAFT, officer_id=user.pk).count()
    return counts


# ---------------------------------------------------------------- filters


@dataclass
class Filters:
    village: int | None = None
    category: str = ""
    state: str = ""
    level: str = ""
    light: str = ""
    date_from: date | None = None
    date_to: date | None = None
    major: bool | None = None
    q: str = ""


def apply_filters(cases: QuerySet[Case], f: Filters, days: list[TownDay]) -> QuerySet[Case]:
    if f.village:
        cases = cases.filter(village_id=f.village)
    if f.category:
        cases = cases.filter(category=f.category)
    if f.state:
        cases = cases.filter(state=f.state)
    if f.level:
        cases = cases.filter(level=f.level)
    if f.light:
        cases = cases.filter(light_q(f.light, days))
    if f.major is not None:
        cases = cases.filter(major=f.major)
    # Dates are the town's local days of submission (上报时间).
    tz = days[0].tz if days else "Asia/Shanghai"
    if f.date_from:
        cases = cases.filter(submitted_at__gte=clock.start_of_day(f.date_from, tz))
    if f.date_to:
        cases = cases.filter(submitted_at__lt=clock.end_of_day(f.date_to, tz))
    if f.q:
        text = f.q.strip()
        parties = Party.objects.filter(case_id=OuterRef("pk"), name__icontains=text)
        cases = cases.filter(
            Q(number__iexact=text)
            | Q(number__icontains=text)
            | Q(title__icontains=text)
            | Q(location__icontains=text)
            | Q(persons__icontains=text)
            | Q(cause__icontains=text)
            | Q(course__icontains=text)
            | Exists(parties)
        )
    return cases


# ---------------------------------------------------------------- keyset pages


@dataclass(frozen=True)
class Order:
    """A tab's order: a sort key and the id, both in one direction.

    `key` is a column name, or an expression (then annotated as `sort_key`). A column is
    used as itself in WHERE and ORDER BY, so that the database can walk its index (an alias
    such as `ORDER BY sort_key` made SQLite sort the whole town instead).
    """

    key: str | object
    desc: bool
    kind: str  # "date" or "datetime": how a cursor's key is read back

    @property
    def column(self) -> str:
        return self.key if isinstance(self.key, str) else "sort_key"


ORDERS = {
    "follow_up": Order("follow_up_due", False, "date"),
    "drafts": Order("created_at", True, "datetime"),
    "all": Order("submitted_at", True, "datetime"),
}
QUEUE_ORDER = Order(Coalesce(due_now_expr(), Value(FAR_FUTURE)), False, "date")


def order_for(tab: str) -> Order:
    """Queue tabs: by deadline, earliest first — which is by light, red, yellow, green."""
    return ORDERS.get(tab, QUEUE_ORDER)


def encode_cursor(key, pk: int) -> str:
    return f"{key.isoformat()}~{pk}"


def decode_cursor(raw: str, order: Order):
    """(key, id), or None when the cursor is not one of ours (then the first page is shown)."""
    try:
        key_text, pk_text = raw.rsplit("~", 1)
        pk = int(pk_text)
        if order.kind == "date":
            return date.fromisoformat(key_text), pk
        return datetime.fromisoformat(key_text), pk
    except (ValueError, AttributeError):
        return None


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    size: int


def _seek(cases: QuerySet[Case], column: str, cursor, *, forward: bool, desc: bool):
    """Rows after (forward) or before the cursor in the order (column, id)."""
    key, pk = cursor
    cmp = "gt" if forward != desc else "lt"
    return cases.filter(Q(**{f"{column}__{cmp}": key}) | Q(**{column: key, f"pk__{cmp}": pk}))


def keyset_page(
    cases: QuerySet[Case],
    order: Order,
    *,
    after: str = "",
    before: str = "",
    size: int = 30,
) -> Page:
    """One page of `size` rows after or before a cursor: constant cost at any depth.

    The orders are plain ASC/DESC (no NULLS FIRST/LAST clause), so that a database can walk an
    index such as case(town, submitted_at) backwards and stop after one page; every tab's sort
    key is non-null for the rows it holds.
    """
    column = order.column
    if not isinstance(order.key, str):
        cases = cases.annotate(sort_key=order.key)
    if order.desc:
        forward_order = [F(column).desc(), "-pk"]
        backward_order = [F(column).asc(), "pk"]
    else:
        forward_order = [F(column).asc(), "pk"]
        backward_order = [F(column).desc(), "-pk"]
    cursor_after = decode_cursor(after, order) if after else None
    cursor_before = decode_cursor(before, order) if before and not cursor_after else None
    if cursor_before:
        qs = _seek(cases, column, cursor_before, forward=False, desc=order.desc)
        rows = list(qs.order_by(*backward_order)[: size + 1])
        has_prev = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_next = True
    else:
        qs = (
            _seek(cases, column, cursor_after, forward=True, desc=order.desc)
            if cursor_after
            else cases
        )
        rows = list(qs.order_by(*forward_order)[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_prev = cursor_after is not None
    return Page(
        rows=rows,
        next_cursor=encode_cursor(getattr(rows[-1], column), rows[-1].pk)
        if rows and has_next
        else None,
        prev_cursor=encode_cursor(getattr(rows[0], column), rows[0].pk)
        if rows and has_prev
        else None,
        size=size,
    )


# ---------------------------------------------------------------- the queue


def queue_cases(user: User) -> QuerySet[Case]:
    """The scoped cases with what a list row shows, in one query. The town is not joined: it
    is one of the person's towns (`attach_towns`), and the join kept SQLite from walking the
    index case(town, submitted_at)."""
    return visible_cases(user).select_related("village", "grid", "officer", "department")


def attach_towns(user: User, cases) -> list[Case]:
    """Give each listed case its town object from the person's roles (no query)."""
    towns = {role.town_id: role.town for role in roles_in_force(user)}
    cases = list(cases)
    for case in cases:
        if case.town_id in towns:
            case.town = towns[case.town_id]
    return cases


def user_days(user: User) -> list[TownDay]:
    """The day of each town the person has a role in (cases.deadlines.town_days)."""
    towns = {role.town_id: role.town for role in roles_in_force(user)}
    return list(town_days(towns.values()).values())
