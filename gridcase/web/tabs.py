"""The queue's tabs: which a person sees, what each holds, and their counts in few queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridcase.cases.deadlines import TownDay, light_q
from gridcase.cases.models import AWAITING_FOLLOW_UP, OPEN_STATES, Case, State
from gridcase.cases.workflow import IN_PROGRESS
from gridcase.org.models import Role, User
from gridcase.org.selectors import roles_in_force

from .selectors import RETURNED, follow_up_area_q, my_level_q


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


def tabs_for(user: User) -> list[Tab]:
    kinds = {role.kind for role in roles_in_force(user)}
    keys: set[str] = set()
    for kind in kinds:
        keys.update(_ROLE_TABS.get(kind, []))
    return [tab for key, tab in TABS.items() if key in keys or key == "all"]


def tab_q(key: str, user: User, days: list[TownDay]) -> Q:
    if key == "accept":
        return my_level_q(user) & Q(state=State.PENDING)
    if key == "handling":
        return my_level_q(user) & Q(state__in=IN_PROGRESS)
    # The state at the top level lets the index case(town, state, level) find the rows.
    if key == "due_soon":
        return my_level_q(user) & Q(state__in=OPEN_STATES) & light_q("yellow", days, scoped=True)
    if key == "overdue":
        return my_level_q(user) & Q(state__in=OPEN_STATES) & light_q("red", days, scoped=True)
    if key == "follow_up":
        return follow_up_area_q(user) & AWAITING_FOLLOW_UP
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
    - the follow-ups awaiting a visit in my area (AWAITING_FOLLOW_UP: the village's or the
      town's range of a partial index that holds only the cases still waiting);
    - my drafts (case(officer, ...)).
    """
    counted = {tab.key for tab in tabs if tab.counted}
    counts: dict[str, int] = {}
    within = {
        "accept": Q(state=State.PENDING),
        "handling": Q(state__in=IN_PROGRESS),
        "due_soon": light_q("yellow", days, scoped=True),
        "overdue": light_q("red", days, scoped=True),
        "returned": Q(state=State.HANDLING) & RETURNED,
    }
    open_keys = [key for key in OPEN_TABS if key in counted]
    if open_keys:
        counts |= cases.filter(my_level_q(user), state__in=OPEN_STATES).aggregate(
            **{key: Count("pk", filter=within[key]) for key in open_keys}
        )
    # `state =` one value: with `state IN (...)` SQLite left the index case(village, state)
    # for case(town, state) and read the whole town. AWAITING_FOLLOW_UP is the partial
    # indexes' own condition: a village's or a town's waiting cases are one range of it.
    if "follow_up" in counted:
        counts["follow_up"] = cases.filter(follow_up_area_q(user), AWAITING_FOLLOW_UP).count()
    if "drafts" in counted:
        counts["drafts"] = cases.filter(state=State.DRAFT, officer_id=user.pk).count()
    return counts
