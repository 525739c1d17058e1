"""`gridcase import-cases FILE --town NAME [--create-missing] [--dry-run]`: a thin front."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gridcase.cases.errors import Conflict
from gridcase.ledger.services import LedgerError, import_ledger


class Command(BaseCommand):
    help = (
        "导入事件台账 (CSV UTF-8、XLSX 或 JSON Lines);任一行无法导入则全部不导入。"
        " Import a case ledger; nothing is imported unless every row is readable."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件 (.csv / .xlsx / .jsonl)")
        parser.add_argument("--town", required=True, help="镇名,如 长塘镇")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="自动创建不存在的镇、行政村、网格专管员 (create unknown town/villages/officers)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告,不写入任何数据 (change nothing)"
        )

    def handle(self, *args, **options):
        try:
            report = import_ledger(
                path_or_file=options["file"],
                town_name=options["town"],
                create_missing=options["create_missing"],
                dry_run=options["dry_run"],
            )
        except (LedgerError, Conflict) as exc:
            raise CommandError(str(exc), returncode=1) from None
        if not report.ok:
            self.stderr.write("\n".join(report.lines()))
            raise CommandError(
                f"未导入: {len(report.problems)} 行无法导入 (nothing imported)", returncode=1
            )
        self.stdout.write("\n".join(report.lines()))
