"""The workbench in a real browser (Debian's Chromium driven by Playwright).

Skipped with a visible reason when /usr/bin/chromium is missing — except on CI (the CI
variable is set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gridcase.cases import services
from gridcase.cases.models import Case
from tests.factories import local, make_town, submitted_case

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("GRIDCASE_SCREENSHOTS", "/tmp"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls
    # between browser steps are ordinary synchronous code, which Django would otherwise
    # refuse. Allowed for these tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _browser()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Chromium at {CHROMIUM} (apt-get install -y chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def t(transactional_db):
    return make_town()


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def _page(user, *, phone: bool = False):
        options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        if phone:
            options |= {
                "viewport": {"width": 390, "height": 844},
                "device_scale_factor": 2,
                "is_mobile": True,
                "has_touch": True,
            }
        else:
            options["viewport"] = {"width": 1280, "height": 900}
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        # Each role lands on its own start page (web.nav.START_PAGES).
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield _page
    for context in contexts:
        context.close()


def case_now(number: str) -> Case:
    return Case.objects.get(number=number)


def test_officer_enters_submits_and_closes_a_dispute_on_a_phone(page_for, t, live_server):
    page = page_for(t.officer, phone=True)
    assert page.locator("h1").inner_text().strip() == "我的待办"
    page.click("text=录入事件")
    page.wait_for_url("**/cases/new/")
    page.select_option("#id_category", "dispute")
    page.fill("#id_title", "围墙纠纷")
    page.fill("#id_location", "东村3组")
    page.fill("#id_persons", "张三、李四")
    page.fill("#id_cause", "宅基地边界")
    page.fill("#id_course", "两家因围墙位置争执")
    page.fill("#id_parties-0-name", "张三")
    page.fill("#id_parties-0-phone", "13800138001")
    # Only one party: submit refuses and says so, keeping everything typed.
    page.locator(".action-bar button[value=submit_accept]").click()
    page.wait_for_selector(".msg-error")
    assert "矛盾纠纷需要至少两方当事人" in page.content()
    assert page.input_value("#id_location") == "东村3组"
    page.screenshot(path=str(SCREENSHOTS / "gridcase-entry-phone-error.png"), full_page=True)

    # The htmx button adds a fourth row without reloading the page.
    page.click("#party-add")
    page.wait_for_selector("#id_parties-3-name")
    assert page.input_value("#id_parties-TOTAL_FORMS") == "4"
    page.fill("#id_parties-1-name", "李四")
    page.fill("#id_parties-1-phone", "0731-84561234")
    page.fill("#id_parties-3-name", "王五")
    page.fill("#id_parties-3-phone", "13912345678")
    # The bottom action bar is within a thumb's reach on the phone.
    bar = page.locator(".action-bar").bounding_box()
    assert bar["y"] + bar["height"] <= 844 + 1 and bar["height"] >= 44
    page.locator(".action-bar button[value=submit_accept]").click()
    page.wait_for_url("**/cases/CT-*/")
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    case = case_now(number)
    # Handed in and taken on in one step (issue 14): the grid is the officer.
    assert case.state == "handling"
    assert [p.name for p in case.parties.all()] == ["张三", "李四", "王五"]

    # The next steps are open on the page: close on the spot, or escalate.
    page.fill("#id_close-result", "双方同意按原界线重建围墙")
    page.click("#action-close button[type=submit]")
    page.wait_for_selector(".msg-error")
    assert "缺少调解人" in page.content()
    page.fill("#id_close-mediator", "王调解")
    page.check("input[name=close-mediation_result][value=agreed]")
    page.check("input[name=close-agreement_form][value=written]")
    page.fill("#id_close-agreement_terms", "围墙按原界线重建\n费用各半")
    page.click("#action-close button[type=submit]")
    page.wait_for_selector(".msg-success")
    page.screenshot(path=str(SCREENSHOTS / "gridcase-closed-phone.png"), full_page=True)
    case = case_now(number)
    assert (case.state, case.closed_level) == ("closed", "grid")
    assert "由王调解进行调解,双方当事人达成书面协议:1.围墙按原界线重建;2.费用各半" in page.content()
    # Back on the queue, the closed dispute waits for its follow-up visit.
    page.click(".mainnav >> text=我的待办")
    assert page.locator(".tabs a.current").inner_text().startswith("待回访")
    page.screenshot(path=str(SCREENSHOTS / "gridcase-queue-phone.png"), full_page=True)


def test_village_station_escalates_a_case_from_its_queue(page_for, t, live_server):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村里协调", at=local(2026, 10, 12, 11))
    page = page_for(t.station_user)
    # The station lands on its queue with the case to accept.
    assert page.locator(".tabs a.current").inner_text().startswith("待受理")
    page.screenshot(path=str(SCREENSHOTS / "gridcase-queue-desktop.png"), full_page=True)
    page.click(f"text={case.number}")
    page.wait_for_url(f"**/cases/{case.number}/")
    page.click("#action-accept button[type=submit]")
    page.wait_for_selector(".msg-success")
    page.click("#action-escalate button[type=submit]")  # no reason: refused in words
    page.wait_for_selector(".msg-error")
    assert "请填写上报理由" in page.content()
    page.fill("#id_escalate-note", "涉及两村,需镇中心协调")
    page.click("#action-escalate button[type=submit]")
    page.wait_for_selector(".msg-success")
    page.screenshot(path=str(SCREENSHOTS / "gridcase-station-escalated.png"), full_page=True)
    case = case_now(case.number)
    assert (case.state, case.level, case.local_outcome) == ("pending", "town", "escalated")
    assert "镇社会服务管理中心" in page.locator(".timeline").inner_text()


def test_town_center_dispatches_to_a_department(page_for, t, live_server):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村里", at=local(2026, 10, 12, 11))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 12))
    services.case_escalate(case=case, by=t.station_user, note="需镇里", at=local(2026, 10, 12, 13))
    page = page_for(t.center_user)
    page.click(f"text={case.number}")
    page.click("#action-accept button[type=submit]")
    page.wait_for_selector(".msg-success")
    page.select_option("#id_dispatch-department", label=t.department.name)
    page.fill("#id_dispatch-note", "请派出所核查处理")
    page.click("#action-dispatch button[type=submit]")
    page.wait_for_selector(".msg-success")
    case = case_now(case.number)
    assert (case.level, case.department_id, case.state) == (
        "department",
        t.department.pk,
        "pending",
    )
    # The department finds it in its queue.
    dept = page_for(t.department_user)
    assert case.number in dept.locator("table.list").inner_text()


def test_a_role_outside_the_scope_gets_404(page_for, t, live_server):
    case = submitted_case(t, local(2026, 10, 12, 9))
    page = page_for(t.other_officer)
    assert case.number not in page.content()
    response = page.goto(f"{live_server.url}/cases/{case.number}/")
    assert response.status == 404
    assert "东村3组" not in page.content()


def test_pages_read_without_javascript(browser, live_server, t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "officer")
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.click(f"text={case.number}")
        assert "宅基地边界" in page.content()
        # Adding a party row works by reloading the form.
        page.goto(f"{live_server.url}/cases/new/")
        page.click("#party-add")
        page.wait_for_selector("#id_parties-3-name")
        # The language switcher posts to /i18n/setlang/.
        page.select_option("#lang-select", "en")
        page.click(".lang button")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        context.close()
