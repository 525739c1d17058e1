"""The Content-Security-Policy in a real browser: the workbench, the admin and the API docs work
under it with no violation (Chromium reports each one as a `securitypolicyviolation` event)."""

from __future__ import annotations

import pytest

from gridcase.cases import attachments
from gridcase.org.models import User
from tests import factories
from tests.web import test_browser_workbench as workbench

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser and the signed-in pages of the workbench's browser tests.
browser = workbench.browser
page_for = workbench.page_for
t = workbench.t

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def visit(page, url: str, ready: str, timeout: float = 15000) -> list[str]:
    """Open a page, wait until its scripts have drawn `ready`, return its CSP violations."""
    page.goto(url)
    page.wait_for_selector(ready, timeout=timeout)
    page.wait_for_timeout(300)  # a violation is reported asynchronously
    return page.evaluate("window.__cspViolations")


def test_workbench_pages_run_with_no_csp_violation(page_for, t, live_server):
    case = factories.submitted_case(t, factories.local(2026, 10, 13, 9))
    attachments.case_attach(case=case, by=t.officer, upload=workbench_png())
    page = page_for(t.officer)
    page.context.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    for url, ready in (
        ("/", "h1"),
        (f"/cases/{case.number}/", ".timeline, h1"),
        ("/inbox/", "h1"),
        ("/cases/new/", "#id_category"),
    ):
        assert visit(page, live_server.url + url, ready) == [], url
    # The case form's scripts ran (the dispute-only parties follow the category).
    page.select_option("#id_category", "dispute")
    assert page.locator(".parties.not-dispute").count() == 0
    assert not [text for text in console if "Content Security Policy" in text]


def test_the_admin_and_swagger_docs_run_with_no_csp_violation(browser, t, live_server):
    User.objects.create_superuser(username="root", password="pw", town=t.town)
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        # The admin sends people to the workbench's sign-in, and back.
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "root")
        page.fill("#id_password", "pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        assert page.evaluate("window.__cspViolations") == []
        assert visit(page, f"{live_server.url}/admin/org/user/add/", "#id_username") == []
        # Swagger UI draws the operations from the schema with its own scripts.
        assert visit(page, f"{live_server.url}/api/docs/", ".opblock", 60000) == []
        # Redoc: its styles and search worker are allowed on its page; the only thing refused
        # is the logo it would fetch from the internet, which is the point.
        violations = visit(page, f"{live_server.url}/api/docs/redoc/", ".redoc-wrap h1", 60000)
        assert all(v.startswith("img-src https://") for v in violations), violations
    finally:
        context.close()


def workbench_png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "现场.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"
    )
