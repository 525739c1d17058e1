"""The characters a text may contain, and export cells that are never formulas."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from gridcase.core import spreadsheet, text


@pytest.mark.parametrize(
    "value,position",
    [
        ("村道路灯", None),
        ("第一行\n第二行\r\n\t缩进", None),
        ("a\x00b", 2),
        ("\x01", 1),
        ("ab\x08", 3),
        ("ab\x0b", 3),
        ("ab\x0c", 3),
        ("ab\x1f", 3),
        ("ab\ufffe", 3),
        ("ab\uffff", 3),
        ("ab\ud800", 3),
        ("好\udfff", 2),
        ("emoji 😀 is fine", None),
        ("\x7f and \x85 are XML 1.0 characters", None),
    ],
)
def test_the_first_refused_character_is_found_by_its_position(value, position):
    assert text.first_invalid(value) == position


def test_the_message_names_the_field_and_the_position():
    with pytest.raises(ValidationError) as caught:
        text.check_text("标题\x01", "标题")
    assert caught.value.messages == ["标题含有不允许的控制字符(第 3 个字符)"]
    assert caught.value.code == "invalid_chars"
    text.check_text("正常的标题\n", "标题")  # no exception


@given(st.text())
def test_stripped_text_always_survives_xml(value):
    cleaned = text.strip_invalid(value)
    assert text.first_invalid(cleaned) is None
    element = ET.Element("a")
    element.text = cleaned
    parsed = ET.fromstring(ET.tostring(element, encoding="utf-8")).text or ""
    # XML reads every line end as \n.
    assert parsed == cleaned.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize(
    "path,bad",
    [
        ("/cases/CT-2026-00001/", False),
        ("/cases/长塘/", False),
        ("/cases/CT-2026\x00/", True),
        ("/cases/a\tb/", True),
        ("/cases/a\nb/", True),
        ("/cases/a\x7fb/", True),
        ("/cases/a\ufffeb/", True),
    ],
)
def test_a_path_with_a_control_character_is_invalid(path, bad):
    assert text.has_control(path) is bad


# ---------------------------------------------------------------- export cells

RISKY = [
    '=HYPERLINK("http://x","y")',
    "+1+2",
    "-1+2",
    "@SUM(A1)",
    "\t=1+2",
    "\r=1+2",
    "#N/A",
]


def reopened(wb) -> Workbook:
    buffer = io.BytesIO()
    wb.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("write_only", [True, False], ids=["write_only", "normal"])
def test_risky_text_is_written_as_text_and_shown_unchanged(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("s") if write_only else wb.active
    values = [*RISKY, "普通文字", 42, -3.5, None, "末尾"]
    ws.append(spreadsheet.row(ws, values))
    if not write_only:
        for column, value in enumerate(values, start=1):
            spreadsheet.put(ws, 2, column, value)
    sheet = reopened(wb).worksheets[0]
    for line in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
        cells = list(line)
        assert all(c.data_type != "f" for c in cells)
        # XML reads a carriage return as a line feed; the text is otherwise as written.
        shown = [v.replace("\r", "\n") if isinstance(v, str) else v for v in values]
        assert [c.value for c in cells][: len(values)] == shown
        for cell in cells[: len(RISKY)]:
            assert cell.data_type == "s" and cell.quotePrefix
        # A plain value after a risky one keeps no quote prefix, and numbers stay numbers.
        assert not cells[len(RISKY)].quotePrefix
        assert cells[len(RISKY) + 1].data_type == "n"


def test_refused_characters_are_dropped_from_cells():
    wb = Workbook()
    ws = wb.active
    ws.append(spreadsheet.row(ws, ["a\x01b\x00c", "=\x02HYPERLINK(1)", "x\ufffey"]))
    spreadsheet.put(ws, 2, 1, "行\x1f2")
    sheet = reopened(wb).active
    assert [c.value for c in sheet[1]] == ["abc", "=HYPERLINK(1)", "xy"]
    assert sheet[1][1].data_type == "s"
    assert sheet["A2"].value == "行2"


def test_csv_cells_start_with_an_apostrophe_when_they_could_run():
    out = io.StringIO()
    csv.writer(out).writerow(spreadsheet.csv_row([*RISKY[:6], "普通", 7, "a\x01b"]))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'" + value for value in RISKY[:6]] + [
        "普通",
        "7",
        "ab",
    ]


def test_services_speak_chinese_and_forms_the_persons_language():
    from django.utils import translation

    with translation.override("en"):
        assert text.invalid_message("起因", 4) == "起因含有不允许的控制字符(第 4 个字符)"
        with pytest.raises(ValidationError) as caught:
            text.check_text("ab\x01", "Cause")
    assert caught.value.messages == [
        "Cause contains a control character that is not allowed (character 3)"
    ]
