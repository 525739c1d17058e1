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
    # The README's production configuration: an https:// site behind a reverse proxy.
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        GRIDCASE_SECRET_KEY=secrets.token_urlsafe(50),
        GRIDCASE_ALLOWED_HOSTS="gridcase.example.gov.cn",
        GRIDCASE_SITE_URL="https://gridcase.example.gov.cn",
        GRIDCASE_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_generated_secret_key_also_passes_the_deployment_checks(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        GRIDCASE_ALLOWED_HOSTS="gridcase.example.gov.cn",
        GRIDCASE_SITE_URL="https://gridcase.example.gov.cn",
        GRIDCASE_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout


def setting(name: str, **env) -> str:
    result = manage(
        "shell", "-c", f"from django.conf import settings; print(settings.{name})", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_without_a_secret_key_one_is_made_in_the_data_directory_and_kept(tmp_path):
    first = setting("SECRET_KEY", GRIDCASE_DATA_DIR=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert setting("SECRET_KEY", GRIDCASE_DATA_DIR=str(tmp_path)) == first
    # Another data directory, another key.
    assert setting("SECRET_KEY", GRIDCASE_DATA_DIR=str(tmp_path / "other")) != first


def test_a_given_secret_key_wins_and_nothing_is_written(tmp_path):
    key = secrets.token_urlsafe(50)
    assert setting("SECRET_KEY", GRIDCASE_SECRET_KEY=key, GRIDCASE_DATA_DIR=str(tmp_path)) == key
    assert not (tmp_path / "secret_key").exists()


def test_debug_is_off_unless_asked_for(tmp_path):
    assert setting("DEBUG", GRIDCASE_DATA_DIR=str(tmp_path)) == "False"
    assert setting("DEBUG", GRIDCASE_DEBUG="1", GRIDCASE_DATA_DIR=str(tmp_path)) == "True"


def test_https_settings_follow_the_site_address_not_debug(tmp_path):
    # http://127.0.0.1:8000 on a bare machine: secure-only cookies would lock the user out.
    local = {"GRIDCASE_DATA_DIR": str(tmp_path)}
    assert setting("SESSION_COOKIE_SECURE", **local) == "False"
    assert setting("SECURE_SSL_REDIRECT", **local) == "False"
    https = local | {"GRIDCASE_SITE_URL": "https://gridcase.example.gov.cn"}
    assert setting("SESSION_COOKIE_SECURE", **https) == "True"
    assert setting("CSRF_COOKIE_SECURE", **https) == "True"
    assert setting("SECURE_HSTS_SECONDS", **https) == "31536000"
    assert setting("SECURE_PROXY_SSL_HEADER", **https) == "('HTTP_X_FORWARDED_PROTO', 'https')"
    # Said outright, whatever the address.
    assert setting("SESSION_COOKIE_SECURE", GRIDCASE_HTTPS="1", **local) == "True"
    assert setting("SESSION_COOKIE_SECURE", GRIDCASE_HTTPS="0", **https) == "False"


def test_a_malformed_switch_is_named(tmp_path):
    result = manage("check", GRIDCASE_DEBUG="maybe", GRIDCASE_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "GRIDCASE_DEBUG" in result.stderr
