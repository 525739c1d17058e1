"""Acting on what one saw: a stale version is refused, never silently applied.

Every change of a case adds one to its `version` (changes.swap). A page or a client that
shows a case remembers the version it showed; when it acts, it sends that version, and an
action based on a case that has changed since is refused (409) with nothing changed — the
person looks again, never overwrites. The one rule, for the workbench's forms
(web/views/case_actions.py) and the API (PATCH and every action, api/views):

- no version sent → no check (the compare-and-swap in `changes.swap` still guards the write);
- a version sent that is not the case's → `Stale`, carrying the current version.

Which actions the workbench checks: its forms always carry the version, so it checks only
the actions that change the case's state or deadlines (`STATEFUL`); urging or a follow-up
from a page a minute old is harmless. An API client that sends a version asks for the check,
so the API checks it on whatever it is sent with.
"""

from __future__ import annotations

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy

from .errors import Conflict
from .models import Case
from .workflow import COMPOSITE_STEPS

STATEFUL = frozenset(
    {
        "submit",
        "accept",
        "close",
        "escalate",
        "dispatch",
        "report",
        "return",
        "void",
        "review",
        "decide_extension",
        *COMPOSITE_STEPS,
    }
)
STALE = gettext_lazy("该事件刚刚已被他人处理,您的操作未执行。请查看最新状态后再操作。")


def is_stale(posted: int | None, current: int) -> bool:
    """Whether an action based on version `posted` must be refused now the case is `current`."""
    return posted is not None and posted != current


class Stale(Conflict):
    """The case changed since the caller saw it (409): nothing was done."""

    code = "stale"

    def __init__(self, current: int):
        message = str(STALE)
        super().__init__(message, {"version": [_t("当前版本为 %(v)s") % {"v": current}]})
        self.version = current
        self.extra = {"version": current}


def check_version(case: Case, posted: int | None) -> None:
    """Stale when `posted` is given and is not the case's version as read."""
    if is_stale(posted, case.version):
        raise Stale(case.version)
