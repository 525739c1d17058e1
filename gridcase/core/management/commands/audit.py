"""`gridcase audit verify`: walk the hash chains of the audit trail and the case timeline."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gridcase.core import append_only, chain

TABLES = {"core_auditentry": "审计记录", "cases_timelineentry": "办理记录"}


def _when(value) -> str:
    return value.isoformat() if value is not None else "—"


class Command(BaseCommand):
    help = "审计:校验审计记录与办理记录的哈希链 (audit trail: verify the hash chains)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, title="子命令")
        sub.add_parser(
            "verify",
            help="逐条校验哈希链,指出第一条不符的记录 (verify; names the first broken row)",
        )

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            self.verify()

    def verify(self) -> None:
        report = chain.verify()
        problems = []
        for table in append_only.tables():
            if not append_only.installed(connection, table):
                problems.append(
                    f"{TABLES.get(table, table)} ({table}): 只可追加的触发器不见了 "
                    "(append-only triggers missing); 运行 gridcase migrate 可重建"
                )
        for b in report.breaks:
            where = f"id {b.row_id}" if b.row_id is not None else "链尾 (chain end)"
            problems.append(
                f"{TABLES.get(b.table, b.table)} ({b.table}) 链 {b.chain} {where} "
                f"时间 {_when(b.at)}: {b.what}\n"
                f"    应为 (expected): {b.expected}\n"
                f"    实为 (found):    {b.found}"
            )
        if problems:
            for problem in problems:
                self.stderr.write("校验失败 (verify failed): " + problem)
            raise CommandError(
                f"哈希链校验未通过:{len(problems)} 处不符,见上。"
                "记录可能被绕过系统直接改动,请从备份核对。"
            )
        parts = [
            f"{TABLES.get(t, t)} {report.rows.get(t, 0)} 条({report.chains.get(t, 0)} 条链)"
            for t in append_only.tables()
        ]
        self.stdout.write("哈希链校验通过 (audit verify OK): " + ";".join(parts))
