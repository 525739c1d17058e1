"""`gridcase deadline --from 2026-04-30 --working-days 2 [--town NAME]`: the due date."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from gridcase.core.calendar import calendar_for, missing_arrangement_warning

from ._town import resolve_town

WEEKDAYS = "一二三四五六日"


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--from: “{value}”不是有效日期,格式应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "按工作日计算期限:从某日(当日不计)起第 N 个工作日结束时 "
        "(Civil Code counting; holidays and make-up days included)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="start",
            required=True,
            help="起算日 YYYY-MM-DD(事件发生/受理当日,不计入)",
        )
        parser.add_argument(
            "--working-days", type=int, required=True, help="工作日数 N (例如 受理 2、办结 5)"
        )
        parser.add_argument("--town", help="镇名(使用该镇的日历调整);只有一个镇时可省略")

    def handle(self, *args, start, working_days, town, **options):
        day = parse_day(start)
        if working_days < 1 or working_days > 365:
            raise CommandError("--working-days: 应为 1 到 365 之间的整数")
        found = resolve_town(town)
        town_id = found.id if found else None
        last_year = day.year + 1 + working_days // 200
        calendar = calendar_for(town_id, day.year, last_year)
        due = calendar.add_working_days(day, working_days)
        where = f"({found.name})" if found else ""
        self.stdout.write(
            f"{due.isoformat()}  星期{WEEKDAYS[due.weekday()]} 24:00 前{where}"
            f"  — {day.isoformat()} 起第 {working_days} 个工作日"
        )
        for year in range(day.year, due.year + 1):
            warning = missing_arrangement_warning(date(year - 1, 1, 1), town_id)
            if warning:
                self.stderr.write(f"注意: {warning}")
