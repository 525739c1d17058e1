"""Every amount is explained where it is shown (assessment.md, "Every figure is explained"):
the officer's statement, the town's month and quarter pages, the payroll XLSX, the JSON of the
pages, the command line and the API — with the policy's numbers, so that another policy gives
other sentences."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connections
from django.utils.html import escape
from openpyxl import load_workbook

from gridcase import cli
from gridcase.assessment import policy_versions
from gridcase.assessment.services import assess_period
from gridcase.cases import services as case_services
from gridcase.cases.models import Case
from gridcase.core.policy import DEFAULT_POLICY_PATH
from tests.api.conftest import device_client
from tests.assessment.builders import closed_locally
from tests.factories import local

pytestmark = pytest.mark.django_db
# The tick that confirms an irreversible step (issue 14).
CONFIRM = {"confirm": "on"}

OCT = "2026-10"
Q4 = "2026-Q4"
# The officer's October: three counted, one judged nonconforming.
OFFICER_BASE = (
    "四.1: 计入 3 起,不合格 1 起,少于任务数 8 起 4 起;扣款 10 × (4 + 1) = 50 元;"
    "基本工资 100 − 50 = 50 元"
)
OFFICER_BONUS = "四.2: 计入 3 起,未超出任务数 8 起,无超额奖励"
# The other officer's October: nothing at all — "why 80?"
NOBODY_BASE = "四.1: 计入 0 起,少于任务数 8 起 8 起;扣款 10 × 8 = 80 元;基本工资 100 − 80 = 20 元"


@pytest.fixture
def october(t, time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)
    for day in (12, 13, 14):
        closed_locally(t, local(2026, 10, day, 9))
    flawed = closed_locally(t, local(2026, 10, 15, 9))
    case_services.case_review(
        case=flawed, by=t.office_user, quality="nonconforming", note="起因描述不清"
    )
    return t


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_statement_shows_the_months_arithmetic(login, october):
    t = october
    page = html(login(t.officer).get(f"/assessment/{OCT}/officers/{t.officer.pk}/"))
    assert "计算过程" in page
    assert escape(OFFICER_BASE) in page and escape(OFFICER_BONUS) in page
    other = html(login(t.office_user).get(f"/assessment/{OCT}/officers/{t.other_officer.pk}/"))
    assert escape(NOBODY_BASE) in other


def test_the_towns_month_and_quarter_pages_explain_each_months_amount(login, october):
    t = october
    client = login(t.office_user)
    for period in (OCT, Q4):
        page = html(client.get(f"/assessment/{period}/"))
        # A <details> element: readable without JavaScript.
        assert "<details" in page and "计算过程" in page
        assert escape(OFFICER_BASE) in page and escape(NOBODY_BASE) in page


def test_the_payroll_has_an_explanation_column_and_the_sentences_on_the_officers_sheet(
    login, october
):
    t = october
    response = login(t.office_user).get(f"/assessment/{Q4}/payroll.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["工资表"]
    header = [c.value for c in sheet[3]]
    column = header.index("计算说明") + 1
    officer = assess_period(town=t.town, months=[OCT, "2026-11", "2026-12"]).officer(t.officer.pk)
    (row,) = [r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 3).value == officer.officer]
    text = sheet.cell(row, column).value
    assert "2026年10月:" in text and OFFICER_BASE in text and OFFICER_BONUS in text
    assert "2026年11月:" in text and NOBODY_BASE in text  # nothing in November either
    assert sheet.cell(row, column).alignment.wrap_text

    detail = book[officer.officer]
    lines = [[c.value for c in r] for r in detail.iter_rows()]
    explained = [line for line in lines if line[1] == "计算说明"]
    assert ["2026年10月", "计算说明", None, None, None, OFFICER_BASE] in explained
    assert ["2026年10月", "计算说明", None, None, None, OFFICER_BONUS] in explained


def _explanations(body: dict) -> list[list[str]]:
    """The first two sentences (四.1, 四.2) of every month in a result's JSON."""
    return [m["explanation"][:2] for o in body["officers"] for m in o["months"]]


