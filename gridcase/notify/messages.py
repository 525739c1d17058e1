"""The texts of notifications: a message id and its arguments, worded in the reader's language.

Every message about a case names its number, category (and whether it is major), village and
grid, the level and state it is at, the deadline that matters now, and links to the case
(`settings.SITE_URL + /cases/<number>/`). Texts are plain lines; each channel formats them
(markdown for the robots, plain text for e-mail and the inbox).

A notification is stored as its message id (its kind) and its arguments: `arguments()` takes,
when the notification is made, every value the text needs (the case's essentials as they were
then, who acted, the note, the dates) as plain JSON. `render()` words them in the active
language, whenever and for whomever they are shown: the inbox renders them in its reader's
language. The channels (WeCom, DingTalk, e-mail, the webhook) go to the town's own systems and
are sent in the project's language (Chinese): `outbox.emit` renders the text once in it and
keeps it in the notification's `title` and `body`, which the channels send as they are (and
which rows written before the message id was stored still show, see `shown()`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from gridcase.cases.deadlines import due_of
from gridcase.cases.models import Case, Category
from gridcase.cases.workflow import LEVEL_LABELS, STATE_LABELS

logger = logging.getLogger(__name__)

CATEGORY_LABELS = dict(Category.choices)

# The deadline that matters now: to accept while pending, else to handle.
DEADLINE_LABELS = {"accept": gettext_noop("受理期限"), "handle": gettext_noop("办结期限")}


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    link: str


def jsonable(value: Any) -> Any:
    """A context's values as JSON: dates as ISO strings, collections as lists and dicts."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def day_label(day: date | str | None) -> str:
    """2026年10月8日(星期四); in English, Thursday 8 October 2026."""
    if day is None or day == "":
        return _("未定")
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    # Translators: a Django date format (Y year, n month, j day, l weekday, F month's name).
    return dateformat.format(day, _("Y年n月j日(l)"))


def case_link(number: str) -> str:
    return f"{settings.SITE_URL}/cases/{number}/"


