"""`gridcase suspects --town NAME (--month YYYY-MM | --since YYYY-MM-DD --until YYYY-MM-DD)
[--format table|json]`: suspected duplicates and padding signals of a period (integrity.md)."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import CommandError

from gridcase.assessment.common import check_month, last_day
from gridcase.assessment.suspects_report import period_report
from gridcase.core import clock

from ._base import AssessmentCommand, resolve_town

FORMATS = ("table", "json")


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(f"{option}: 日期格式应为 YYYY-MM-DD, 如 2026-10-01: “{text}”") from None


class Command(AssessmentCommand):
    help = (
        "列出期间内提交的疑似重复事件 (与其之前窗口内的每起事件比较) 和虚报迹象, 供综治办核查; "
        "不改变任何金额 (suspected duplicates and padding signals of a period)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--town", help="镇名; 系统中只有一个镇时可省略")
        parser.add_argument("--month", help="月份 YYYY-MM, 如 2026-10")
        parser.add_argument("--since", help="起始日期 YYYY-MM-DD (与 --until 一起使用)")
        parser.add_argument("--until", help="截止日期 YYYY-MM-DD (含当天)")
        parser.add_argument("--format", default="table", help="输出格式: table (默认) | json")

    def handle(self, *args, town, month, since, until, format, **options):
        fmt = (format or "").strip().lower()
        if fmt not in FORMATS:
            raise CommandError(f"--format: “{format}”无效, 可选: {' | '.join(FORMATS)}")
        if month and (since or until):
            raise CommandError("--month 不能与 --since/--until 同时使用")
        if month:
            check_month(month)
            first, last = clock.parse_month(month), last_day(month)
        elif since and until:
            first, last = _day(since, "--since"), _day(until, "--until")
            if last < first:
                raise CommandError("--until 不能早于 --since")
        else:
            raise CommandError(
                "请用 --month YYYY-MM 或 --since YYYY-MM-DD --until YYYY-MM-DD 指定期间"
            )
        found = resolve_town(town)
        report = period_report(found, first, last)
        if fmt == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(render_table(report), ending="")


_STATUS_WORDS = {"suspected": "疑似", "confirmed": "确认重复", "dismissed": "已排除"}


def render_table(report: dict) -> str:
    period = report["period"]
    lines = [
        f"{report['town']} {period['since']} 至 {period['until']} "
        f"疑似重复 {len(report['pairs'])} 对 (阈值 {report['threshold']}), "
        f"虚报迹象 {len(report['signals'])} 条",
    ]
    for pair in report["pairs"]:
        lines.append(
            f"  {pair['case']} ≈ {pair['similar_to']}  {pair['score']:.2f}  "
            f"{_STATUS_WORDS.get(pair['status'], pair['status'])}  " + "; ".join(pair["reasons"])
        )
    for signal in report["signals"]:
        lines.append(
            f"  [{signal['month']}] {signal['officer']}: {signal['reason']} "
            f"({'、'.join(signal['cases'][:10])}{' …' if len(signal['cases']) > 10 else ''})"
        )
    return "\n".join(lines) + "\n"
