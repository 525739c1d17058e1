"""`gridcase calendar --year 2026`: the year's closed weekdays and make-up days."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand

from gridcase.core import clock
from gridcase.core.calendar import calendar_for, missing_arrangement_warning

from ._town import resolve_town


class Command(BaseCommand):
    help = "查看某年的节假日与调休上班日,并提示缺失的年份安排 (working calendar of a year)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年份,默认今年")
        parser.add_argument("--town", help="镇名;只有一个镇时可省略")

    def handle(self, *args, year, town, **options):
        found = resolve_town(town)
        tz = found.timezone if found else "Asia/Shanghai"
        today = clock.today(tz)
        year = year or today.year
        cal = calendar_for(found.id if found else None, year)
        first = date(year, 1, 1)
        days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
        closed = [d for d in days if d.weekday() < 5 and not cal.is_working_day(d)]
        opened = [d for d in days if d.weekday() >= 5 and cal.is_working_day(d)]
        self.stdout.write(f"{year} 年 工作日共 {sum(cal.is_working_day(d) for d in days)} 天")
        self.stdout.write(
            "放假的工作日: " + (" ".join(d.strftime("%m-%d") for d in closed) or "无")
        )
        self.stdout.write(
            "调休上班日:   " + (" ".join(d.strftime("%m-%d") for d in opened) or "无")
        )
        warning = missing_arrangement_warning(today, found.id if found else None)
        if warning:
            self.stderr.write(f"注意: {warning}")