def test_the_json_of_the_page_the_command_line_and_the_api_carry_the_explanation(
    login, october, monkeypatch, capsys
):
    t = october
    body = json.loads(login(t.office_user).get(f"/assessment/{OCT}/result.json").content)
    assert [OFFICER_BASE, OFFICER_BONUS] in _explanations(body)
    assert NOBODY_BASE in [e[0] for e in _explanations(body)]
    # The keys in the order of assessment.md: the explanation just before the cases.
    keys = list(body["officers"][0]["months"][0])
    assert keys[keys.index("explanation") + 1] == "cases"

    # `gridcase assess --format json`; a command closes the connections, the test's must live.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    code = cli.main(["assess", "--month", OCT, "--town", t.town.name, "--format", "json"])
    assert code in (0, None)
    assert [OFFICER_BASE, OFFICER_BONUS] in _explanations(json.loads(capsys.readouterr().out))

    api = device_client(t.office_user).get("/api/v1/assessment/result/", {"month": OCT})
    assert api.status_code == 200
    assert [OFFICER_BASE, OFFICER_BONUS] in _explanations(api.json())
    mine = device_client(t.officer).get(
        f"/api/v1/assessment/statements/{t.officer.pk}/", {"month": OCT}
    )
    assert mine.status_code == 200
    assert mine.json()["months"][0]["explanation"][:2] == [OFFICER_BASE, OFFICER_BONUS]


def test_the_api_schema_describes_the_explanation(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    month = json.loads(schema.content)["components"]["schemas"]["MonthResult"]
    assert month["properties"]["explanation"]["type"] == "array"
    assert "explanation" in month["required"]


def test_another_policy_gives_other_numbers_everywhere(login, october):
    t = october
    source = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    source = source.replace("per_missing = 10", "per_missing = 12")
    source = source.replace('code = "changtang-2016"', 'code = "changtang-2026"')
    source = source.replace("effective_from = 2016-05-01", "effective_from = 2026-10-01")
    assert "per_missing = 12" in source
    policy_versions.policy_upload(town=t.town, source=source)

    mine = "扣款 12 × (4 + 1) = 60 元;基本工资 100 − 60 = 40 元"
    nobody = "扣款 12 × 8 = 96 元,超过扣款上限 80 元,扣 80 元;基本工资 100 − 80 = 20 元"
    client = login(t.office_user)
    page = html(client.get(f"/assessment/{OCT}/officers/{t.officer.pk}/"))
    assert escape(mine) in page and escape("10 × (4 + 1)") not in page
    assert escape(nobody) in html(client.get(f"/assessment/{OCT}/"))

    sheet = load_workbook(io.BytesIO(client.get(f"/assessment/{OCT}/payroll.xlsx").content))
    texts = [c.value or "" for r in sheet["工资表"].iter_rows() for c in r if c.column > 3]
    assert any(mine in str(text) for text in texts)
    assert any(nobody in str(text) for text in texts)

    body = json.loads(client.get(f"/assessment/{OCT}/result.json").content)
    lines = [line for o in body["officers"] for m in o["months"] for line in m["explanation"]]
    assert any(mine in line for line in lines) and any(nobody in line for line in lines)


def test_a_finalised_quarter_keeps_its_explanation(login, october):
    t = october
    client = login(t.office_user)
    assert client.post(f"/assessment/{Q4}/finalise/", CONFIRM, follow=True).status_code == 200
    # A later review changes the live figures, not the frozen quarter or its words.
    flawed = assess_period(town=t.town, months=[OCT], live=True).officer(t.officer.pk)
    case_no = next(c.case_no for c in flawed.months[0].cases if c.status == "nonconforming")
    case_services.case_review(
        case=Case.objects.get(number=case_no), by=t.office_user, quality="conforming", note="已补充"
    )
    page = html(client.get(f"/assessment/{Q4}/officers/{t.officer.pk}/"))
    assert escape(OFFICER_BASE) in page
