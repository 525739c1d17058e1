"""The texts of notifications, in Chinese: what happened, the case's essentials, and a link.

Every message about a case names its number, category (and whether it is major), village and
grid, the level and state it is at, the deadline that matters now, and links to the case
(`settings.SITE_URL + /cases/<number>/`). Texts are plain lines; each channel formats them
(markdown for the robots, plain text for e-mail and the inbox).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings

from gridcase.cases.deadlines import due_of
from gridcase.cases.models import Case, Category
from gridcase.cases.workflow import LEVEL_LABELS, STATE_LABELS

WEEKDAYS = "一二三四五六日"
CATEGORY_LABELS = dict(Category.choices)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    link: str


def day_label(day: date | str | None) -> str:
    """2026年10月8日(星期四)"""
    if day is None or day == "":
        return "未定"
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day.year}年{day.month}月{day.day}日(星期{WEEKDAYS[day.weekday()]})"


def case_link(case: Case) -> str:
    return f"{settings.SITE_URL}/cases/{case.number}/"


def site_link(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


def deadline_of(case: Case) -> tuple[str, date | None]:
    """The deadline that matters now, with its name (受理期限 while pending, else 办结期限)."""
    due = due_of(case.state, case.accept_due, case.handle_due)
    label = "受理期限" if case.state == "pending" else "办结期限"
    return label, due


def case_lines(case: Case) -> list[str]:
    category = CATEGORY_LABELS.get(case.category, case.category)
    if case.major:
        category += "(重大)"
    where = case.village.name
    if case.grid_id:
        where += f" {case.grid.name}"
    lines = [
        f"事件编号:{case.number}",
        f"事件类别:{category}",
        f"所属村:{where}",
    ]
    if case.title or case.location:
        lines.append(f"事件概要:{case.title or case.location}")
    level = LEVEL_LABELS.get(case.level, case.level)
    if case.level == "department" and case.department_id:
        level = f"{level}({case.department.name})"
    lines.append(f"当前层级:{level} · {STATE_LABELS.get(case.state, case.state)}")
    label, due = deadline_of(case)
    if due is not None:
        lines.append(f"{label}:{day_label(due)}")
    return lines


def _who(context: Mapping[str, Any]) -> list[str]:
    return [f"操作人:{context['by']}"] if context.get("by") else []


def _note(label: str, context: Mapping[str, Any], key: str = "note") -> list[str]:
    text = str(context.get(key) or "").strip()
    return [f"{label}:{text}"] if text else []


def _case_message(kind: str, case: Case, ctx: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The title and the lines before the case's essentials, for each kind about a case."""
    n = case.number
    level = LEVEL_LABELS.get(case.level, case.level)
    label, due = deadline_of(case)
    if kind == "escalate":
        return f"【事件上报】{n} 已上报至{level},请及时受理", [
            *_who(ctx),
            *_note("上报理由", ctx),
        ]
    if kind == "dispatch":
        dept = case.department.name if case.department_id else "部门"
        return f"【事件分流】{n} 已分流至{dept},请及时受理", [*_who(ctx), *_note("分流说明", ctx)]
    if kind == "report":
        dept = case.department.name if case.department_id else "部门"
        return f"【部门反馈】{n} {dept}已反馈处理结果,请审核结案", [
            *_who(ctx),
            *_note("处理结果", ctx),
        ]
    if kind == "return":
        return f"【事件退回】{n} 已退回{level},请重新办理", [*_who(ctx), *_note("退回原因", ctx)]
    if kind == "urge":
        return f"【督办】{n} 请抓紧办理", [*_who(ctx), *_note("督办意见", ctx)]
    if kind == "extension_requested":
        days = ctx.get("working_days")
        return f"【延期申请】{n} 申请延期 {days} 个工作日,请审批", [
            *_who(ctx),
            *_note("申请理由", ctx),
        ]
    if kind == "extension_decided":
        if ctx.get("approved"):
            lines = [f"新的办结期限:{day_label(ctx.get('handle_due') or due)}"]
            return f"【延期审批】{n} 延期申请已批准", [*lines, *_who(ctx), *_note("审批意见", ctx)]
        return f"【延期审批】{n} 延期申请未批准,请按原期限办理", [
            *_who(ctx),
            *_note("审批意见", ctx),
        ]
    if kind == "review":
        return f"【质量评定】{n} 被评定为不合格", [*_who(ctx), *_note("不合格原因", ctx)]
    if kind == "void":
        return f"【事件作废】{n} 已作废", [*_who(ctx), *_note("作废原因", ctx)]
    if kind == "yellow":
        when = "今天" if due == ctx.get("today") else "下一工作日"
        return f"【即将到期】{n} {label}为{day_label(due)}({when}到期),请及时办理", []
    if kind == "red":
        return f"【已超期】{n} {label}{day_label(due)}已过,请立即办理", []
    if kind == "close":
        closer = LEVEL_LABELS.get(case.closed_level or case.level, level)
        if case.follow_up_due is None:
            return f"【事件结案】{n} 已由{closer}结案", [*_who(ctx), *_note("处理结果", ctx)]
        # The follow-up deadline was set by the close (cases.deadlines); the officer owes it.
        follow_up = day_label(case.follow_up_due)
        return f"【事件结案】{n} 已由{closer}结案,请于{follow_up}前完成回访", [
            f"回访期限:{follow_up}",
            *_who(ctx),
            *_note("处理结果", ctx),
        ]
    if kind == "appeal_filed":
        quarter = ctx.get("quarter", "")
        lines = [f"季度:{quarter}"] if quarter else []
        if ctx.get("by"):
            lines.append(f"申诉人:{ctx['by']}")
        return f"【申诉待处理】{n} 网格专管员对考核结果提出申诉,请在定稿前处理", [
            *lines,
            *_note("申诉理由", ctx),
        ]
    if kind == "follow_up_due":
        return f"【回访提醒】{n} 请于{day_label(case.follow_up_due)}前完成回访", []
    if kind == "follow_up_overdue":
        return f"【回访逾期】{n} 回访期限{day_label(case.follow_up_due)}已过,请尽快回访", []
    return f"【{kind}】{n}", _note("说明", ctx)


