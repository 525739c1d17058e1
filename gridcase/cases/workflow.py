"""The flow of a case: which action is allowed in which state, at which level, for whom.

One pure table. A person's relation to a case (officer of its grid, station of its village,
the town center, the department it was dispatched to, the governance office …) is computed by
`selectors.relations_to`; this module only decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The labels stay Chinese where they are stored and pushed (notify); marked here so that the
# catalogue holds them and a page or an API answer can say them in the reader's language.
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_noop as _noop

# Relations of a person to a case (computed from their roles).
OFFICER = "officer"
STATION = "village_station"
CENTER = "town_center"
DEPARTMENT = "department"
OFFICE = "governance_office"
LEADER = "leader"
ADMIN = "administrator"

ACTION_LABELS = {
    "create": _noop("录入"),
    "edit": _noop("修改草稿"),
    "submit": _noop("提交"),
    "accept": _noop("受理"),
    "close": _noop("结案"),
    "escalate": _noop("上报"),
    "dispatch": _noop("分流"),
    "report": _noop("部门反馈结果"),
    "return": _noop("退回"),
    "void": _noop("作废"),
    "urge": _noop("督办"),
    "request_extension": _noop("申请延期"),
    "decide_extension": _noop("审批延期"),
    "follow_up": _noop("回访"),
    "review": _noop("质量评定"),
    "attach": _noop("上传附件"),
    "appeal": _noop("申诉"),
    "appeal_decided": _noop("申诉处理"),
    "import": _noop("导入"),
}

LEVEL_LABELS = {
    "grid": _noop("网格"),
    "village": _noop("村社会服务管理站"),
    "town": _noop("镇社会服务管理中心"),
    "department": _noop("部门"),
}
STATE_LABELS = {
    "draft": _noop("草稿"),
    "pending": _noop("待受理"),
    "handling": _noop("办理中"),
    "reported": _noop("部门已反馈"),
    "closed": _noop("已结案"),
    "voided": _noop("已作废"),
}

ANY_LEVEL = "*"
# The open states, and which deadline each one runs against (cases/deadlines.py): a case
# waiting for acceptance against the acceptance deadline, one being handled (or reported on by
# a department) against the handling deadline. Closed and voided cases have none.
ACCEPTING = "pending"
IN_PROGRESS = frozenset({"handling", "reported"})
OPEN = frozenset({ACCEPTING}) | IN_PROGRESS
SUBMITTED = OPEN | {"closed"}
FINISHED = frozenset({"closed", "voided"})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    states: frozenset[str]
    to_state: str | None = None  # None: the state does not change
    to_level: str | None = None  # None: the level does not change


def _r(
    roles: Iterable[str],
    states: Iterable[str],
    to_state: str | None = None,
    to_level: str | None = None,
) -> Rule:
    return Rule(frozenset(roles), frozenset(states), to_state, to_level)


# (action, level the case is at) -> rule. ANY_LEVEL matches every level.
TABLE: dict[tuple[str, str], Rule] = {
    ("edit", "grid"): _r({OFFICER}, {"draft"}),
    ("attach", ANY_LEVEL): _r({OFFICER, STATION, CENTER, DEPARTMENT}, {"draft"} | OPEN),
    ("submit", "grid"): _r({OFFICER}, {"draft"}, "pending", "grid"),
    ("accept", "grid"): _r({OFFICER}, {"pending"}, "handling"),
    ("accept", "village"): _r({STATION}, {"pending"}, "handling"),
    ("accept", "town"): _r({CENTER}, {"pending"}, "handling"),
    ("accept", "department"): _r({DEPARTMENT}, {"pending"}, "handling"),
    ("close", "grid"): _r({OFFICER}, {"handling"}, "closed"),
    ("close", "village"): _r({STATION}, {"handling"}, "closed"),
    ("close", "town"): _r({CENTER}, {"handling", "reported"}, "closed"),
    ("escalate", "grid"): _r({OFFICER}, {"handling"}, "pending", "village"),
    ("escalate", "village"): _r({STATION}, {"handling"}, "pending", "town"),
    ("dispatch", "town"): _r({CENTER}, {"handling"}, "pending", "department"),
    ("report", "department"): _r({DEPARTMENT}, {"handling"}, "reported", "town"),
    # A return sends the case one level down, where it must be handled again.
    ("return", "village"): _r({STATION}, {"pending", "handling"}, "handling", "grid"),
    ("return", "town"): _r({CENTER}, {"pending", "handling"}, "handling", "village"),
    ("return", "department"): _r({DEPARTMENT}, {"pending", "handling"}, "handling", "town"),
    ("void", "grid"): _r({OFFICER, CENTER, OFFICE}, {"draft", "pending", "handling"}, "voided"),
    # Voiding (README, "The flow"): the officer before escalation, the town center and the
    # governance office at any level; never the village station, which handles, not voids.
    ("void", "village"): _r({CENTER, OFFICE}, {"pending", "handling"}, "voided"),
    ("void", "town"): _r({CENTER, OFFICE}, OPEN, "voided"),
    ("void", "department"): _r({CENTER, OFFICE}, OPEN, "voided"),
    ("urge", "grid"): _r({STATION, CENTER, OFFICE, LEADER}, {"pending", "handling"}),
    ("urge", "village"): _r({CENTER, OFFICE, LEADER}, {"pending", "handling"}),
    ("urge", "town"): _r({OFFICE, LEADER}, OPEN),
    ("urge", "department"): _r({CENTER, OFFICE, LEADER}, {"pending", "handling"}),
    ("request_extension", "town"): _r({CENTER}, {"handling"}),
    ("request_extension", "department"): _r({DEPARTMENT}, {"handling"}),
    # Keyed by the level that asked: the center decides for departments, the office for the center.
    ("decide_extension", "department"): _r({CENTER}, {"handling"}),
    ("decide_extension", "town"): _r({OFFICE, LEADER}, {"handling"}),
    # A follow-up visit is contact with the parties after closing (domain.md): not before.
    ("follow_up", ANY_LEVEL): _r({OFFICER, STATION, CENTER}, {"closed"}),
    ("review", ANY_LEVEL): _r({OFFICE}, SUBMITTED),
}


class NotAllowed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def rule_for(action: str, level: str) -> Rule | None:
    return TABLE.get((action, level)) or TABLE.get((action, ANY_LEVEL))


def check(action: str, *, state: str, level: str, relations: frozenset[str] | set[str]) -> Rule:
    """The rule that allows the action, or NotAllowed with the reason in Chinese."""
    words = {
        "action": _t(ACTION_LABELS.get(action, action)),
        "level": _t(LEVEL_LABELS.get(level, level)),
        "state": _t(STATE_LABELS.get(state, state)),
    }
    rule = rule_for(action, level)
    if rule is None:
        raise NotAllowed(_t("事件在%(level)s时不能%(action)s") % words)
    if state not in rule.states:
        raise NotAllowed(_t("事件当前为“%(state)s”,不能%(action)s") % words)
    if not rule.roles & set(relations):
        raise NotAllowed(_t("您的角色不能对%(level)s的这件事件%(action)s") % words)
    return rule


def allowed_actions(*, state: str, level: str, relations: frozenset[str] | set[str]) -> list[str]:
    """Every action this person may take now, in the table's order (for the detail page)."""
    actions = []
    for action in dict.fromkeys(a for a, _ in TABLE):
        rule = rule_for(action, level)
        if rule and state in rule.states and rule.roles & set(relations):
            actions.append(action)
    return actions


