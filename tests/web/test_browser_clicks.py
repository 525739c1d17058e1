"""How many clicks and page changes each role's common task takes, from its start page
(issue 14): counted in a real browser and pinned, so that a page that makes a task longer
fails here. The numbers before and after the issue are in the README ("Clicks per task").

A click is a tap on a link or a button (the steps); choosing in a radio group, a drop-down or
a tick box is counted apart (choices), and so is typing into a field (fields typed): those
are the task's content, the same on any page. A page change is a new document in the tab (a
redirect after a POST is one change, not two); no step changes the page more than once."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from gridcase.assessment import appeals
from gridcase.assessment.models import Appeal
from gridcase.cases import services
from gridcase.cases.models import Case
from tests.assessment.builders import closed_locally
from tests.factories import local, submitted_case
from tests.web.test_browser_workbench import SCREENSHOTS, browser, page_for, t  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Counted:
    """A Playwright page whose clicks, choices, typed fields and page changes are counted."""

    page: object
    clicks: int = 0
    choices: int = 0
    typed: int = 0
    pages: int = 0
    log: list[str] = field(default_factory=list)

    def __post_init__(self):
        main = self.page.main_frame
        self.page.on("framenavigated", lambda frame: self._navigated(frame, main))

    def _navigated(self, frame, main):
        if frame == main:
            self.pages += 1

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.log.append(selector)
        self.page.click(selector)

    def check(self, selector: str) -> None:
        self.choices += 1
        self.page.check(selector)

    def select(self, selector: str, **option) -> None:
        self.choices += 1
        self.page.select_option(selector, **option)

    def fill(self, selector: str, text: str) -> None:
        self.typed += 1
        self.page.fill(selector, text)

    def done(self, task: str) -> dict[str, int]:
        """The task's counts once its last step succeeded: at most half the clicks of before."""
        self.page.wait_for_selector(".msg-success")
        counts = {
            "clicks": self.clicks,
            "choices": self.choices,
            "typed": self.typed,
            "pages": self.pages,
        }
        print(counts)  # for the README's table: pytest -s tests/web/test_browser_clicks.py
        assert self.pages <= self.clicks, self.log  # never more than one page change a step
        # Issue 14's target: at most half the clicks it took before.
        assert self.clicks <= BEFORE[task][0] // 2, self.log
        return counts


def start(page_for, user, **options) -> Counted:  # noqa: F811
    """The person signed in and on their start page; counting starts here."""
    return Counted(page_for(user, **options))


def case_now(number: str) -> Case:
    return Case.objects.get(number=number)


def at_village(t):  # noqa: F811
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村里协调", at=local(2026, 10, 12, 11))
    return case


def at_town(t):  # noqa: F811
    case = at_village(t)
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 12))
    services.case_escalate(
        case=case, by=t.station_user, note="涉及两村,需镇中心协调", at=local(2026, 10, 12, 13)
    )
    return case


def at_department(t):  # noqa: F811
    case = at_town(t)
    services.case_accept(case=case, by=t.center_user, at=local(2026, 10, 12, 14))
    services.case_dispatch(
        case=case,
        by=t.center_user,
        department=t.department,
        note="请核查",
        at=local(2026, 10, 12, 15),
    )
    return case


def reported(t):  # noqa: F811
    case = at_department(t)
    services.case_accept(case=case, by=t.department_user, at=local(2026, 10, 13, 9))
    services.case_report(
        case=case, by=t.department_user, result="已拆除违建围墙", at=local(2026, 10, 13, 10)
    )
    return case


# Before issue 14 (main at e62f32e, the same tasks on its pages): clicks, choices, typed, pages.
BEFORE = {
    "officer": (4, 0, 8, 3),
    "station": (5, 2, 3, 3),
    "center_dispatch": (5, 1, 1, 3),
    "department": (5, 0, 1, 3),
    "center_close": (3, 0, 1, 2),
    "office_appeal": (3, 2, 0, 3),
}


def test_officer_files_a_complete_case_on_the_phone(page_for, t, live_server):  # noqa: F811
    p = start(page_for, t.officer, phone=True)
    p.click("text=录入事件")
    p.fill("#id_location", "东村3组")
    p.fill("#id_persons", "张三、李四")
    p.fill("#id_cause", "宅基地边界")
    p.fill("#id_course", "两家因围墙位置争执")
    p.fill("#id_parties-0-name", "张三")
    p.fill("#id_parties-0-phone", "13800138001")
    p.fill("#id_parties-1-name", "李四")
    p.fill("#id_parties-1-phone", "13800138002")
    p.click(".action-bar button[value=submit_accept]")  # 提交并受理: the grid is the officer
    assert p.done("officer") == {"clicks": 2, "choices": 0, "typed": 8, "pages": 2}
    number = p.page.url.rstrip("/").rsplit("/", 1)[-1]
    assert case_now(number).state == "handling"
    # Closing on the spot or escalating is the next step, open on the same page.
    assert p.page.locator("#action-close form").is_visible()
    assert p.page.locator("#action-escalate form").is_visible()


