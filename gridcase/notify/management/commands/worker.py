"""`gridcase worker`: the background worker — deliveries, retries and the schedule.

A thin wrapper of Huey's `run_huey`: the same options (`--workers`, `--no-periodic`, …), the
storage chosen by the settings (SQLite file in the data directory by default, Redis when
REDIS_URL is set). `--once` runs one sweep and one scan in this process, then every other
app's sweep (core/housekeeping.py: jobs past their time limit, expired idempotency keys, the
coming months' partitions), and exits (for cron, for checking a deployment, or for tests).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey

from gridcase.core import housekeeping
from gridcase.notify import delivery, schedule


class Command(RunHuey):
    help = (
        "运行后台任务进程:发送通知(含重试)、每10分钟检查期限提醒、每日8点汇总、每晚2:30备份。"
        " Run the background worker (deliveries, retries, deadline warnings, digest, backup)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--once",
            action="store_true",
            help="只执行一次发送与检查后退出 (one sweep and one scan, then exit)",
        )

    def handle(self, *args, **options):
        if options.get("once"):
            return self._once()
        self.stdout.write(f"后台任务进程启动 (worker starting): 队列 {self._where()}")
        # Huey's own log handler only: the root logger would print every line twice.
        logging.getLogger("huey").propagate = False
        return super().handle(*args, **options)

    def _where(self) -> str:
        if settings.REDIS_URL:
            return f"Redis {settings.REDIS_URL.split('@')[-1]} · {settings.HUEY.get('name')}"
        return f"SQLite {settings.HUEY.get('filename')}"

    def _once(self) -> None:
        sent = schedule.scan()
        outcomes = delivery.deliver_due(limit=10_000)
        self.stdout.write(
            f"提醒 (warnings): {dict(sent) or '无'}; 推送 (deliveries): {outcomes or '无'}"
        )
        # The other apps' sweeps (core/housekeeping.py), registered by their tasks modules,
        # which Huey's worker would load at its start.
        autodiscover_modules("tasks")
        for name, outcome in housekeeping.run_all().items():
            self.stdout.write(f"{name}: {outcome}")
