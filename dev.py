#!/usr/bin/env python3
"""The two commands of the README, on a bare machine with only Python 3.11+.

    python3 dev.py run    set up, then run the system on SQLite with the demo town
    python3 dev.py test   set up, check (ruff, the layers with import-linter, mypy on the pure
                          modules), then run every test (SQLite; again on PostgreSQL if
                          DATABASE_URL is set, with the clock at 03:30 China time)

Setting up means: a virtual environment in .venv with gridcase and its test tools installed,
reinstalled only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".gridcase-installed"


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before the venv exists
        sys.exit("gridcase needs Python 3.11 or newer")
    if not PY.exists():
        print("== creating .venv", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("== installing gridcase and its dependencies into .venv", flush=True)
    run([str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    run([str(PY), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"])
    STAMP.write_text(wanted)


def run(cmd: list[str], env: dict | None = None) -> None:
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def cmd_run(args: list[str]) -> None:
    setup()
    os.execv(str(PY), [str(PY), "-m", "gridcase.cli", "serve", *args])


def cmd_test(args: list[str]) -> None:
    setup()
    env = dict(os.environ)
    database_url = env.pop("DATABASE_URL", "")
    print("== ruff", flush=True)
    run([str(PY), "-m", "ruff", "check", "."])
    run([str(PY), "-m", "ruff", "format", "--check", "."])
    print("== import-linter (the layers, pyproject.toml)", flush=True)
    # No cache: it would be one more directory in the worktree, and the check takes a second.
    run([str(BIN / "lint-imports"), "--no-cache"])
    print("== mypy, strict, on the pure modules (pyproject.toml)", flush=True)
    run([str(PY), "-m", "mypy"])
    print("== tests on SQLite", flush=True)
    run([str(PY), "-m", "pytest", *args], env=env)
    if database_url:
        # This pass starts the clock at 03:30 China time, inside the towns' quiet hours, so a
        # test that reads the wall clock instead of freezing it fails at any hour (conftest).
        print("== tests on PostgreSQL, clock at 03:30 China time", flush=True)
        run(
            [str(PY), "-m", "pytest", *args],
            env=env | {"DATABASE_URL": database_url, "GRIDCASE_TEST_CLOCK": "03:30"},
        )
    else:
        print("== DATABASE_URL is not set: the PostgreSQL run was skipped", flush=True)


def main() -> None:
    commands = {"run": cmd_run, "test": cmd_test, "setup": lambda _: setup()}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
