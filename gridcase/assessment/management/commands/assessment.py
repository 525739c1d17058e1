"""`gridcase assessment status|finalise|approve|reopen|appeal|decide|adjust …`: the quarter's
life from the command line. Thin: parse, call the service, say what happened in Chinese."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import CommandError

from gridcase.assessment import quarter as life
from gridcase.assessment.adjustments import adjustment_add
from gridcase.assessment.appeals import appeal_decide, appeal_file
from gridcase.assessment.common import check_quarter
from gridcase.assessment.exports import STATUS_LABELS
from gridcase.assessment.models import Adjustment, Appeal
from gridcase.assessment.quarter import STATUS_WORDS
from gridcase.assessment.selectors import adjustments_of, appeals_of, events_of
from gridcase.core import clock

from ._base import AssessmentCommand, resolve_case, resolve_town, resolve_user

ACTIONS = {
    "status": "查看季度考核状态: 能否定稿、申诉、调整",
    "finalise": "定稿 (综治办): 冻结本季度的考核结果",
    "approve": "审批 (分管领导): 审批已定稿的季度考核",
    "reopen": "退回 (分管领导): 把已定稿未审批的季度退回综治办更正",
    "appeal": "申诉 (网格专管员): 对本人事件的考核结果申诉",
    "decide": "处理申诉 (综治办): 采纳或不予采纳",
    "adjust": "调整 (综治办): 更正已审批季度, 计入下一季度",
}
OVERRIDES = {"conforming": "按质量合格计", "on_time": "按按时结案或上报计"}


def _who(user) -> str:
    return (user.display_name or user.username) if user else "—"


class Command(AssessmentCommand):
    help = "季度考核流程: 定稿、审批、退回、申诉、处理申诉、调整 (the quarter's life)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="操作", title="操作 (actions)")
        sub.required = True
        parsers = {name: sub.add_parser(name, help=text) for name, text in ACTIONS.items()}
        for name, p in parsers.items():
            p.add_argument("--town", help="镇名; 系统中只有一个镇时可省略")
            if name != "status":
                p.add_argument("--by", metavar="USERNAME", help="操作人的用户名")
        for name in ("status", "finalise", "approve", "reopen"):
            parsers[name].add_argument("--quarter", help="季度 YYYY-Qn, 如 2026-Q4")
        parsers["approve"].add_argument("--note", default="", help="审批意见")
        parsers["reopen"].add_argument("--reason", help="退回原因")
        parsers["appeal"].add_argument("--case", help="事件编号, 如 CT-2026-00042")
        parsers["appeal"].add_argument("--reason", help="申诉理由")
        decide = parsers["decide"]
        decide.add_argument("--appeal", help="申诉编号 (见 gridcase assessment status)")
        decide.add_argument("--accept", action="store_true", help="采纳")
        decide.add_argument("--reject", action="store_true", help="不予采纳")
        decide.add_argument("--note", default="", help="处理意见 (不予采纳时必填)")
        decide.add_argument(
            "--override", help="采纳后的更正: conforming (按质量合格计) | on_time (按按时办结计)"
        )
        adjust = parsers["adjust"]
        adjust.add_argument("--officer", metavar="USERNAME", help="网格专管员的用户名")
        adjust.add_argument("--quarter", help="要更正的 (已审批) 季度 YYYY-Qn")
        adjust.add_argument("--amount", help="金额 (元), 扣减用负数, 如 -10")
        adjust.add_argument("--reason", help="调整原因")

    def handle(self, *args, action, **options):
        town = resolve_town(options.get("town"))
        getattr(self, f"do_{action}")(town, options)

    # -------------------------------------------------------------- helpers

    def _quarter(self, options) -> str:
        value = options.get("quarter")
        if not value:
            raise CommandError("--quarter: 请指定季度 YYYY-Qn, 如 2026-Q4")
        try:
            return check_quarter(value)
        except Exception as exc:
            raise CommandError(f"--quarter: {getattr(exc, 'message', exc)}") from None

    def _say(self, text: str) -> None:
        self.stdout.write(text)

    # -------------------------------------------------------------- actions

    def do_status(self, town, options):
        quarter = self._quarter(options)
        info = life.quarter_status(town=town, quarter=quarter)
        row = info.row
        self._say(f"{town.name} {quarter} 考核: {STATUS_WORDS[info.status]}")
        if info.status == "draft":
            today = clock.today(town.timezone)
            when = "现在即可定稿" if today >= info.possible_from else "尚不能定稿"
            self._say(
                f"  办理期限: 本季度事件的办理期限最晚到 {info.possible_from - timedelta(days=1)}, "
                f"可于 {info.possible_from} 起定稿 ({when})"
            )
        if row and row.finalised_at:
            at = clock.local_date(row.finalised_at, town.timezone)
            self._say(f"  定稿: {at} {_who(row.finalised_by)} (策略 {row.policy_code})")
        if row and row.approved_at:
            at = clock.local_date(row.approved_at, town.timezone)
            self._say(f"  审批: {at} {_who(row.approved_by)}")
        appeals = appeals_of(town=town, quarter=quarter)
        if appeals:
            self._say("  申诉:")
            for a in appeals:
                decided = a.get_status_display()
                if a.override:
                    decided += f" ({OVERRIDES.get(a.override, a.override)})"
                self._say(
                    f"    #{a.pk} {a.case.number} {_who(a.filed_by)}: {a.reason}  → {decided}"
                    + (f"  {a.decision_note}" if a.decision_note else "")
                )
        if info.pending_appeals:
            self._say(f"  有 {info.pending_appeals} 件申诉待处理, 处理后才能定稿")
        for title, rows in (
            ("本季度计入的调整", adjustments_of(town=town, quarter=quarter)),
            (
                "对本季度的更正 (计入以后季度)",
                Adjustment.objects.filter(town=town, quarter=quarter),
            ),
        ):
            rows = list(rows.select_related("officer"))
            if rows:
                self._say(f"  {title}:")
                for adj in rows:
                    self._say(
                        f"    {_who(adj.officer)} {adj.amount} 元 ({adj.quarter}→{adj.applies_to})"
                        f"  {adj.reason}"
                    )
        events = events_of(town=town, quarter=quarter)
        if events:
            self._say("  记录:")
            for e in events:
                at = clock.local_date(e.at, town.timezone)
                self._say(f"    {at} {_who(e.actor)} {e.action} {e.note}".rstrip())

    def do_finalise(self, town, options):
        quarter = self._quarter(options)
        row = life.quarter_finalise(town=town, quarter=quarter, by=resolve_user(options["by"]))
        officers = len(row.snapshot["officers"])
        self._say(
            f"{town.name} {quarter} 考核已定稿 ({officers} 名网格专管员, 策略 {row.policy_code}); "
            "请分管领导审批: gridcase assessment approve"
        )

    def do_approve(self, town, options):
        quarter = self._quarter(options)
        life.quarter_approve(
            town=town, quarter=quarter, by=resolve_user(options["by"]), note=options["note"]
        )
        self._say(
            f"{town.name} {quarter} 考核已审批; 打印工资表: "
            f"gridcase assess --quarter {quarter} --format xlsx"
        )

    def do_reopen(self, town, options):
        quarter = self._quarter(options)
        life.quarter_reopen(
            town=town,
            quarter=quarter,
            by=resolve_user(options["by"]),
            reason=options["reason"] or "",
        )
        self._say(f"{town.name} {quarter} 考核已退回综治办, 恢复为暂定")

    def do_appeal(self, town, options):
        case = resolve_case(town, options["case"])
        appeal = appeal_file(
            case=case, by=resolve_user(options["by"]), reason=options["reason"] or ""
        )
        status = STATUS_LABELS.get(appeal.status_at_filing, appeal.status_at_filing)
        self._say(
            f"已提交申诉 #{appeal.pk}: {case.number} (当前考核状态: {status}); 等待综治办处理"
        )

    def do_decide(self, town, options):
        if options["accept"] == options["reject"]:
            raise CommandError(
                "请用 --accept (采纳) 或 --reject (不予采纳) 指定处理结果 (二者选一)"
            )
        override = options["override"]
        if override is not None and override not in OVERRIDES:
            raise CommandError(f"--override: “{override}”无效, 可选: conforming | on_time")
        raw = (options["appeal"] or "").lstrip("#")
        if not raw.isdigit():
            raise CommandError("--appeal: 请指定申诉编号 (数字, 见 gridcase assessment status)")
        appeal = (
            Appeal.objects.select_related("case", "town").filter(pk=int(raw), town=town).first()
        )
        if appeal is None:
            raise CommandError(f"--appeal: {town.name}没有编号为 {raw} 的申诉")
        appeal = appeal_decide(
            appeal=appeal,
            by=resolve_user(options["by"]),
            accept=options["accept"],
            note=options["note"],
            override=override,
        )
        if appeal.status == Appeal.Status.ACCEPTED:
            self._say(f"申诉 #{appeal.pk} 已采纳: {OVERRIDES[appeal.override]}; 已记入事件办理记录")
        else:
            self._say(f"申诉 #{appeal.pk} 不予采纳; 已记入事件办理记录")

    def do_adjust(self, town, options):
        quarter = self._quarter(options)
        if options["amount"] in (None, ""):
            raise CommandError("--amount: 请指定调整金额 (元), 扣减用负数")
        adjustment = adjustment_add(
            town=town,
            officer=resolve_user(options["officer"], "--officer"),
            quarter=quarter,
            amount=options["amount"],
            reason=options["reason"] or "",
            by=resolve_user(options["by"]),
        )
        self._say(
            f"已录入调整: {_who(adjustment.officer)} {adjustment.amount} 元, "
            f"更正 {adjustment.quarter}, 计入 {adjustment.applies_to}"
        )
