"""Which characters a text may contain: the one home of that rule.

Every text the system stores ends up in XML sooner or later — the XLSX exports, Open311's XML —
and XML 1.0 cannot carry every character: not the C0 controls other than tab, newline and
carriage return, not U+FFFE/U+FFFF, and not a lone surrogate (which UTF-8 cannot even encode).
One such character in one case made the ledger export fail for the whole town. So text is
refused where it enters (forms, the API, the ledger import), and what is already stored is
cleaned where it leaves (`strip_invalid`).

A URL path is stricter: no control character at all (see `has_control`).
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# XML 1.0's Char production, negated: C0 controls except \t \n \r, surrogates, U+FFFE/U+FFFF.
INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# In a URL path not even tab, newline or DEL has a meaning; nothing legitimate contains them.
_URL_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def first_invalid(text: str) -> int | None:
    """The 1-based position of the first character XML cannot carry, or None when all can."""
    match = INVALID_CHARS.search(text)
    return match.start() + 1 if match else None


def strip_invalid(text: str) -> str:
    """The text without the characters XML cannot carry (for exports of stored data)."""
    return INVALID_CHARS.sub("", text)


def has_control(path: str) -> bool:
    """Whether a URL path holds a control or otherwise invalid character."""
    return _URL_CONTROL.search(path) is not None


# Chinese, like every message of the services, the API and the ledger import; the workbench's
# forms show it in the person's language (`check_text`).
MESSAGE = gettext_noop("%(label)s含有不允许的控制字符(第 %(position)s 个字符)")


def invalid_message(label: str, position: int) -> str:
    """The Chinese sentence naming the field (or column) and where the character is."""
    return MESSAGE % {"label": label, "position": position}


def check_text(value: str, label: str) -> None:
    """The validator: ValidationError (code "invalid_chars") naming `label` when `value` holds a
    refused character, in the active language."""
    position = first_invalid(value)
    if position is not None:
        message = _(MESSAGE) % {"label": label, "position": position}
        raise ValidationError(message, code="invalid_chars")


class TextField(forms.CharField):
    """A form's text field under the rule; the workbench's forms use it for every text."""

    def validate(self, value: str | None) -> None:
        super().validate(value)
        if value:
            check_text(value, str(self.label or _("内容")))
