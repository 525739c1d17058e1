"""The result for people and machines: a terminal table, the JSON, the payroll workbook.

Pure renderers over a ``results.PeriodResult``; no queries. The payroll of a finalised quarter
is rendered from its snapshot because that is what ``assess_period`` returns for it.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop as _noop

from gridcase.core import periods
from gridcase.core.policy import CATEGORY_NAMES
from gridcase.core.text import strip_invalid

from .results import OfficerResult, PeriodResult

# Marked for translation but kept Chinese here: the exported workbook is Chinese; the
# pages translate them where they show them (state_words' `tr`, the assessment views).
STATUS_LABELS = {
    "quota": _noop("计入任务量"),
    "excess": _noop("超额奖励"),
    "nonconforming": _noop("质量不合格"),
    "late": _noop("超期"),
    "not_counted": _noop("不计入"),
    "voided": _noop("已作废"),
    "duplicate": _noop("重复"),
    "pending": _noop("待定"),
}
STATUS_HELP = {
    "quota": _noop("按时办结或上报、质量合格, 计入每月基本任务量 (四.1)"),
    "excess": _noop("超出任务量的部分: 本级结案、上报各有奖励, 每月封顶, 重大事件不受封顶 (四.2)"),
    "nonconforming": _noop(
        "缺少必备要素, 或经综治办 (导入事件未经综治办复核的, 按台账) 评定不合格, 每起扣款 (四.1)"
    ),
    "late": _noop("未在办理期限内结案或上报, 不计基本任务量也不计奖励 (四.3)"),
    "not_counted": _noop(
        "八大行动、其他等不计入考核的类别 (三(四)); 市民通过 Open311 上报的事件 (三)"
    ),
    "voided": _noop("已作废的事件"),
    "duplicate": _noop("综治办确认与另一起事件重复, 不计入考核 (疑似重复核查)"),
    "pending": _noop("尚在办理期限内、未有结果, 暂不计入; 含此类事件的月份为暂定"),
}
QUARTER_STATUS_WORDS = {
    "draft": _noop("未定稿"),
    "finalised": _noop("已定稿"),
    "approved": _noop("已审批"),
}


def category_label(code: str) -> str:
    return CATEGORY_NAMES.get(code, code)


def month_label(month: str) -> str:
    return _t("%(year)s年%(month)s月") % {"year": int(month[:4]), "month": int(month[5:])}


# The quarters by their Chinese numbers: one message each, so that each language words them.
QUARTER_NAMES = (
    _lazy("%(year)s年第一季度"),
    _lazy("%(year)s年第二季度"),
    _lazy("%(year)s年第三季度"),
    _lazy("%(year)s年第四季度"),
)


def quarter_label(quarter: str) -> str:
    return str(QUARTER_NAMES[int(quarter[-1]) - 1]) % {"year": quarter[:4]}


def period_label(result: PeriodResult) -> str:
    if periods.is_quarter(result.period):
        return quarter_label(result.period)
    if len(result.months) == 1:
        return month_label(result.months[0])
    return _t("%(first)s至%(last)s") % {
        "first": month_label(result.months[0]),
        "last": month_label(result.months[-1]),
    }


def state_words(result: PeriodResult, tr: Callable[[str], str] = str) -> str:
    """What kind of figures these are: provisional, finalised, approved, or a what-if. `tr`
    translates (the pages pass gettext; the workbook stays Chinese)."""
    if result.what_if:
        return tr(_noop("试算 (策略 %(code)s, 不影响正式考核)")) % {"code": result.policy.code}
    words = tr(QUARTER_STATUS_WORDS.get(result.status, result.status))
    if result.provisional and not result.frozen:
        return tr(_noop("暂定 (%(words)s)")) % {"words": words}
    return words


EXPLANATION_HEADER = "计算说明"


def officer_explanation(officer: OfficerResult, result: PeriodResult) -> str:
    """The officer's months' arithmetic as one text (a cell, a line): each month's sentences,
    with the month named when the period has several."""
    several = len(result.months) > 1
    parts = []
    for month in officer.months:
        lines = list(month.explanation)
        if several and lines:
            lines = [f"{month_label(month.month)}:", *("  " + line for line in lines)]
        parts.extend(lines)
    return "\n".join(parts)


def _wrapped_lines(text: str, columns: int) -> int:
    """Roughly how many printed lines ``text`` takes in a cell ``columns`` wide."""
    return sum(max(1, -(-width(line) // columns)) for line in text.split("\n")) if text else 1


# ---------------------------------------------------------------- JSON


def to_json(result: PeriodResult) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- the terminal table


def width(text: str) -> int:
    """Columns the text takes in a terminal: CJK wide and full-width characters take two."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def pad(text: str, columns: int, *, right: bool = False) -> str:
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def _yuan(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _counts(officer: OfficerResult) -> str:
    counted = sum(m.counted for m in officer.months)
    parts = [f"计入{counted}"]
    for label, n in (
        ("不合格", sum(m.nonconforming for m in officer.months)),
        ("超期", sum(m.late for m in officer.months)),
        ("待定", sum(m.pending for m in officer.months)),
    ):
        if n:
            parts.append(f"{label}{n}")
    if officer.adjustments:
        parts.append(f"调整{_yuan(officer.adjustment_total)}")
    return " ".join(parts)


def render_table(result: PeriodResult, *, verbose: bool = False) -> str:
    """One line per officer with the months and the total, then a legend."""
    months = list(result.months)
    with_adjustments = any(o.adjustments for o in result.officers)
    header = ["序号", "行政村", "网格专管员", *(month_label(m) for m in months)]
    if with_adjustments:
        header.append("调整")
    header += ["合计", "说明"]
    numeric = set(range(3, len(header) - 1))
    rows: list[list[str]] = []
    for i, officer in enumerate(result.officers, start=1):
        cells = [str(i), officer.village or "—", officer.officer]
        for month in months:
            found = officer.month(month)
            if found is None:
                cells.append("—")
            else:
                cells.append(_yuan(found.total) + ("*" if found.provisional else ""))
        if with_adjustments:
            cells.append(_yuan(officer.adjustment_total) if officer.adjustments else "")
        cells += [_yuan(officer.total), _counts(officer)]
        rows.append(cells)
    footer = ["", "", "合计"]
    for month in months:
        month_total = sum(
            (m.total for o in result.officers for m in o.months if m.month == month),
            Decimal("0.00"),
        )
        footer.append(_yuan(month_total))
    if with_adjustments:
        footer.append(_yuan(sum((o.adjustment_total for o in result.officers), Decimal(0))))
    footer += [_yuan(result.total), f"{len(result.officers)} 人"]

    widths = [max(width(r[c]) for r in [header, *rows, footer]) for c in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            pad(cell, widths[c], right=c in numeric) for c, cell in enumerate(cells)
        ).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    out = [
        f"{result.town} 网格专管员考核 {period_label(result)} ({result.period})",
        f"考核策略: {result.policy.name} ({result.policy.code})    状态: {state_words(result)}",
    ]
    if len(set(result.month_policies.values())) > 1:
        out.append(
            "各月策略: "
            + "; ".join(f"{month_label(m)} {p.code}" for m, p in result.month_policies.items())
        )
    out += ["", line(header), rule]
    out += [line(r) for r in rows]
    out += [rule, line(footer)]
    if not result.officers:
        out.append("(本期没有网格专管员)")
    if verbose:
        out += ["", *_details(result)]
    out += ["", *_legend(result)]
    return "\n".join(out) + "\n"


def _details(result: PeriodResult) -> list[str]:
    out = ["明细 (每起事件的状态、金额与原因):"]
    for officer in result.officers:
        out.append("")
        out.append(f"{officer.officer} ({officer.village or '—'})  合计 {_yuan(officer.total)}")
        for month in officer.months:
            out.append(
                f"  {month_label(month.month)}: 基本工资 {_yuan(month.base_pay)}"
                f" (扣 {_yuan(month.deduction)}) + 奖励 {_yuan(month.bonus)}"
                f" = {_yuan(month.total)}{'  暂定' if month.provisional else ''}"
            )
            out.extend(f"    {line}" for line in month.explanation)
            if not month.cases:
                out.append("    (本月没有提交事件)")
            rows = [
                (
                    case.case_no,
                    category_label(case.category),
                    STATUS_LABELS.get(case.status, case.status),
                    _yuan(case.amount),
                    case.reason,
                )
                for case in month.cases
            ]
            if rows:
                w = [max(width(r[c]) for r in rows) for c in range(4)]
                for r in rows:
                    out.append(
                        "    "
                        + "  ".join(pad(r[c], w[c], right=c == 3) for c in range(4))
                        + f"  {r[4]}".rstrip()
                    )
        for adj in officer.adjustments:
            out.append(f"  调整 ({adj.quarter} 更正): {_yuan(adj.amount)}  {adj.reason}")
    return out


def _legend(result: PeriodResult) -> list[str]:
    w = max(width(label) for label in STATUS_LABELS.values())
    out = ["说明:"]
    out.append(
        "  金额单位: 元。* 表示该月暂定 (有尚未到期的事件, 或月份未结束)。— 表示该月未在岗。"
    )
    out.append("  加 --verbose 可列出每月扣款与奖励的计算过程, 以及每起事件的状态、金额和原因。")
    for status, label in STATUS_LABELS.items():
        out.append(f"  {pad(label, w)}  {STATUS_HELP[status]}")
    return out


# ---------------------------------------------------------------- the payroll workbook


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", strip_invalid(name)).strip("'") or "专管员"
    base = base[:28]
    title, n = base, 2
    while title in used or title == "工资表":
        title = f"{base[:26]}({n})"
        n += 1
    used.add(title)
    return title


def render_xlsx(result: PeriodResult, progress: Callable[[int], None] | None = None) -> bytes:
    """The payroll sheet 工资表 (one row per officer, months, total, signature), and one sheet
    per officer listing the cases with their status, amount and reason. `progress(n)` is
    called after the n-th officer's sheet (the worker's progress bar)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from gridcase.core.spreadsheet import put

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    money = "0.00"

    wb = Workbook()
    ws = wb.active
    ws.title = "工资表"
    months = list(result.months)
    quarter = periods.is_quarter(result.period)
    with_adjustments = any(o.adjustments for o in result.officers)
    header = ["序号", "行政村", "网格专管员", *(month_label(m) for m in months)]
    if with_adjustments:
        header.append("调整")
    header += ["季度合计" if quarter else "合计", "签字"]
    # The month's arithmetic, after the signature so the printed amounts and signature keep
    # their places; the officer's sheet has it sentence by sentence under each month.
    header.append(EXPLANATION_HEADER)
    columns = len(header)

    title = f"{result.town}网格专管员考核工资表  {period_label(result)}"
    marks = []
    if result.what_if:
        marks.append(f"试算 (策略 {result.policy.code})")
    elif result.provisional and not result.frozen:
        marks.append("暂定")
    elif not result.frozen:
        marks.append("未定稿")
    else:
        marks.append(QUARTER_STATUS_WORDS[result.status])
    title += f"  ({'，'.join(marks)})"
    put(ws, 1, 1, title).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = center
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    put(
        ws,
        2,
        1,
        f"考核策略: {result.policy.name} ({result.policy.code})    单位: 元",
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
    for c, text in enumerate(header, start=1):
        cell = put(ws, 3, c, text)
        cell.font, cell.alignment, cell.border = bold, center, box

    row = 3
    for i, officer in enumerate(result.officers, start=1):
        row += 1
        values: list[object] = [i, officer.village, officer.officer]
        for month in months:
            found = officer.month(month)
            values.append(found.total if found else None)
        if with_adjustments:
            values.append(officer.adjustment_total if officer.adjustments else None)
        explanation = officer_explanation(officer, result)
        values += [officer.total, None, explanation]
        for c, value in enumerate(values, start=1):
            cell = put(ws, row, c, value)
            cell.border = box
            if c > 3 and c < columns - 1:
                cell.number_format = money
        ws.cell(row=row, column=columns).alignment = wrap
        ws.row_dimensions[row].height = max(24, 15 * _wrapped_lines(explanation, 60))
    row += 1
    put(ws, row, 3, "合计").font = bold
    # Values, not formulas: WPS and readers without a calculation engine show them as they are.
    sums = [
        sum((m.total for o in result.officers for m in o.months if m.month == month), Decimal(0))
        for month in months
    ]
    if with_adjustments:
        sums.append(sum((o.adjustment_total for o in result.officers), Decimal(0)))
    sums.append(result.total)
    for c, value in enumerate(sums, start=4):
        cell = put(ws, row, c, value)
        cell.number_format = money
        cell.font = bold
    for c in range(1, columns + 1):
        ws.cell(row=row, column=c).border = box
    put(ws, row + 2, 1, "制表:                审核:                审批:")
    ws.merge_cells(start_row=row + 2, start_column=1, end_row=row + 2, end_column=columns)

    for c, w in enumerate([6, 14, 12, *([12] * (columns - 6)), 14, 16, 64], start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    ws.print_options.horizontalCentered = True
    ws.freeze_panes = "D4"

    used: set[str] = set()
    for n, officer in enumerate(result.officers, start=1):
        _officer_sheet(wb.create_sheet(_sheet_title(officer.officer, used)), officer, result)
        if progress is not None:
            progress(n)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _officer_sheet(ws, officer: OfficerResult, result: PeriodResult) -> None:
    from openpyxl.styles import Alignment, Font

    from gridcase.core.spreadsheet import row as cells

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append(
        cells(ws, [f"{officer.officer} ({officer.village})  {period_label(result)} 考核明细"])
    )
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(cells(ws, [f"合计 {_yuan(officer.total)} 元    状态: {state_words(result)}"]))
    ws.append([])
    ws.append(["月份", "编号", "类别", "状态", "金额", "原因"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for month in officer.months:
        for case in month.cases:
            ws.append(
                cells(
                    ws,
                    [
                        month_label(month.month),
                        case.case_no,
                        category_label(case.category),
                        STATUS_LABELS.get(case.status, case.status),
                        case.amount,
                        case.reason,
                    ],
                )
            )
            ws.cell(row=ws.max_row, column=5).number_format = "0.00"
            ws.cell(row=ws.max_row, column=6).alignment = wrap
        ws.append(
            cells(
                ws,
                [
                    month_label(month.month),
                    "本月小计",
                    f"计入{month.counted} 不合格{month.nonconforming} 超期{month.late}"
                    f" 待定{month.pending}",
                    f"基本工资 {_yuan(month.base_pay)} (扣 {_yuan(month.deduction)})",
                    month.total,
                    f"奖励 {_yuan(month.bonus)}" + ("; 暂定" if month.provisional else ""),
                ],
            )
        )
        for cell in ws[ws.max_row]:
            cell.font = bold
        ws.cell(row=ws.max_row, column=5).number_format = "0.00"
        for line in month.explanation:
            ws.append(cells(ws, [month_label(month.month), EXPLANATION_HEADER, "", "", None, line]))
            ws.cell(row=ws.max_row, column=6).alignment = wrap
    for adj in officer.adjustments:
        ws.append(cells(ws, ["调整", f"{adj.quarter} 更正", "", "", adj.amount, adj.reason]))
        ws.cell(row=ws.max_row, column=5).number_format = "0.00"
    for letter, w in zip("ABCDEF", (12, 18, 14, 12, 10, 70), strict=True):
        ws.column_dimensions[letter].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"