# What a person is expected to do next with a case (issue 14): the one or two steps the case
# page offers first, with their form open; everything else allowed waits behind "更多操作".
# A step is one action, or two that are always taken together by the same person: the grid
# is the officer, so an officer hands in and takes on their own case in one step; and a level
# that receives a case and can settle it at once takes it on and settles it in one step
# (the acceptance is still recorded, at the same moment, on the timeline).
Step = tuple[str, ...]

# The actions that move a case on from each level once it is taken on, the usual one first.
MOVES_ON = {
    "grid": ("close", "escalate"),
    "village": ("close", "escalate"),
    "town": ("dispatch", "close"),
    "department": ("report",),
}
EXPECTED_MAX = 2


def expected_steps(
    *, state: str, level: str, relations: frozenset[str] | set[str], allowed: Iterable[str]
) -> list[Step]:
    """The steps this person is expected to take next, first the likeliest; at most two.
    `allowed`: what they may do now (selectors.allowed_actions, which may hide some of the
    table's); a step's later action is checked against the table in the state it will be in."""
    allowed = list(allowed)
    steps: list[Step] = []
    if "decide_extension" in allowed:
        steps.append(("decide_extension",))
    if state == "draft" and "submit" in allowed:
        then = allowed_actions(state="pending", level="grid", relations=relations)
        steps.append(("submit", "accept") if "accept" in then else ("submit",))
    elif state == "pending" and "accept" in allowed:
        after = allowed_actions(state="handling", level=level, relations=relations)
        ready = [a for a in MOVES_ON.get(level, ()) if a in after]
        if ready:
            steps.append(("accept", ready[0]))
        steps.append(("accept",))
    elif state in IN_PROGRESS:
        moves = ("close",) if state == "reported" else MOVES_ON.get(level, ())
        steps.extend((a,) for a in moves if a in allowed)
    elif state == "closed" and "follow_up" in allowed:
        steps.append(("follow_up",))
    return steps[:EXPECTED_MAX]


# Actions a person will be able to take on the case later, but not yet: shown disabled with
# the reason instead of hidden, so that nobody looks for them in vain.
NOT_YET = {
    "follow_up": _noop("结案后才能回访"),
}


def not_yet(*, state: str, level: str, relations: frozenset[str] | set[str]) -> dict[str, str]:
    """The actions of NOT_YET that this person may take at this level once the open case moves
    on, with the reason they cannot now."""
    found = {}
    for action, reason in NOT_YET.items():
        rule = rule_for(action, level)
        if rule and state in OPEN and state not in rule.states and rule.roles & set(relations):
            found[action] = reason
    return found


# Every two-action step that expected_steps can offer, by the name pages and URLs use for it.
COMPOSITE_STEPS: dict[str, Step] = {
    "_".join(step): step
    for step in [("submit", "accept")]
    + [("accept", a) for moves in MOVES_ON.values() for a in moves]
}
