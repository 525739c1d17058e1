"""Sentences that are stored and exported in Chinese and shown to people in their language.

The pay rules, the month's arithmetic and the duplicate check explain themselves in words
(assessment.md, integrity.md). The machines' copies — the JSON of ``gridcase assess`` and
``gridcase suspects``, the payroll workbook, a finalised quarter's snapshot, the API — carry the
Chinese exactly as written. A page carries them in the reader's language. So a sentence is kept
as a message id (the Chinese, marked with ``gettext_noop`` where it is written, so that
makemessages finds it) and its arguments, and rendered at the edge:

- ``text.zh`` — the Chinese (the message id with its arguments put in): what is stored;
- ``str(text)`` — the reader's language (Django's active language), as ``gettext_lazy``'s
  strings do: what a template shows;
- ``text.dump()`` / ``load()`` — a plain JSON value, for a snapshot.

An argument is a plain string (a date, a number, a case number, what someone typed: never
translated), another ``Text`` (a word of the catalogue such as a category's name), or a
``Joined`` list (the parts with a separator, "、" in Chinese and ", " in English).
Pure: no database, no settings; Django's ``gettext`` is asked only by ``str()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from django.utils.translation import gettext_noop as _noop

Arg = Union[str, "Text", "Joined"]
Translate = Callable[[str], str]

# The separators of lists in a sentence. "; " and " + " read the same in both languages and
# are not translated; the Chinese enumeration comma is, and so are the comma and semicolon the
# month's arithmetic writes without a space after them.
LIST = _noop("、")
COMMA = _noop(",")
SEMICOLON = _noop(";")


def chinese(msgid: str) -> str:
    """The "translation" into Chinese: the message id itself (Chinese is the source)."""
    return msgid


def _active(msgid: str) -> str:
    from django.utils.translation import gettext

    return gettext(msgid)


@dataclass(frozen=True)
class Text:
    """A message id (Chinese, with ``%(name)s`` placeholders) and its arguments."""

    msgid: str
    args: tuple[tuple[str, Arg], ...] = ()

    @classmethod
    def of(cls, msgid: str, **args: Arg | int) -> Text:
        """``Text.of(_noop("四.3: 未在 %(due)s 前结案或上报"), due="2026-10-19")``."""
        values = {k: v if isinstance(v, str | Text | Joined) else str(v) for k, v in args.items()}
        return cls(msgid, tuple(values.items()))

    def render(self, translate: Translate = chinese) -> str:
        if not self.msgid:  # gettext("") is the catalogue's header, not a sentence
            return ""
        template = translate(self.msgid)
        if not self.args:
            return template
        return template % {name: render(value, translate) for name, value in self.args}

    @property
    def zh(self) -> str:
        return self.render(chinese)

    def __str__(self) -> str:
        return self.render(_active)

    def dump(self) -> dict[str, Any]:
        return {"id": self.msgid, "args": {name: dump(value) for name, value in self.args}}


@dataclass(frozen=True)
class Joined:
    """Parts shown one after the other with a separator (itself a message id when it is
    Chinese punctuation, such as ``LIST``)."""

    parts: tuple[Arg, ...]
    sep: str = "; "

    def render(self, translate: Translate = chinese) -> str:
        sep = translate(self.sep) if self.sep else ""  # gettext("") is the header
        return sep.join(render(part, translate) for part in self.parts)

    @property
    def zh(self) -> str:
        return self.render(chinese)

    def __str__(self) -> str:
        return self.render(_active)

    def dump(self) -> dict[str, Any]:
        return {"sep": self.sep, "parts": [dump(part) for part in self.parts]}


Words = Text | Joined


def render(value: Arg, translate: Translate = chinese) -> str:
    return value if isinstance(value, str) else value.render(translate)


def dump(value: Arg) -> Any:
    return value if isinstance(value, str) else value.dump()


def load(data: Any) -> Arg:
    """The inverse of ``dump``; refuses what no ``dump`` wrote (a damaged snapshot)."""
    if isinstance(data, str):
        return data
    if isinstance(data, Mapping) and isinstance(data.get("id"), str):
        args = data.get("args") or {}
        return Text(data["id"], tuple((str(k), load(v)) for k, v in args.items()))
    if isinstance(data, Mapping) and isinstance(data.get("sep"), str):
        return Joined(tuple(load(p) for p in data.get("parts") or ()), data["sep"])
    raise ValueError(f"not a stored sentence: {data!r}")


def load_words(data: Any) -> Words:
    """A stored sentence (``Text`` or ``Joined``) from its ``dump``."""
    value = load(data)
    if isinstance(value, str):
        raise ValueError(f"not a stored sentence: {data!r}")
    return value


def joined(parts: Iterable[Arg], sep: str = "; ") -> Joined:
    return Joined(tuple(parts), sep)


def term(word: str) -> Text:
    """A word that the catalogue translates (a category's or an element's Chinese name); a
    word it does not know is shown as it is."""
    return Text(word)
