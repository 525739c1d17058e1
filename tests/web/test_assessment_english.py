"""The pay rules' reasons and the month's arithmetic read in the reader's language on the
assessment pages (issue 14), while the JSON, the workbook and the finalised quarter's snapshot
keep them in Chinese, as assessment.md writes them; a quarter finalised before the reasons were
kept as message ids shows its Chinese as stored."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.utils.html import escape
from openpyxl import load_workbook

from gridcase.assessment.models import QuarterAssessment
from gridcase.cases import services as case_services
from tests.assessment.builders import closed_locally
from tests.factories import local

pytestmark = pytest.mark.django_db
CONFIRM = {"confirm": "on"}

OCT = "2026-10"
Q4 = "2026-Q4"
BASE_ZH = (
    "四.1: 计入 3 起,不合格 1 起,少于任务数 8 起 4 起;扣款 10 × (4 + 1) = 50 元;"
    "基本工资 100 − 50 = 50 元"
)
BASE_EN = (
    "Rule 4.1: counted: 3, nonconforming: 1, 4 short of the quota of 8; "
    "deduction 10 × (4 + 1) = 50 yuan; base pay 100 − 50 = 50 yuan"
)
FLAWED_ZH = "四.1: 质量不符合要求: 综治办评定不合格: 起因描述不清 (每起扣 10 元)"
FLAWED_EN = (
    "Rule 4.1: quality not up to the requirements: judged nonconforming by the governance "
    "office: 起因描述不清 (10 yuan deducted for each such case)"
)
QUOTA_EN = "Rule 4.1: counts toward the quota"


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


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def reader(login, user, language: str):
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_an_english_reader_reads_the_reasons_in_english_and_the_json_stays_chinese(login, october):
    t = october
    english = reader(login, t.officer, "en")
    statement = page(english, f"/assessment/{OCT}/officers/{t.officer.pk}/")
    assert escape(BASE_EN) in statement
    assert escape(FLAWED_EN) in statement and escape(QUOTA_EN) in statement
    assert "四.1" not in statement and "质量不符合要求" not in statement

    office = reader(login, t.office_user, "en")
    for period in (OCT, Q4):
        assert escape(BASE_EN) in page(office, f"/assessment/{period}/")

    # The machines' copies, fetched by the same English reader: in Chinese, as before.
    body = json.loads(office.get(f"/assessment/{OCT}/result.json").content)
    (mine,) = [o for o in body["officers"] if o["months"][0]["nonconforming"]]
    assert mine["months"][0]["explanation"][0] == BASE_ZH
    assert FLAWED_ZH in [c["reason"] for c in mine["months"][0]["cases"]]
    book = load_workbook(io.BytesIO(office.get(f"/assessment/{Q4}/payroll.xlsx").content))
    texts = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row]
    assert any(BASE_ZH in text for text in texts) and FLAWED_ZH in texts
    assert not any("Rule 4.1" in text for text in texts)

    # A Chinese reader reads the Chinese.
    chinese = reader(login, t.officer, "zh-hans")
    statement = page(chinese, f"/assessment/{OCT}/officers/{t.officer.pk}/")
    assert escape(BASE_ZH) in statement and escape(FLAWED_ZH) in statement


def test_a_finalised_quarter_reads_in_english_and_an_older_snapshot_as_stored(login, october):
    t = october
    office = reader(login, t.office_user, "en")
    assert office.post(f"/assessment/{Q4}/finalise/", CONFIRM, follow=True).status_code == 200
    row = QuarterAssessment.objects.get(town=t.town, quarter=Q4)
    assert row.snapshot["version"] == 2
    # Frozen in Chinese (finalised by an English reader), with the words beside it.
    (mine,) = [o for o in row.snapshot["officers"] if o["officer_id"] == t.officer.pk]
    october_ = mine["months"][0]
    assert october_["explanation"][0] == BASE_ZH and "explained" in october_
    assert all("words" in c for c in october_["cases"])
    assert escape(FLAWED_EN) in page(office, f"/assessment/{Q4}/officers/{t.officer.pk}/")

    # A snapshot frozen before the words were kept: its Chinese, as stored.
    for o in row.snapshot["officers"]:
        for m in o["months"]:
            m.pop("explained", None)
            for c in m["cases"]:
                c.pop("words", None)
    row.snapshot["version"] = 1
    row.save(update_fields=["snapshot"])
    statement = page(office, f"/assessment/{Q4}/officers/{t.officer.pk}/")
    assert escape(FLAWED_ZH) in statement and escape(BASE_ZH) in statement
