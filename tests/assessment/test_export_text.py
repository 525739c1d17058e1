"""The payroll workbook with names and reasons stored before the character rule: it opens,
shows the text without the refused characters, and holds no formula."""

import io

import pytest
from openpyxl import load_workbook

from gridcase.assessment import adjustments, exports, services
from gridcase.assessment import quarter as life
from gridcase.assessment.models import Adjustment
from gridcase.org.models import User, Village
from tests.assessment.builders import closed_locally
from tests.factories import local

Q4 = ["2026-10", "2026-11", "2026-12"]
LINK = '=HYPERLINK("http://x","y")'


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)


def test_the_payroll_has_no_formula_whatever_the_names_and_reasons(t):
    life.quarter_finalise(town=t.town, quarter="2026-Q3", by=t.office_user)
    life.quarter_approve(town=t.town, quarter="2026-Q3", by=t.leader)
    adjustments.adjustment_add(
        town=t.town,
        officer=t.officer,
        quarter="2026-Q3",
        amount="-10",
        reason="重复",
        by=t.office_user,
    )
    closed_locally(t, local(2026, 10, 12, 9))
    # Old data, straight through the ORM: the rule now refuses all of it at the door.
    User.objects.filter(pk=t.officer.pk).update(display_name=LINK + "\x01")
    Village.objects.filter(pk=t.village.pk).update(name="+东村\x02")
    Adjustment.objects.update(reason="=1+1\x03")

    result = services.assess_period(town=t.town, months=Q4)
    book = load_workbook(io.BytesIO(exports.render_xlsx(result)))
    every = [c for ws in book.worksheets for line in ws.iter_rows() for c in line]
    assert all(c.data_type != "f" for c in every)

    payroll = book["工资表"]
    officer_row = next(line for line in payroll.iter_rows() if line[2].value == LINK)
    assert officer_row[1].value == "+东村" and officer_row[1].quotePrefix
    assert officer_row[2].data_type == "s" and officer_row[2].quotePrefix
    assert isinstance(officer_row[3].value, int | float)  # money stays a number

    sheet = next(ws for ws in book.worksheets if ws.title.startswith("=HYPERLINK"))
    last = [c for c in list(sheet.iter_rows())[-1]]
    assert last[0].value == "调整" and last[5].value == "=1+1" and last[5].data_type == "s"
    assert last[4].value == -10


def test_the_payroll_download_answers_200(t, client):
    closed_locally(t, local(2026, 10, 12, 9))
    User.objects.filter(pk=t.officer.pk).update(display_name="张\x01伟")
    client.force_login(t.office_user)
    response = client.get("/assessment/2026-Q4/payroll.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "张伟" in book.sheetnames
