"""`gridcase serve` runs what a town runs: gunicorn with debug off, the worker beside it, static
files from the app, no /media/ URL, a secret key of its own — and stops both children."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def test_serve_runs_gunicorn_and_the_worker_with_debug_off(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDCASE_")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["GRIDCASE_DATA_DIR"] = str(tmp_path)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "gridcase.cli", "serve", "--no-demo", "--workers", "1"]
            + ["--addr", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                status, _, _ = get(f"{base}/accounts/login/")
                break
            except OSError:
                assert serve.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        assert status == 200
        # Static files come from the app itself (collected into the data directory).
        status, css, headers = get(f"{base}/static/web/workbench.css")
        assert status == 200 and ".topbar" in css
        assert (tmp_path / "static" / "web" / "workbench.css").exists()
        status, _, _ = get(f"{base}/static/admin/css/base.css")
        assert status == 200
        # Debug is off: a wrong address is the Chinese page, with the security headers.
        status, html, headers = get(f"{base}/no-such-page/")
        assert status == 404
        assert "找不到页面" in html and "URLconf" not in html
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        status, _, _ = get(f"{base}/media/cases/x.png")
        assert status == 404
        # The key was made on first start, readable by its owner only.
        key = tmp_path / "secret_key"
        assert key.stat().st_mode & 0o777 == 0o600
        text = log.read_text()
        assert "development server" not in text.lower()
        assert "gunicorn" in text.lower()
        worker_pid = int(re.search(r"worker pid (\d+)", text).group(1))
        web_pid = int(re.search(r"gunicorn pid (\d+)", text).group(1))
        assert alive(worker_pid) and alive(web_pid)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
    assert not alive(worker_pid) and not alive(web_pid), log.read_text()
