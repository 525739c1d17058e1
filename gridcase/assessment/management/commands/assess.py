"""`gridcase assess (--month YYYY-MM | --quarter YYYY-Qn) [--town NAME] [--policy FILE]
[--format table|json|xlsx] [--output FILE] [--verbose]`: every officer's pay, explained."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from gridcase.assessment import exports
from gridcase.assessment.common import check_month, check_quarter
from gridcase.assessment.services import assess_period
from gridcase.core import clock
from gridcase.core.policy import load_policy_file

from ._base import AssessmentCommand, resolve_town

FORMATS = ("table", "json", "xlsx")


class Command(AssessmentCommand):
    help = (
        "计算网格专管员月度或季度考核: 每人每月的基本工资、扣款、奖励与合计, "
        "并说明每起事件的状态和原因 (assess officers' pay for a month or a quarter)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="考核月份 YYYY-MM, 如 2026-10")
        parser.add_argument("--quarter", help="考核季度 YYYY-Qn, 如 2026-Q4")
        parser.add_argument("--town", help="镇名; 系统中只有一个镇时可省略")
        parser.add_argument(
            "--policy",
            metavar="FILE",
            help="试算: 用另一个策略文件计算, 不改变本镇的策略和正式考核 (what-if)",
        )
        parser.add_argument(
            "--format", default="table", help="输出格式: table (默认, 表格) | json | xlsx (工资表)"
        )
        parser.add_argument("--output", metavar="FILE", help="写入文件 (xlsx 默认写入当前目录)")
        parser.add_argument(
            "--verbose",
            action="store_true",
            help="表格中列出每月的计算过程和每起事件的状态、金额和原因",
        )

    def handle(self, *args, month, quarter, town, policy, format, output, verbose, **options):
        if bool(month) == bool(quarter):
            raise CommandError("请用 --month YYYY-MM 或 --quarter YYYY-Qn 指定考核期间 (二者选一)")
        fmt = (format or "").strip().lower()
        if fmt not in FORMATS:
            raise CommandError(f"--format: “{format}”无效, 可选: {' | '.join(FORMATS)}")
        try:
            months = [check_month(month)] if month else clock.quarter_months(check_quarter(quarter))
        except Exception as exc:
            option = "--month" if month else "--quarter"
            raise CommandError(f"{option}: {getattr(exc, 'message', exc)}") from None
        found = resolve_town(town)
        what_if = None
        if policy:
            path = Path(policy)
            if not path.is_file():
                raise CommandError(f"--policy: 找不到策略文件“{policy}”")
            what_if = load_policy_file(path)

        result = assess_period(town=found, months=months, policy=what_if)

        if fmt == "xlsx":
            target = Path(output or f"{found.name}-{result.period}-考核.xlsx")
            self._write(target, exports.render_xlsx(result))
            self.stdout.write(f"已写入工资表: {target} ({exports.state_words(result)})")
            return
        text = (
            exports.to_json(result) + "\n"
            if fmt == "json"
            else exports.render_table(result, verbose=verbose)
        )
        if output:
            self._write(Path(output), text.encode("utf-8"))
            self.stdout.write(f"已写入: {output}")
        else:
            self.stdout.write(text, ending="")

    def _write(self, path: Path, data: bytes) -> None:
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"--output: 无法写入“{path}”: {exc.strerror or exc}") from None
