"""Old data cannot break an export: a case stored with control characters and text that looks
like a formula (straight through the ORM, as data from before the rule would be) exports with
200, every cell is plain text, and nothing is ever a formula."""

import io

import pytest
from openpyxl import load_workbook

from gridcase.cases import services
from gridcase.cases.models import Case, Party
from gridcase.org.models import User, Village
from tests.factories import CLOSE_DISPUTE, local, submitted_case

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://x","y")'


def cells(response) -> list[list]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows())
    assert all(c.data_type != "f" for line in rows for c in line)
    return rows


@pytest.fixture
def poisoned(t):
    case = submitted_case(t, local(2026, 10, 12, 9), title="围墙")
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 13, 16))
    Case.objects.filter(pk=case.pk).update(
        title="\x01" + LINK,
        location=LINK,
        persons="@SUM(A1)",
        cause="起\x01因\x1f",
        course="+1+2\ufffe",
        result="-1",
        mediator="\t=1+1",
        agreement_terms=["=A1", "费用\x02各半"],
    )
    Party.objects.filter(case=case, position=0).update(name="=张\x03三")
    User.objects.filter(pk=t.officer.pk).update(display_name="=officer\x04")
    Village.objects.filter(pk=t.village.pk).update(name="-东村\x05")
    return case


def test_the_ledger_export_survives_old_data_and_has_no_formula(login, t, poisoned, frozen):
    rows = cells(login(t.center_user).get("/cases/export.xlsx?tab=all"))
    header = [c.value for c in rows[0]]
    row = dict(zip(header, rows[1], strict=True))
    assert row["发生地点"].value == LINK
    assert row["发生地点"].data_type == "s" and row["发生地点"].quotePrefix
    assert row["人物"].value == "@SUM(A1)"
    assert row["起因"].value == "起因"
    assert row["经过"].value == "+1+2"
    assert row["处理结果"].value == "-1" and row["处理结果"].data_type == "s"
    assert row["调解人"].value == "\t=1+1"
    assert row["协议内容"].value == "=A1;费用各半"
    assert row["当事人及电话"].value.startswith("=张三:")
    assert row["网格专管员"].value == "=officer"
    assert row["行政村"].value == "-东村"
    assert row["序号"].value == 1 and row["序号"].data_type == "n"
    assert not row["事件编号"].quotePrefix


def test_one_bad_case_does_not_break_the_export_for_the_town(login, t, poisoned, frozen):
    submitted_case(t, local(2026, 10, 13, 9), category="security_hazard", parties=[])
    rows = cells(login(t.office_user).get("/cases/export.xlsx?tab=all"))
    assert len(rows) == 3
