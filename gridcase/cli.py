"""`gridcase …`: the command line, a thin front on Django management commands."""

from __future__ import annotations

import os
import sys

# name shown to users -> (management command, one-line description)
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("serve", "运行系统:迁移数据库、载入演示镇、启动网页与后台任务 (run the system)"),
    "demo": ("demo", "建立或刷新演示镇及其事件,并打印演示账号 (build the demo town)"),
    "deadline": ("deadline", "按工作日计算期限 (working-day deadline arithmetic)"),
    "calendar": ("calendar", "查看节假日安排与缺失年份提示 (working calendar, missing years)"),
    "import-cases": ("import_cases", "导入事件台账 CSV/XLSX/JSONL (import a case ledger)"),
    "boundaries": ("boundaries", "导入行政村与网格边界 GeoJSON/KML (import boundaries)"),
    "assess": ("assess", "计算网格专管员月度/季度考核 (assess officers' pay)"),
    "assessment": ("assessment", "季度考核流程:定稿、审批、申诉、调整 (the quarter's life)"),
    "policy": ("policy", "上传、校验、查看考核策略 (assessment policy versions)"),
    "audit": ("audit", "审计:audit verify 校验审计记录与办理记录的哈希链 (verify the audit trail)"),
    "worker": ("worker", "运行后台任务进程与定时任务 (background worker)"),
    "backup": ("backup", "备份数据库与附件,附清单与校验值 (back up the database and files)"),
    "restore": ("restore", "从备份恢复数据库与附件,先校验 (restore a backup)"),
    "migrate": ("migrate", "迁移数据库结构 (apply database migrations)"),
    "collectstatic": (
        "collectstatic",
        "收集静态文件到数据目录,由本系统的网页服务提供 (collect static files)",
    ),
    "createsuperuser": ("createsuperuser", "创建系统超级管理员 (create a superuser)"),
    "check": ("check", "检查配置;加 --deploy 检查生产配置 (system checks)"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        "用法 (usage): gridcase <命令> [选项]    每个命令加 --help 查看其选项",
        "",
        "命令 (commands):",
    ]
    lines += [f"  {name.ljust(width)}  {desc}" for name, (_, desc) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"未知命令 (unknown command): {name}\n\n{usage()}", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gridcase", COMMANDS[name][0], *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
