"""The queue's filters: village, category, state, level, light, dates and a text search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from gridcase.cases.deadlines import TownDay, light_q
from gridcase.cases.models import Case
from gridcase.cases.search import search_q
from gridcase.core import clock


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
        cases = cases.filter(light_q(f.light, days, scoped=True))
    if f.major is not None:
        cases = cases.filter(major=f.major)
    # Dates are the town's local days of submission (上报时间).
    tz = days[0].tz if days else "Asia/Shanghai"
    if f.date_from:
        cases = cases.filter(submitted_at__gte=clock.start_of_day(f.date_from, tz))
    if f.date_to:
        cases = cases.filter(submitted_at__lt=clock.end_of_day(f.date_to, tz))
    if f.q:
        # Through the n-gram index (cases.search), then the exact test; within the scope.
        cases = cases.filter(search_q(f.q))
    return cases
