"""Production settings pass Django's deployment checks; bad settings stop the start clearly."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env) -> subprocess.CompletedProcess:
    # A clean environment: browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves.
    dropped = ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("GRIDCASE_") and k not in dropped
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        GRIDCASE_DEBUG="0",
        GRIDCASE_SECRET_KEY=secrets.token_urlsafe(50),
        GRIDCASE_ALLOWED_HOSTS="gridcase.example.gov.cn",
        GRIDCASE_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = manage("check", GRIDCASE_DEBUG="0", GRIDCASE_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "GRIDCASE_SECRET_KEY" in result.stderr


def test_a_malformed_switch_is_named(tmp_path):
    result = manage("check", GRIDCASE_DEBUG="maybe", GRIDCASE_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "GRIDCASE_DEBUG" in result.stderr
