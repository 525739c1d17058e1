"""`gridcase serve`: everything a town needs on one machine, on the embedded default.

Applies migrations, builds the demo town on an empty database, starts the background worker
(notifications and schedules) as a child process, and runs the web server. Production runs
the web server under a WSGI server and the worker as its own service (README).
"""

from __future__ import annotations

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gridcase.org.models import Town


class Command(BaseCommand):
    help = "运行系统:迁移数据库、首次运行时建立演示镇、启动后台任务进程和网页服务。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="监听地址 (默认 127.0.0.1:8000)"
        )
        parser.add_argument("--no-demo", action="store_true", help="数据库为空时不建立演示镇")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, addr, no_demo, no_worker, **options):
        self.stdout.write(f"数据目录 (data): {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo and not Town.objects.exists():
            self.stdout.write("首次运行:正在建立演示镇(约一分钟)…")
            call_command("demo", stdout=self.stdout)
        elif not no_demo:
            from gridcase.org.management.commands.demo import print_logins

            print_logins(self.stdout.write)
        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "gridcase.cli", "worker"])
            self.stdout.write(f"后台任务进程已启动 (worker pid {worker.pid})")
        # A plain `kill` stops the worker too (SystemExit runs the `finally` below).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(f"\n请用浏览器打开 http://{addr}/  (按 Ctrl+C 停止)\n")
        try:
            call_command("runserver", addr, use_reloader=False, use_threading=True)
        finally:
            if worker is not None and worker.poll() is None:
                # SIGINT lets the worker finish the sends it has started.
                worker.send_signal(signal.SIGINT)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
