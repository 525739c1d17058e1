"""`gridcase restore <backup> [--force]`: put a backup back into the configured database and
attachments folder. Stop `gridcase serve` and the worker first."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridcase.core.backup.folder import BackupError
from gridcase.core.backup.restore import restore


class Command(BaseCommand):
    help = (
        "从备份恢复数据库与附件:先校验清单中的 SHA-256,恢复后核对各表行数。"
        "恢复前请停止 serve 与 worker。 Restore a backup (stop the app first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="备份目录或 .tar 文件")
        parser.add_argument(
            "--force", action="store_true", help="目标数据库已有数据时仍然覆盖 (overwrite)"
        )

    def handle(self, *args, backup: Path, force: bool, **options):
        try:
            manifest = restore(backup, force=force)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:  # a full disk, a folder that may not be written
            raise CommandError(f"恢复失败: {exc}") from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"恢复完成 (restored) {backup}: 备份时间 {manifest['created_at']},"
            f" {len(manifest['tables'])} 张表 {rows} 行,附件 {len(manifest['attachments'])} 个,"
            " 行数与清单一致。"
        )