def _other_message(kind: str, town_name: str, ctx: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Messages about no single case: the digest and the assessment's quarter."""
    if kind == "digest":
        return f"【每日汇总】{town_name} {day_label(ctx.get('day'))}", list(ctx.get("lines", []))
    if kind == "quarter_ready":
        lines = [f"季度:{ctx.get('quarter', '')}", *_note("说明", ctx)]
        return f"【考核待审批】{town_name} {ctx.get('quarter', '')} 考核结果已定稿,请审批", lines
    if kind == "quarter_approved":
        quarter = ctx.get("quarter", "")
        return f"【考核已审批】{town_name} {quarter} 考核结果已审批", [
            f"季度:{quarter}",
            *_who(ctx),
            *_note("审批意见", ctx),
            "本季度考核结果已最终确定;如发现错误,由综治办在下一季度调整。",
        ]
    if kind == "quarter_reopened":
        quarter = ctx.get("quarter", "")
        return f"【考核退回】{town_name} {quarter} 考核结果被退回,请综治办更正后重新定稿", [
            f"季度:{quarter}",
            *_who(ctx),
            *_note("退回原因", ctx),
            "重新定稿前,网格专管员可以对本季度事件的考核结果申诉。",
        ]
    if kind == "appeal_decided":
        decision = ctx.get("decision", "")
        lines = [f"季度:{ctx.get('quarter', '')}"] if ctx.get("quarter") else []
        if ctx.get("case_number"):
            lines.append(f"事件编号:{ctx['case_number']}")
        lines += [f"处理结果:{decision}", *_who(ctx), *_note("处理意见", ctx)]
        return "【申诉处理】您的申诉已处理", lines
    if kind == "test":
        return "【测试】gridcase 通知渠道测试", [
            f"这是{town_name}管理员发送的测试消息,收到即表示该渠道配置正确。"
        ]
    return f"【通知】{town_name}", _note("说明", ctx)


def render(
    kind: str, *, town_name: str, case: Case | None = None, context: Mapping[str, Any]
) -> Rendered:
    """The title, body and link of a notification.

    A caller may give its own `title` and `lines` (a list of str) in the context; they replace
    the built-in text for the kind, and the case's essentials are still added.
    """
    if case is not None:
        title, lines = _case_message(kind, case, context)
    else:
        title, lines = _other_message(kind, town_name, context)
    if context.get("title"):
        title = str(context["title"])
    if context.get("lines") and kind != "digest":
        lines = [str(line) for line in context["lines"]]
    if case is not None:
        lines = [*lines, *case_lines(case)]
        # A message about a case links to it, unless the place to act is another page
        # (an appeal is decided on the quarter's appeal list).
        link = site_link(context["link"]) if context.get("link") else case_link(case)
    else:
        link = site_link(context["link"]) if context.get("link") else settings.SITE_URL + "/"
    return Rendered(title=title[:200], body="\n".join(lines), link=link)
