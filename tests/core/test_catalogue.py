"""The English catalogue is complete (issue 14): every message of the sources has its English,
in every plural form, with the Chinese's placeholders, none a fuzzy guess; the .po file is what
makemessages and fill_en.py make of the sources today, and the compiled .mo is that .po.

The commands that make them are in gridcase/locale/fill_en.py's docstring."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gridcase
from gridcase.locale import po

ROOT = Path(gridcase.__file__).resolve().parent.parent
PO = ROOT / "gridcase" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
MAKE = "makemessages -l en --no-wrap --ignore=.venv --ignore=tests --ignore=bench --ignore=var"
FIX = (
    f"run in the repository: .venv/bin/python manage.py {MAKE} && "
    ".venv/bin/python gridcase/locale/fill_en.py && "
    ".venv/bin/python manage.py compilemessages -l en --ignore=.venv"
)


def fill_en():
    spec = importlib.util.spec_from_file_location("fill_en", PO.parents[2] / "fill_en.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def describe(entry: po.Entry) -> str:
    where = next((c[3:] for c in entry.comments if c.startswith("#:")), "?")
    return f"{entry.msgid!r} ({where})"


def test_every_message_has_its_english():
    problems = []
    for entry in po.messages(po.read(PO)):
        forms = 1 if entry.msgid_plural is None else 2
        if entry.fuzzy:
            problems.append(f"fuzzy: {describe(entry)}")
        if len(entry.msgstr) != forms or not all(s.strip() for s in entry.msgstr):
            problems.append(f"untranslated: {describe(entry)} -> {entry.msgstr}")
        wanted = po.placeholders(entry.msgid) | po.placeholders(entry.msgid_plural or "")
        for form in entry.msgstr:
            if form and po.placeholders(form) != wanted:
                problems.append(f"placeholders differ: {describe(entry)} -> {form!r}")
    assert not problems, "\n".join(problems + [FIX])


def test_the_compiled_catalogue_is_the_po_file():
    assert po.read_mo(MO) == po.compiled(po.read(PO)), f"django.mo is older than django.po: {FIX}"


def test_fill_en_fills_plurals_and_clears_only_the_fuzzy_flags_it_replaces():
    entries = po.parse(
        "\n\n".join(
            [
                'msgid ""\nmsgstr ""\n"Language: \\n"',
                '#: a.html:1\n#, fuzzy, python-format\n#| msgid "%(d)s 天"\n'
                'msgid "%(n)s 人"\nmsgid_plural "%(n)s 人"\n'
                'msgstr[0] "%(d)s days"\nmsgstr[1] "%(d)s days"',
                '#, fuzzy\nmsgid "没有英文"\nmsgstr "A guess"',
                'msgid ""\n"两行\\n"\n"文字"\nmsgstr ""',
                'msgid "占位 %(x)s"\nmsgstr ""',
            ]
        )
    )
    table = {
        "%(n)s 人": ("%(n)s person", "%(n)s people"),
        "两行\n文字": "Two\nlines",
        "占位 %(x)s": "Placeholder",
    }
    problems = fill_en().fill(entries, table)
    assert problems == [
        "no English: '没有英文'",
        "placeholders differ: '占位 %(x)s' -> 'Placeholder'",
    ]
    text = po.render(entries)
    assert '"Language: en\\n"' in text
    assert (
        '#: a.html:1\n#, python-format\nmsgid "%(n)s 人"\nmsgid_plural "%(n)s 人"\n'
        'msgstr[0] "%(n)s person"\nmsgstr[1] "%(n)s people"' in text
    )
    assert '#, fuzzy\nmsgid "没有英文"\nmsgstr "A guess"' in text  # not filled: still fuzzy
    assert 'msgid ""\n"两行\\n"\n"文字"\nmsgstr ""\n"Two\\n"\n"lines"' in text
    assert po.render(po.parse(text)) == text


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (xgettext, msgmerge)")
def test_the_po_file_is_up_to_date_with_the_sources(tmp_path):
    """makemessages and fill_en.py, run on a copy of the sources, give the .po file's messages
    and translations (a few seconds)."""
    shutil.copytree(
        ROOT / "gridcase",
        tmp_path / "gridcase",
        ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"),
    )
    shutil.copy(ROOT / "manage.py", tmp_path)
    copy = tmp_path / "gridcase" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    make = subprocess.run(
        [sys.executable, "manage.py", *MAKE.split()], cwd=tmp_path, capture_output=True, text=True
    )
    assert make.returncode == 0, make.stderr
    fill = subprocess.run(
        [sys.executable, str(copy.parents[2] / "fill_en.py")], capture_output=True, text=True
    )

    def messages(path: Path) -> dict[tuple[str | None, str, str | None], list[str]]:
        return {(e.msgctxt, e.msgid, e.msgid_plural): e.msgstr for e in po.messages(po.read(path))}

    made, kept = messages(copy), messages(PO)
    missing = sorted(k[1] for k in made.keys() - kept.keys())
    stale = sorted(k[1] for k in kept.keys() - made.keys())
    changed = sorted(k[1] for k in made.keys() & kept.keys() if made[k] != kept[k])
    assert not (missing or stale or changed), (
        f"messages of the sources missing from django.po: {missing}\n"
        f"messages of django.po no longer in the sources: {stale}\n"
        f"messages whose English in fill_en.py differs from django.po: {changed}\n"
        f"{fill.stderr}{FIX}"
    )
