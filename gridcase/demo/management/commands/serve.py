"""`gridcase serve`: everything a town needs on one machine.

Applies migrations, builds the demo town on an empty database, collects the static files into
the data directory (the app serves them itself, through WhiteNoise), then runs two children in
this process group: the web server (gunicorn, a production WSGI server) and the background
worker (notifications and schedules). When either stops, or this command is told to stop
(Ctrl+C, `kill`), both are stopped.

Debug is off unless asked for with `--dev` (or GRIDCASE_DEBUG=1): what the README's first
command runs is what a town runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gridcase.org.models import Town

from .demo import print_logins

# A worker process serves this many requests at once (threads); exports and imports can take
# a while, hence the generous timeout before gunicorn restarts a worker that seems stuck.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4
REQUEST_TIMEOUT_SECONDS = 120
STOP_WAIT_SECONDS = 20


def gunicorn_command(*, addr: str, workers: int, threads: int, dev: bool) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "gridcase.wsgi:application",
        "--bind",
        addr,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        str(REQUEST_TIMEOUT_SECONDS),
        "--access-logfile",
        "-",
        # Its control socket would sit in the home directory, shared by every instance.
        "--no-control-socket",
    ]
    if dev:
        command.append("--reload")
    return command


class Command(BaseCommand):
    help = "运行系统:迁移数据库、首次运行时建立演示镇、启动网页服务(gunicorn)和后台任务进程。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="监听地址 (默认 127.0.0.1:8000)"
        )
        parser.add_argument("--no-demo", action="store_true", help="数据库为空时不建立演示镇")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")
        parser.add_argument(
            "--dev",
            action="store_true",
            help="开发模式:打开调试(显示 Django 的调试页面),代码改动后自动重启网页进程",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help=f"网页服务的进程数 (默认 {DEFAULT_WORKERS})",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help=f"每个网页进程的线程数 (默认 {DEFAULT_THREADS})",
        )

    def handle(self, *args, addr, no_demo, no_worker, dev, workers, threads, **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers 和 --threads 必须是正整数")
        self.stdout.write(f"数据目录 (data): {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo and not Town.objects.exists():
            self.stdout.write("首次运行:正在建立演示镇(约一分钟)…")
            call_command("demo", stdout=self.stdout)
        elif not no_demo:
            print_logins(self.stdout.write)
        call_command("collectstatic", interactive=False, verbosity=0)

        # The children read the same data directory and, with --dev, debug on.
        env = dict(os.environ)
        env["GRIDCASE_DATA_DIR"] = str(settings.DATA_DIR)
        env.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings")
        if dev:
            env["GRIDCASE_DEBUG"] = "1"
        children: dict[str, subprocess.Popen] = {}
        # A plain `kill`, or closing the terminal, stops the children too (SystemExit runs the
        # `finally` below); gunicorn alone would take a hang-up as "reload" and outlive us.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.signal(signal.SIGHUP, lambda *_: sys.exit(0))
        try:
            if not no_worker:
                worker = subprocess.Popen([sys.executable, "-m", "gridcase.cli", "worker"], env=env)
                children["worker"] = worker
                self.stdout.write(f"后台任务进程已启动 (worker pid {worker.pid})")
            web = subprocess.Popen(
                gunicorn_command(addr=addr, workers=workers, threads=threads, dev=dev), env=env
            )
            children["web"] = web
            mode = "开发模式,调试已打开" if dev or settings.DEBUG else "调试已关闭"
            self.stdout.write(
                f"网页服务已启动 (gunicorn pid {web.pid}, {mode})\n"
                f"\n请用浏览器打开 http://{addr}/  (按 Ctrl+C 停止)\n"
            )
            self.stdout.flush()
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            labels = {"web": "网页服务 (gunicorn)", "worker": "后台任务进程 (worker)"}
            stopped = [labels[name] for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"{'、'.join(stopped)}已退出,正在停止其余进程")
            return_code = children["web"].poll()
            if return_code:
                raise CommandError(f"网页服务退出,返回码 {return_code}", returncode=return_code)
        except KeyboardInterrupt:
            pass
        finally:
            stop(children)


def stop(children: dict[str, subprocess.Popen]) -> None:
    """SIGINT lets the worker finish the sends it has started; gunicorn stops gracefully on
    SIGTERM. Whatever is still running after the wait is killed."""
    for name, child in children.items():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM if name == "web" else signal.SIGINT)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
