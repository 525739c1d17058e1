"""`gridcase backup [--output DIR] [--tar] [--keep N]`: one backup of the database and the
attachments, with its manifest (see gridcase.core.backup)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridcase.core.backup.create import create_backup
from gridcase.core.backup.folder import BackupError, read_manifest
from gridcase.core.backup.retention import prune


class Command(BaseCommand):
    help = (
        "备份数据库与附件到一个以 UTC 时间命名的目录(或 .tar),附清单(行数与 SHA-256)。"
        " Back up the database and the attachments."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help=f"备份存放目录,默认 GRIDCASE_BACKUP_DIR ({settings.GRIDCASE_BACKUP_DIR})",
        )
        parser.add_argument("--tar", action="store_true", help="打包成一个 .tar 文件")
        parser.add_argument(
            "--keep", type=int, help="完成后只保留该目录中最新的 N 份备份 (delete older ones)"
        )

    def handle(self, *args, output, tar, keep, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep 须为正整数 (at least 1)")
        directory = output or Path(settings.GRIDCASE_BACKUP_DIR)
        try:
            made = create_backup(output=directory, archive=tar)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:  # a full disk, a folder that may not be written
            raise CommandError(f"备份失败: {exc}") from exc
        manifest = read_manifest(made) if made.is_dir() else None
        self.stdout.write(f"备份完成 (backup written): {made}")
        if manifest:
            rows = sum(manifest["tables"].values())
            self.stdout.write(
                f"  数据库 {manifest['database']['vendor']}: {len(manifest['tables'])} 张表,"
                f" {rows} 行; 附件 {len(manifest['attachments'])} 个"
            )
        if keep:
            for gone in prune(made.parent, keep):
                self.stdout.write(f"  已删除旧备份 (pruned): {gone.name}")