def site_link(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


def _deadline(case: Case) -> tuple[str, date | None]:
    due = due_of(case.state, case.accept_due, case.handle_due)
    return ("accept" if case.state == "pending" else "handle"), due


def deadline_of(case: Case) -> tuple[str, date | None]:
    """The deadline that matters now, with its name in the active language (受理期限 while
    pending, else 办结期限)."""
    which, due = _deadline(case)
    return _(DEADLINE_LABELS[which]), due


def case_arguments(case: Case) -> dict[str, Any]:
    """The case's essentials as they are now, for a message that is worded later."""
    which, due = _deadline(case)
    return {
        "number": case.number,
        "category": case.category,
        "major": bool(case.major),
        "village": case.village.name,
        "grid": case.grid.name if case.grid_id else "",
        "summary": case.title or case.location or "",
        "level": case.level,
        "department": case.department.name if case.department_id else "",
        "state": case.state,
        "deadline": which,
        "due": due.isoformat() if due else None,
        "closed_level": case.closed_level or "",
        "follow_up_due": case.follow_up_due.isoformat() if case.follow_up_due else None,
    }


def arguments(
    kind: str, *, town_name: str, case: Case | None = None, context: Mapping[str, Any]
) -> dict[str, Any]:
    """Every value the text of a notification needs, as JSON (stored with its message id).

    context: the caller's values (note, by, quarter, decision, link, …; or its own `title` and
    `lines`, shown as given); the case's essentials go under `case`.
    """
    args = {**jsonable(dict(context)), "town": town_name}
    if case is not None:
        args["case"] = case_arguments(case)
    return args


def _level(code: str) -> str:
    return _(LEVEL_LABELS[code]) if code in LEVEL_LABELS else code


def case_lines(c: Mapping[str, Any]) -> list[str]:
    category = str(CATEGORY_LABELS.get(c["category"], c["category"]))
    if c.get("major"):
        category = _("%(category)s(重大)") % {"category": category}
    where = c["village"]
    if c.get("grid"):
        where += f" {c['grid']}"
    lines = [
        _("事件编号:%(number)s") % {"number": c["number"]},
        _("事件类别:%(category)s") % {"category": category},
        _("所属村:%(where)s") % {"where": where},
    ]
    if c.get("summary"):
        lines.append(_("事件概要:%(summary)s") % {"summary": c["summary"]})
    level = _level(c["level"])
    if c["level"] == "department" and c.get("department"):
        level = _("%(level)s(%(department)s)") % {"level": level, "department": c["department"]}
    state = _(STATE_LABELS[c["state"]]) if c["state"] in STATE_LABELS else c["state"]
    lines.append(_("当前层级:%(level)s · %(state)s") % {"level": level, "state": state})
    if c.get("due"):
        label = _(DEADLINE_LABELS[c["deadline"]])
        lines.append(_("%(label)s:%(day)s") % {"label": label, "day": day_label(c["due"])})
    return lines


def _who(ctx: Mapping[str, Any]) -> list[str]:
    return [_("操作人:%(name)s") % {"name": ctx["by"]}] if ctx.get("by") else []


def _note(line: str, ctx: Mapping[str, Any], key: str = "note") -> list[str]:
    """The line (a translated "label:%(text)s") with the context's text, if there is one."""
    text = str(ctx.get(key) or "").strip()
    return [line % {"text": text}] if text else []


def _case_message(kind: str, c: Mapping[str, Any], ctx: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The title and the lines before the case's essentials, for each kind about a case."""
    n = c["number"]
    level = _level(c["level"])
    label = _(DEADLINE_LABELS[c["deadline"]])
    due = c.get("due")
    if kind == "escalate":
        title = _("【事件上报】%(number)s 已上报至%(level)s,请及时受理")
        return title % {"number": n, "level": level}, [
            *_who(ctx),
            *_note(_("上报理由:%(text)s"), ctx),
        ]
    if kind == "dispatch":
        title = _("【事件分流】%(number)s 已分流至%(department)s,请及时受理")
        dept = c.get("department") or _("部门")
        return title % {"number": n, "department": dept}, [
            *_who(ctx),
            *_note(_("分流说明:%(text)s"), ctx),
        ]
    if kind == "report":
        title = _("【部门反馈】%(number)s %(department)s已反馈处理结果,请审核结案")
        dept = c.get("department") or _("部门")
        return title % {"number": n, "department": dept}, [
            *_who(ctx),
            *_note(_("处理结果:%(text)s"), ctx),
        ]
    if kind == "return":
        title = _("【事件退回】%(number)s 已退回%(level)s,请重新办理")
        return title % {"number": n, "level": level}, [
            *_who(ctx),
            *_note(_("退回原因:%(text)s"), ctx),
        ]
    if kind == "urge":
        return _("【督办】%(number)s 请抓紧办理") % {"number": n}, [
            *_who(ctx),
            *_note(_("督办意见:%(text)s"), ctx),
        ]
    if kind == "extension_requested":
        title = _("【延期申请】%(number)s 申请延期 %(days)s 个工作日,请审批")
        return title % {"number": n, "days": ctx.get("working_days")}, [
            *_who(ctx),
            *_note(_("申请理由:%(text)s"), ctx),
        ]
    if kind == "extension_decided":
        if ctx.get("approved"):
            new_due = day_label(ctx.get("handle_due") or due)
            lines = [_("新的办结期限:%(day)s") % {"day": new_due}]
            return _("【延期审批】%(number)s 延期申请已批准") % {"number": n}, [
                *lines,
                *_who(ctx),
                *_note(_("审批意见:%(text)s"), ctx),
            ]
        return _("【延期审批】%(number)s 延期申请未批准,请按原期限办理") % {"number": n}, [
            *_who(ctx),
            *_note(_("审批意见:%(text)s"), ctx),
        ]
    if kind == "review":
        return _("【质量评定】%(number)s 被评定为不合格") % {"number": n}, [
            *_who(ctx),
            *_note(_("不合格原因:%(text)s"), ctx),
        ]
    if kind == "void":
        return _("【事件作废】%(number)s 已作废") % {"number": n}, [
            *_who(ctx),
            *_note(_("作废原因:%(text)s"), ctx),
        ]
    if kind == "yellow":
        if due == ctx.get("today"):
            title = _("【即将到期】%(number)s %(label)s为%(day)s(今天到期),请及时办理")
        else:
            title = _("【即将到期】%(number)s %(label)s为%(day)s(下一工作日到期),请及时办理")
        return title % {"number": n, "label": label, "day": day_label(due)}, []
    if kind == "red":
        title = _("【已超期】%(number)s %(label)s%(day)s已过,请立即办理")
        return title % {"number": n, "label": label, "day": day_label(due)}, []
    if kind == "close":
        closer = _level(c.get("closed_level") or c["level"])
        if not c.get("follow_up_due"):
            return _("【事件结案】%(number)s 已由%(level)s结案") % {"number": n, "level": closer}, [
                *_who(ctx),
                *_note(_("处理结果:%(text)s"), ctx),
            ]
        # The follow-up deadline was set by the close (cases.deadlines); the officer owes it.
        follow_up = day_label(c["follow_up_due"])
        title = _("【事件结案】%(number)s 已由%(level)s结案,请于%(day)s前完成回访")
        return title % {"number": n, "level": closer, "day": follow_up}, [
            _("回访期限:%(day)s") % {"day": follow_up},
            *_who(ctx),
            *_note(_("处理结果:%(text)s"), ctx),
        ]
    if kind == "appeal_filed":
        quarter = ctx.get("quarter", "")
        lines = [_("季度:%(quarter)s") % {"quarter": quarter}] if quarter else []
        if ctx.get("by"):
            lines.append(_("申诉人:%(name)s") % {"name": ctx["by"]})
        title = _("【申诉待处理】%(number)s 网格专管员对考核结果提出申诉,请在定稿前处理")
        return title % {"number": n}, [*lines, *_note(_("申诉理由:%(text)s"), ctx)]
    if kind == "follow_up_due":
        title = _("【回访提醒】%(number)s 请于%(day)s前完成回访")
        return title % {"number": n, "day": day_label(c.get("follow_up_due"))}, []
    if kind == "follow_up_overdue":
        title = _("【回访逾期】%(number)s 回访期限%(day)s已过,请尽快回访")
        return title % {"number": n, "day": day_label(c.get("follow_up_due"))}, []
    return _("【%(kind)s】%(number)s") % {"kind": kind, "number": n}, _note(_("说明:%(text)s"), ctx)


def digest_lines(digest: Mapping[str, Any]) -> list[str]:
    """The morning digest's lines from its counts (`schedule.digest_counts`)."""
    lines = []
    total = digest.get("total", 0)
    if total:
        lines.append(ngettext("超期事件共 %(n)s 件:", "超期事件共 %(n)s 件:", total) % {"n": total})
        for level, places in digest.get("overdue", []):
            parts = _("、").join(
                ngettext("%(name)s %(n)s 件", "%(name)s %(n)s 件", count)
                % {"name": name, "n": count}
                for name, count in places
            )
            lines.append(_("· %(level)s:%(parts)s") % {"level": _level(level), "parts": parts})
    else:
        lines.append(_("目前没有超期事件。"))
    soon = digest.get("soon", 0)
    lines.append(
        ngettext("今天或下一工作日到期:%(n)s 件", "今天或下一工作日到期:%(n)s 件", soon)
        % {"n": soon}
    )
    follow_ups = digest.get("follow_ups", 0)
    if follow_ups:
        lines.append(
            ngettext(
                "回访逾期(近%(days)s天):%(n)s 件", "回访逾期(近%(days)s天):%(n)s 件", follow_ups
            )
            % {"days": digest.get("follow_up_days"), "n": follow_ups}
        )
    return lines


def _other_message(kind: str, town_name: str, ctx: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Messages about no single case: the digest and the assessment's quarter."""
    quarter = ctx.get("quarter", "")
    if kind == "digest":
        lines = digest_lines(ctx["digest"]) if "digest" in ctx else list(ctx.get("lines", []))
        title = _("【每日汇总】%(town)s %(day)s")
        return title % {"town": town_name, "day": day_label(ctx.get("day"))}, lines
    if kind == "quarter_ready":
        lines = [_("季度:%(quarter)s") % {"quarter": quarter}, *_note(_("说明:%(text)s"), ctx)]
        title = _("【考核待审批】%(town)s %(quarter)s 考核结果已定稿,请审批")
        return title % {"town": town_name, "quarter": quarter}, lines
    if kind == "quarter_approved":
        title = _("【考核已审批】%(town)s %(quarter)s 考核结果已审批")
        return title % {"town": town_name, "quarter": quarter}, [
            _("季度:%(quarter)s") % {"quarter": quarter},
            *_who(ctx),
            *_note(_("审批意见:%(text)s"), ctx),
            _("本季度考核结果已最终确定;如发现错误,由综治办在下一季度调整。"),
        ]
    if kind == "quarter_reopened":
        title = _("【考核退回】%(town)s %(quarter)s 考核结果被退回,请综治办更正后重新定稿")
        return title % {"town": town_name, "quarter": quarter}, [
            _("季度:%(quarter)s") % {"quarter": quarter},
            *_who(ctx),
            *_note(_("退回原因:%(text)s"), ctx),
            _("重新定稿前,网格专管员可以对本季度事件的考核结果申诉。"),
        ]
    if kind == "appeal_decided":
        lines = [_("季度:%(quarter)s") % {"quarter": quarter}] if quarter else []
        if ctx.get("case_number"):
            lines.append(_("事件编号:%(number)s") % {"number": ctx["case_number"]})
        # The decision is worded by the assessment when it is made (its language then).
        lines += [
            _("处理结果:%(text)s") % {"text": ctx.get("decision", "")},
            *_who(ctx),
            *_note(_("处理意见:%(text)s"), ctx),
        ]
        return _("【申诉处理】您的申诉已处理"), lines
    if kind == "test":
        return _("【测试】gridcase 通知渠道测试"), [
            _("这是%(town)s管理员发送的测试消息,收到即表示该渠道配置正确。") % {"town": town_name}
        ]
    return _("【通知】%(town)s") % {"town": town_name}, _note(_("说明:%(text)s"), ctx)


def render(kind: str, args: Mapping[str, Any]) -> Rendered:
    """The title, body and link of a notification from its arguments (`arguments()`), in the
    active language.

    A caller may have given its own `title` and `lines` (a list of str) in the context; they
    replace the built-in text for the kind, as given, and the case's essentials are still added.
    """
    case = args.get("case")
    if case is not None:
        title, lines = _case_message(kind, case, args)
    else:
        title, lines = _other_message(kind, args.get("town", ""), args)
    if args.get("title"):
        title = str(args["title"])
    if args.get("lines") and kind != "digest":
        lines = [str(line) for line in args["lines"]]
    if case is not None:
        lines = [*lines, *case_lines(case)]
        # A message about a case links to it, unless the place to act is another page
        # (an appeal is decided on the quarter's appeal list).
        link = site_link(args["link"]) if args.get("link") else case_link(case["number"])
    else:
        link = site_link(args["link"]) if args.get("link") else settings.SITE_URL + "/"
    return Rendered(title=title[:200], body="\n".join(lines), link=link)


def shown(notification: Any) -> Rendered:
    """A notification as its reader sees it: worded now, in the active language, from its
    message id and arguments; a row written before those were stored (or whose arguments no
    longer fit) shows the text stored when it was written."""
    if notification.message:
        try:
            rendered = render(notification.message, notification.args or {})
        except (KeyError, TypeError, ValueError, AttributeError):
            logger.warning("notification %s: arguments do not fit", notification.pk)
        else:
            return Rendered(rendered.title, rendered.body, notification.link)
    return Rendered(notification.title, notification.body, notification.link)
