"""The README's configuration table names every environment variable the settings read."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def variables_read_by_settings() -> set[str]:
    """Names passed to os.environ.get / os.getenv / env_*(…) or looked up as os.environ[…] or
    tested with `in os.environ` in gridcase/settings.py."""
    tree = ast.parse((ROOT / "gridcase" / "settings.py").read_text())
    names: set[str] = set()

    def is_environ(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "environ"

    def constant(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    for node in ast.walk(tree):
        found = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            reads = (
                (isinstance(func, ast.Attribute) and func.attr == "get" and is_environ(func.value))
                or (isinstance(func, ast.Attribute) and func.attr == "getenv")
                or (isinstance(func, ast.Name) and func.id.startswith("env_"))
            )
            if reads:
                found = constant(node.args[0])
        elif isinstance(node, ast.Subscript) and is_environ(node.value):
            found = constant(node.slice)
        elif isinstance(node, ast.Compare) and any(is_environ(c) for c in node.comparators):
            found = constant(node.left)
        if found and NAME.match(found):
            names.add(found)
    return names


def variables_in_readme_table() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


def test_the_parser_finds_the_variables_it_should():
    found = variables_read_by_settings()
    # One of each way the settings read a variable: a guard that the parser still sees them.
    assert {"GRIDCASE_DEBUG", "DATABASE_URL", "GRIDCASE_TEST_DB_NAME", "REDIS_URL"} <= found
    assert "GRIDCASE_EMAIL_BACKEND" in found  # a call spread over several lines


def test_every_environment_variable_of_the_settings_is_in_the_readme_table():
    missing = variables_read_by_settings() - variables_in_readme_table()
    assert not missing, f"add to README's configuration table: {sorted(missing)}"
