"""The workbench's main navigation: one ordered list of entries, each shown to some roles.

To add a page to the navigation, add one `Entry` to ENTRIES (in the order it should appear).
`roles` are `org.Role.Kind` values; an entry with `roles=None` is shown to every signed-in
person. The entry whose `section` equals the page's `nav_section` context variable (or, when
that is not set, whose URL is a prefix of the request path) is marked as current.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gridcase.org.selectors import role_kinds

OFFICER = "officer"
STATION = "village_station"
CENTER = "town_center"
DEPARTMENT = "department"
OFFICE = "governance_office"
LEADER = "leader"
ADMIN = "administrator"

HANDLERS = frozenset({OFFICER, STATION, CENTER, DEPARTMENT})
TOWN_WIDE = frozenset({CENTER, OFFICE, LEADER, ADMIN})


@dataclass(frozen=True)
class Entry:
    section: str  # a short key; pages say which section they belong to
    url_name: str  # a URL name, e.g. "web:home"
    label: str  # lazily translated
    roles: frozenset[str] | None = None  # None: everyone signed in


ENTRIES: list[Entry] = [
    Entry("queue", "web:home", _("我的待办")),
    Entry("new", "web:case_new", _("录入事件"), frozenset({OFFICER})),
    Entry("cases", "web:cases", _("事件查询")),
    # The town's map: the town-wide roles see the town, the station its village, the officer
    # their grid (web.selectors.map_cases); departments work from their list.
    Entry("map", "web:map", _("一张图"), frozenset({OFFICER, STATION, CENTER, OFFICE, LEADER})),
    # The next pages (assessment, dashboards, administration) add their entries here.
    Entry("assess", "assess:index", _("考核"), frozenset({OFFICER, OFFICE, LEADER})),
    Entry("suspects", "assess:suspects", _("疑似重复"), frozenset({OFFICE})),
    Entry("dashboards", "dash:index", _("统计看板"), TOWN_WIDE),
    Entry("ledger_import", "web:ledger_import", _("台账导入"), frozenset({OFFICE, ADMIN})),
    Entry("manage", "manage:home", _("系统管理"), frozenset({ADMIN})),
]


@dataclass(frozen=True)
class Link:
    section: str
    url: str
    label: str
    current: bool


def links_for(user, path: str, section: str | None = None) -> list[Link]:
    """The entries this person may see, resolved to URLs; unknown URL names are skipped."""
    if not user.is_authenticated:
        return []
    kinds = role_kinds(user)
    if user.is_superuser:
        kinds = kinds | {ADMIN}
    links = []
    for entry in ENTRIES:
        if entry.roles is not None and not (entry.roles & kinds):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        links.append(Link(entry.section, url, str(entry.label), False))
    if section is None:
        # The longest URL that prefixes the path wins ("/" only matches itself).
        candidates = [
            link
            for link in links
            if path == link.url or (link.url != "/" and path.startswith(link.url))
        ]
        section = max(candidates, key=lambda link: len(link.url)).section if candidates else None
    return [Link(lk.section, lk.url, lk.label, lk.section == section) for lk in links]


# ---------------------------------------------------------------- each role's start page

# Where a person lands after signing in (and from the brand link): the page of the work their
# role is there for. Someone with several roles lands on the first that applies: the handling
# roles' queue, then the leader's dashboards, then administration.
START_PAGES: list[tuple[frozenset[str], str]] = [
    (HANDLERS | {OFFICE}, "web:home"),
    (frozenset({LEADER}), "dash:index"),
    (frozenset({ADMIN}), "manage:home"),
]


def start_page(kinds: frozenset[str] | set[str]) -> str:
    """The URL name of the start page for these role kinds (the queue when none applies)."""
    for roles, url_name in START_PAGES:
        if roles & kinds:
            return url_name
    return "web:home"


def start_url(user) -> str:
    kinds = set(role_kinds(user)) if user.is_authenticated else set()
    if user.is_authenticated and user.is_superuser:
        kinds.add(ADMIN)
    return reverse(start_page(kinds))
