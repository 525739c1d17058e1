"""The rows of an officer's statement: one per case, written here rather than by the template.

A busy officer of a big town has thousands of cases in a quarter, and the template language
spent some 0.2 ms a row resolving, escaping and branching over its dozen variables: 1.7 s of
a statement of 8,000 cases, the leader's page four times its target (issue 15). Here a row
is a few string joins; the cells that depend only on the case's category, status, amount and
reason (the same few combinations over and over) are written once per page. The markup is the
one the template wrote, every value escaped as it escaped them; the appeal's form is written
only on the officer's own statement, for the cases they may still appeal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from functools import cached_property
from html import escape

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from gridcase.assessment import exports
from gridcase.assessment.models import Appeal

from .common import APPEAL_WORDS, yuan

# What `reverse` leaves as it is in a path: a case number made only of these is put into the
# case page's path as it is (a number from an imported ledger may hold anything: reversed).
_AS_IS = re.compile(r"[A-Za-z0-9_.~-]+")


def _link(name: str) -> Callable[[str], str]:
    """The address of the URL `name` for a case number, without resolving the pattern again
    for each of an officer's thousands of cases."""
    head, tail = reverse(name, args=["0"]).rsplit("0", 1)

    def link(number: str) -> str:
        if _AS_IS.fullmatch(number):
            return f"{head}{number}{tail}"
        return reverse(name, args=[number])

    return link


class StatementRows:
    """The case rows of one statement page, in the reader's language (the page's)."""

    def __init__(
        self,
        request: HttpRequest,
        *,
        query: str,
        period: str,
        appeals: dict[str, Appeal],
        may_appeal: bool,
        refused: tuple[str, str, list[str]] | None,
        reason_max_length: int | None,
    ):
        self.request = request
        self.query = query
        self.period = period
        self.appeals = appeals
        self.may_appeal = may_appeal  # the officer's own statement of a quarter still open
        self.refused = refused
        self.reason_max_length = reason_max_length
        self.case_url = _link("web:case_detail")
        self.appeal_url = _link("assess:appeal_file")
        # The same few words, reasons and cells, over and over: each made once per page.
        self.said = functools.cache(gettext)
        self.reason = functools.cache(str)
        self.cells = functools.cache(self._cells)
        # Escaped here, so marked safe for the template's header too.
        self.labels = [
            mark_safe(escape(w))  # noqa: S308
            for w in (_("编号"), _("类别"), _("状态"), _("金额"), _("原因"), _("申诉"))
        ]

    @cached_property
    def csrf_input(self) -> str:
        # Asked only when a form is written, as the template's {% csrf_token %} asked it.
        token = escape(get_token(self.request))
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'

    def month(self, cases: Iterable) -> SafeString:
        """The rows of a month's cases (assessment results' CaseResult), as one safe string."""
        return mark_safe("".join(self.row(case) for case in cases))  # noqa: S308 (escaped)

    def row(self, case) -> str:
        number = escape(case.case_no)
        appeal = self.appeals.get(case.case_no)
        cells = self.cells(case.category, case.status, case.amount, self.reason(case.shown))
        return (
            f'<tr id="case-{number}"><td data-label="{self.labels[0]}" class="nowrap">'
            f'<a href="{escape(self.case_url(case.case_no))}">{number}</a></td>'
            f'{cells}<td data-label="{self.labels[5]}" class="small">'
            f"{self._appeal_cell(case.case_no, number, appeal)}</td></tr>"
        )

    def _cells(self, category: str, status: str, amount, reason: str) -> str:
        labels, said = self.labels, self.said
        status_word = said(exports.STATUS_LABELS.get(status, status))
        return (
            f'<td data-label="{labels[1]}">{escape(said(exports.category_label(category)))}</td>'
            f'<td data-label="{labels[2]}"><span class="badge status-{escape(status)}">'
            f"{escape(status_word)}</span></td>"
            f'<td data-label="{labels[3]}" class="nowrap">{escape(yuan(amount))}</td>'
            f'<td data-label="{labels[4]}" class="small">{escape(reason or "—")}</td>'
        )

    def _appeal_cell(self, case_no: str, number: str, appeal: Appeal | None) -> str:
        out = ""
        if appeal:
            out = f'<span class="badge">{escape(str(APPEAL_WORDS.get(appeal.status, "")))}</span>'
            if appeal.status != Appeal.Status.PENDING and appeal.decision_note:
                out += f"<div>{escape(appeal.decision_note)}</div>"
        if self.may_appeal and not (appeal and appeal.status == Appeal.Status.PENDING):
            return out + self._form(case_no, number, again=appeal is not None)
        if not appeal:
            out += '<span class="muted">—</span>'
        return out

    def _form(self, case_no: str, number: str, *, again: bool) -> str:
        """The appeal's form of one case, open with the reason as typed and the problems next
        to it when this case's appeal was just refused."""
        typed, errors = "", []
        if self.refused is not None and self.refused[0] == case_no:
            typed, errors = self.refused[1], self.refused[2]
        summary = _("再次申诉") if again else _("申诉")
        action = escape(self.appeal_url(case_no) + self.query)
        described = f' aria-describedby="reason-{number}_error"' if errors else ""
        problems = ""
        if errors:
            items = "".join(f"<li>{escape(str(e))}</li>" for e in errors)
            problems = (
                f'<div id="reason-{number}_error" role="alert">'
                f'<ul class="errorlist">{items}</ul></div>'
            )
        maxlength = escape(str(self.reason_max_length))
        return (
            f"<details{' open' if errors else ''}><summary>{escape(summary)}</summary>"
            f'<form method="post" action="{action}">{self.csrf_input}'
            f'<input type="hidden" name="period" value="{escape(self.period)}">'
            f'<div class="field{" has-error" if errors else ""}">'
            f'<label for="reason-{number}">{escape(_("申诉理由"))}'
            f'<span class="req">*</span></label>'
            f'<textarea id="reason-{number}" name="reason" rows="3" maxlength="{maxlength}" '
            f"required{described}>{escape(typed)}</textarea>{problems}</div>"
            f'<button type="submit" class="primary small">{escape(_("提交申诉"))}</button>'
            f"</form></details>"
        )
