"""Read and write gettext .po catalogues, and read compiled .mo ones: the few shapes that
`makemessages --no-wrap` writes (context, plurals, multi-line strings, flags, obsolete
entries), so that fill_en.py and the catalogue's tests need no gettext tools and no
third-party library.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_UNESCAPE = re.compile(r"\\(.)")
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$')
_CONTINUATION = re.compile(r'^"(.*)"$')
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\t", "\\t")
        .replace("\r", "\\r")
    )


@dataclass
class Entry:
    """One message. `comments` are its '#' lines other than the flags, verbatim; `raw` is the
    block as read, written back unchanged unless the entry was changed."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    obsolete: bool = False
    raw: str = ""
    changed: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None and not self.obsolete

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def key(self) -> str:
        """The key of the compiled catalogue (gettext's context separator is \\x04)."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def render(self) -> str:
        if not self.changed:
            return self.raw
        lines = [c for c in self.comments if not c.startswith("#|") or self.fuzzy]
        if self.flags:
            lines.insert(_flags_at(lines), "#, " + ", ".join(self.flags))
        if self.msgctxt is not None:
            lines += _string("msgctxt", self.msgctxt)
        lines += _string("msgid", self.msgid)
        if self.msgid_plural is not None:
            lines += _string("msgid_plural", self.msgid_plural)
            for i, form in enumerate(self.msgstr):
                lines += _string(f"msgstr[{i}]", form)
        else:
            lines += _string("msgstr", self.msgstr[0] if self.msgstr else "")
        return "\n".join(lines)


def _flags_at(comments: list[str]) -> int:
    """Flags follow the translator's, extracted and reference comments, as gettext puts them."""
    at = 0
    for i, line in enumerate(comments):
        if line.startswith(("# ", "#.", "#:")) or line == "#":
            at = i + 1
    return at


def _string(keyword: str, text: str) -> list[str]:
    # As gettext writes with --no-wrap: one line, unless a line break is inside the text.
    if "\n" not in text.rstrip("\n") or text == "":
        return [f'{keyword} "{escape(text)}"']
    parts = text.split("\n")
    chunks = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return [f'{keyword} ""'] + [f'"{escape(c)}"' for c in chunks]


def parse(text: str) -> list[Entry]:
    entries = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        if block.strip():
            entries.append(_parse_block(block))
    return entries


def _parse_block(block: str) -> Entry:
    entry = Entry(raw=block)
    current: tuple[str, int | None] | None = None
    for line in block.split("\n"):
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].lstrip()
            if line.startswith("|"):
                continue
        elif line.startswith("#,"):
            entry.flags += [f.strip() for f in line[2:].split(",") if f.strip()]
            continue
        elif line.startswith("#"):
            entry.comments.append(line)
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, value = match.groups()
            current = (keyword.split("[")[0], int(index) if index is not None else None)
            _append(entry, current, unescape(value), start=True)
            continue
        match = _CONTINUATION.match(line)
        if match and current is not None:
            _append(entry, current, unescape(match.group(1)), start=False)
            continue
        raise ValueError(f"a line of a .po file not understood: {line!r}")
    return entry


def _append(entry: Entry, current: tuple[str, int | None], value: str, *, start: bool) -> None:
    keyword, index = current
    if keyword == "msgstr":
        i = index or 0
        while len(entry.msgstr) <= i:
            entry.msgstr.append("")
        entry.msgstr[i] += value
    else:
        attr = keyword
        before = getattr(entry, attr)
        setattr(entry, attr, value if start or before is None else before + value)


def render(entries: list[Entry]) -> str:
    return "\n\n".join(e.render() for e in entries) + "\n"


def read(path: Path) -> list[Entry]:
    return parse(path.read_text(encoding="utf-8"))


def messages(entries: list[Entry]) -> list[Entry]:
    """The messages to translate: not the header, not the obsolete ones."""
    return [e for e in entries if not e.is_header and not e.obsolete]


def compiled(entries: list[Entry]) -> dict[str | tuple[str, int], str]:
    """What a compiled catalogue of these entries holds, as gettext reads it back: the
    translated, non-fuzzy messages (plural forms keyed by (msgid, n))."""
    catalog: dict[str | tuple[str, int], str] = {}
    for e in messages(entries):
        if e.fuzzy or not any(e.msgstr):
            continue
        if e.msgid_plural is None:
            catalog[e.key] = e.msgstr[0]
        else:
            for i, form in enumerate(e.msgstr):
                catalog[(e.key, i)] = form
    return catalog


def read_mo(path: Path) -> dict[str | tuple[str, int], str]:
    """The messages of a compiled catalogue (without its header), read by the standard
    library's gettext."""
    with path.open("rb") as f:
        catalog = dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)
    return catalog


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text)}
