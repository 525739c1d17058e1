"""What every assessment page shares: the roles, the period in the URL and its labels, the
person's access to a town, the links between the pages, the picker and the result itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridcase.assessment import exports
from gridcase.assessment.models import Appeal
from gridcase.assessment.results import PeriodResult
from gridcase.core import clock, periods
from gridcase.org.models import Role, Town
from gridcase.org.selectors import roles_in_force
from gridcase.web import dashboard_cache

OFFICE = Role.Kind.GOVERNANCE_OFFICE
LEADER = Role.Kind.LEADER
OFFICER = Role.Kind.OFFICER
READERS = frozenset({OFFICE, LEADER})


# How far back the period picker reaches (any other period can be typed into the URL).
PICKER_QUARTERS = 8
PICKER_MONTHS = 12

QUARTER_WORDS = {
    "draft": _("未定稿"),
    "finalised": _("已定稿,待领导审批"),
    "approved": _("已审批"),
}
APPEAL_WORDS = {
    Appeal.Status.PENDING: _("申诉待处理"),
    Appeal.Status.ACCEPTED: _("申诉已采纳"),
    Appeal.Status.REJECTED: _("申诉未采纳"),
}


# ---------------------------------------------------------------- small helpers


def yuan(amount: Decimal) -> str:
    """Amounts as people read them on the pay slip: two decimals and the unit."""
    return _("%(amount)s 元") % {"amount": f"{Decimal(amount):.2f}"}


def is_quarter(period: str) -> bool:
    return periods.is_quarter(period)


def months_of(period: str) -> list[str]:
    """The months of a period ("2026-Q4" or "2026-10"); anything else is no page (404)."""
    if periods.is_quarter(period):
        return clock.quarter_months(period)
    if periods.is_month(period):
        return [period]
    raise Http404("no such period")


def quarter_of_period(period: str) -> str:
    return period if is_quarter(period) else clock.quarter_of(clock.parse_month(period))


def check_quarter(quarter: str) -> str:
    if not periods.is_quarter(quarter):
        raise Http404("no such quarter")
    return quarter


def quarter_label(quarter: str) -> str:
    return exports.quarter_label(quarter)


def period_label(period: str) -> str:
    return quarter_label(period) if is_quarter(period) else exports.month_label(period)


def recent_quarters(today: date, count: int = PICKER_QUARTERS) -> list[str]:
    quarters = [clock.quarter_of(today)]
    while len(quarters) < count:
        quarters.append(periods.quarter_after(quarters[-1], -1))
    return quarters


def recent_months(today: date, count: int = PICKER_MONTHS) -> list[str]:
    months = []
    year, month = today.year, today.month
    for _i in range(count):
        months.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


# ---------------------------------------------------------------- who may see what


@dataclass(frozen=True)
class Access:
    """The person's standing in one town today: which of the assessment's roles they hold."""

    town: Town
    kinds: frozenset[str]
    towns: tuple[Town, ...]  # every town where they hold one of these roles
    today: date

    @property
    def office(self) -> bool:
        return OFFICE in self.kinds

    @property
    def leader(self) -> bool:
        return LEADER in self.kinds

    @property
    def reader(self) -> bool:
        return bool(READERS & self.kinds)

    @property
    def officer(self) -> bool:
        return OFFICER in self.kinds

    @property
    def query(self) -> str:
        """The town in links, only for people who work for several towns."""
        return f"?{urlencode({'town': self.town.pk})}" if len(self.towns) > 1 else ""


def get_access(request: HttpRequest, wanted: frozenset[str]) -> Access:
    """The town whose pages these are (``town`` in the query or form when there are several)
    and the person's roles there; no such role anywhere, or another town: 404."""
    towns: dict[int, Town] = {}
    kinds: dict[int, set[str]] = {}
    for role in roles_in_force(request.user):
        if role.kind not in wanted:
            continue
        towns.setdefault(role.town_id, role.town)
        kinds.setdefault(role.town_id, set()).add(role.kind)
    if not towns:
        raise Http404("no assessment role")
    wanted_town = request.POST.get("town") or request.GET.get("town")
    if wanted_town:
        town = next((t for t in towns.values() if str(t.pk) == wanted_town), None)
        if town is None:
            raise Http404("town outside scope")
    else:
        town = sorted(towns.values(), key=lambda t: t.name)[0]
    return Access(
        town=town,
        kinds=frozenset(kinds[town.pk]),
        towns=tuple(sorted(towns.values(), key=lambda t: t.name)),
        today=clock.today(town.timezone),
    )


def reader_access(request: HttpRequest) -> Access:
    return get_access(request, READERS)


def forbidden(request: HttpRequest, message: str, *, back: str) -> HttpResponse:
    """The role lacks the action: say why (403), with the way back."""
    return render(
        request,
        "web/assess/forbidden.html",
        {"message": message, "back": back, "nav_section": "assess"},
        status=403,
    )


def period_url(access: Access, period: str) -> str:
    return reverse("assess:period", args=[period]) + access.query


def statement_url(access: Access, period: str, officer_id: int) -> str:
    return reverse("assess:statement", args=[period, officer_id]) + access.query


def appeals_url(access: Access, quarter: str) -> str:
    return reverse("assess:appeals", args=[quarter]) + access.query


# ---------------------------------------------------------------- the picker and the result


def picker_context(access: Access, period: str | None) -> dict:
    quarters = recent_quarters(access.today)
    months = recent_months(access.today)
    return {
        "picker_quarters": [(q, quarter_label(q)) for q in quarters],
        "picker_months": [(m, exports.month_label(m)) for m in months],
        "picker_value": period,
        "access": access,
    }


def period_context(access: Access, period: str, result: PeriodResult) -> dict:
    """What a page of one period shows around its figures: the picker, the period and its
    quarter, and what kind of figures they are."""
    quarter = quarter_of_period(period)
    return picker_context(access, period) | {
        "nav_section": "assess",
        "period": period,
        "period_label": period_label(period),
        "is_quarter": is_quarter(period),
        "quarter": quarter,
        "quarter_label": quarter_label(quarter),
        "state_words": exports.state_words(result, gettext),
    }


def period_result(
    access: Access, period: str, stamp: dashboard_cache.Stamp | None = None
) -> PeriodResult:
    """The figures of the period as they are now (a finalised quarter's from its snapshot),
    kept under an exact key (web/dashboard_cache.py): for downloads, whose figures are paid."""
    return dashboard_cache.period_result(access.town, months_of(period), access.today, stamp).value


def waits(request: HttpRequest) -> bool:
    """Whether the page waits for the current figures: asked for (立即计算, `fresh=1`), else
    it may show the last ones kept while the worker computes (dashboard_cache.latest)."""
    return request.GET.get("fresh") == "1"


def kept_context(request: HttpRequest, *shown: dashboard_cache.Shown) -> dict:
    """What the page says of its figures when one of them is an earlier one: since when, and
    the link that waits for the current ones."""
    earlier = [s for s in shown if not s.current]
    if not earlier:
        return {"kept_since": None}
    query = request.GET.copy()
    query["fresh"] = "1"
    return {
        "kept_since": min(s.computed_at for s in earlier),
        "fresh_url": f"{request.path}?{query.urlencode()}",
    }
