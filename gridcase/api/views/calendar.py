"""Deadline arithmetic and the working calendar of a town (core.workdays, core.calendar)."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from gridcase.core import clock
from gridcase.core.calendar import calendar_for

from ..queries import towns_in_scope
from ..serializers.calendar import (
    DaysQuerySerializer,
    DaysSerializer,
    DeadlineQuerySerializer,
    DeadlineSerializer,
)
from .base import ApiView, bounded_query

TAG = ["日历 calendar"]


def _town(request, code: str | None):
    towns = towns_in_scope(request.user)
    if code:
        towns = [t for t in towns if t.code == code]
        if not towns:
            raise NotFound()
    if not towns:
        raise NotFound()
    if len(towns) > 1:
        raise ValidationError({"town": ["您在多个镇任职,请指定镇代码"]})
    return towns[0]


class DeadlineView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="calendar_deadline",
        summary="计算期限",
        description=(
            "按《民法典》第二百零一条至二百零三条:起算日不计入,从次日起算,"
            "期限为第 N 个工作日的 24:00。工作日按国家节假日安排(含调休)和本镇的日历调整。"
        ),
        parameters=[DeadlineQuerySerializer],
        responses={200: DeadlineSerializer},
    )
    def get(self, request):
        query = bounded_query(DeadlineQuerySerializer, request)
        town = _town(request, query.get("town"))
        start, n = query["from"], query["working_days"]
        calendar = calendar_for(town.pk, start.year, start.year + 1)
        deadline = calendar.add_working_days(start, n)
        data = {
            "town": town.code,
            "start": start,
            "working_days": n,
            "deadline": deadline,
            "deadline_end": clock.end_of_day(deadline, town.timezone),
            "rule": f"自 {start} 次日起算第 {n} 个工作日,即 {deadline} 24:00 前",
        }
        return Response(DeadlineSerializer(data).data)


class DaysView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="calendar_days",
        summary="工作日查询",
        description="区间内每一天是否工作日,以及原因(周末、节假日、调休上班)。",
        parameters=[DaysQuerySerializer],
        responses={200: DaysSerializer},
    )
    def get(self, request):
        query = bounded_query(DaysQuerySerializer, request)
        town = _town(request, query.get("town"))
        first, last = query["from"], query["to"]
        calendar = calendar_for(town.pk, first.year, last.year)
        days = []
        day = first
        while day <= last:
            weekend = day.weekday() >= 5
            working = calendar.is_working_day(day)
            if working:
                kind = "make_up_workday" if weekend else "workday"
            else:
                kind = "weekend" if weekend and day not in calendar.holidays else "holiday"
            days.append({"date": day, "working": working, "kind": kind})
            day += timedelta(days=1)
        data = {
            "town": town.code,
            "working_days": sum(1 for d in days if d["working"]),
            "days": days,
        }
        return Response(DaysSerializer(data).data)