def test_village_station_accepts_and_closes_with_a_mediation_record(page_for, t, live_server):  # noqa: F811
    case = at_village(t)
    p = start(page_for, t.station_user)
    p.click(f"text={case.number}")
    assert "需村里协调" in p.page.locator("#handover").inner_text()  # why it came, first
    p.page.screenshot(path=str(SCREENSHOTS / "gridcase-next-step-station.png"), full_page=True)
    p.fill("#id_accept_close-result", "双方同意按原界线重建围墙")
    p.fill("#id_accept_close-mediator", "王调解")
    p.check("input[name=accept_close-mediation_result][value=agreed]")
    p.check("input[name=accept_close-agreement_form][value=written]")
    p.fill("#id_accept_close-agreement_terms", "围墙按原界线重建\n费用各半")
    p.click("#action-accept_close button[type=submit]")  # 受理并结案
    assert p.done("station") == {"clicks": 2, "choices": 2, "typed": 3, "pages": 2}
    case = case_now(case.number)
    assert (case.state, case.closed_level) == ("closed", "village")
    assert case.timeline.filter(action="accept").exists()  # the acceptance is recorded


def test_town_center_dispatches(page_for, t, live_server):  # noqa: F811
    case = at_town(t)
    p = start(page_for, t.center_user)
    p.click(f"text={case.number}")
    assert "涉及两村" in p.page.locator("#handover").inner_text()
    p.select("#id_accept_dispatch-department", label=t.department.name)
    p.fill("#id_accept_dispatch-note", "请派出所核查处理")
    p.click("#action-accept_dispatch button[type=submit]")  # 受理并分流
    assert p.done("center_dispatch") == {"clicks": 2, "choices": 1, "typed": 1, "pages": 2}
    assert case_now(case.number).level == "department"
    # The timeline names the department, not only "部门".
    assert f"部门({t.department.name})" in p.page.locator(".timeline").inner_text()


def test_department_reports(page_for, t, live_server):  # noqa: F811
    case = at_department(t)
    p = start(page_for, t.department_user)
    p.click(f"text={case.number}")
    p.fill("#id_accept_report-result", "已拆除违建围墙")
    p.click("#action-accept_report button[type=submit]")  # 受理并反馈办理结果
    assert p.done("department") == {"clicks": 2, "choices": 0, "typed": 1, "pages": 2}
    assert case_now(case.number).state == "reported"


def test_town_center_closes_from_the_report(page_for, t, live_server):  # noqa: F811
    case = reported(t)
    p = start(page_for, t.center_user)
    # The start page lists the reported case with the department's report: nothing to open,
    # nothing to type again.
    row = p.page.locator(f"#reported-{case.number}")
    assert "已拆除违建围墙" in row.inner_text() and t.department.name in row.inner_text()
    p.page.screenshot(path=str(SCREENSHOTS / "gridcase-close-from-report.png"), full_page=True)
    p.click(f"#reported-{case.number} button[type=submit]")  # 按反馈结案
    assert p.done("center_close") == {"clicks": 1, "choices": 0, "typed": 0, "pages": 1}
    case = case_now(case.number)
    assert (case.state, case.result) == ("closed", "已拆除违建围墙")
    assert p.page.url.rstrip("/") == live_server.url  # back on the start page


def test_office_decides_an_appeal(page_for, t, live_server):  # noqa: F811
    case = closed_locally(t, local(2026, 10, 12, 9))
    appeals.appeal_file(case=case, by=t.officer, reason="已补充起因", at=local(2026, 10, 20, 9))
    p = start(page_for, t.office_user)
    # The pending appeal waits on the start page with its decide form.
    p.check("#appeals input[name=decision][value=accept]")
    p.select("#appeals form.decide select[name=override]", value="conforming")
    p.click("#appeals form.decide button[type=submit]")
    assert p.done("office_appeal") == {"clicks": 1, "choices": 2, "typed": 0, "pages": 1}
    assert Appeal.objects.get(case=case).status == "accepted"
    assert p.page.url.rstrip("/") == live_server.url  # back on the start page
