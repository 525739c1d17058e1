"""WCAG 2.0/2.1 A and AA over every page of every role, checked by axe-core (issue 16).

A demo-like town (the demo's builder, twenty days of cases) is walked by each role from its
home page, following the links it is shown: each kind of page once (the URL's name and its
query's keys), with every collapsed section (<details>) opened, on a desktop and on a phone.
Then each form with something to type is sent empty, and the page that answers (its errors)
is checked too. Any violation of a rule tagged wcag2a, wcag2aa, wcag21a or wcag21aa fails,
printed with its rule, its target and its page.

The walk must reach every page of the workbench's URL configuration: a page no role reaches
fails the test until it is linked, seeded in SEEDS, or named in NOT_PAGES with the reason.

axe-core is vendored in tests/web/vendor/axe-core (pinned, see its README) and added to each
page as an init script, which the site's Content-Security-Policy does not apply to (the CSP
itself is tested in test_browser_csp.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from gridcase.assessment.policy_versions import policy_upload
from gridcase.cases import filing
from gridcase.core.policy import DEFAULT_POLICY_PATH
from gridcase.demo import town as demo
from gridcase.ledger.models import ExportJob, ImportJob
from gridcase.notify import services as notify_services
from gridcase.org.models import Unit, User
from tests.factories import local
from tests.web import test_browser_workbench as workbench

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = workbench.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Wednesday 14 October 2026, 10:00 in Shanghai: the demo's twenty days hold the National Day
# holiday, so its lights are of every colour.
NOW = local(2026, 10, 14, 10)

# The demo's people, one of each role (demo.logins()).
ROLES = ["officer01", "station01", "center1", "dept_police", "office", "leader", "admin"]

# The workbench's namespaces (the admin, the API and its docs are other people's pages).
NAMESPACES = {"web", "dash", "manage", "assess", "inbox"}

# URLs that are not pages to look at: what they answer is a file, a fragment of a page, or
# the result of a POST.
NOT_PAGES = {
    "web:logout": "POST only",
    "web:party_row": "a fragment of the case form (htmx), checked inside it",
    "web:suspects_check": "a fragment of the case form (htmx), checked inside it",
    "web:ledger_export": "an xlsx file",
    "web:case_act": "POST only: the case's actions, whose forms are on the case's page",
    "web:case_appeal": "POST only: an appeal filed from the case page, whose form is there",
    "web:start_close": "POST only: 按反馈结案, whose button is on the center's start page",
    "web:start_appeal_decide": "POST only: an appeal's decision, whose form is on the start page",
    "web:attachment": "the attached file itself",
    "web:export_status": "a fragment of the export job's page (htmx)",
    "web:map_points": "the JSON the town map's page asks for, drawn inside it",
    "web:map_near": "the JSON of the map's “附近”, drawn and listed inside the map's page",
    "web:map_base": "the town's base-map file (PMTiles), read by the map in byte ranges",
    "web:case_locate": "the JSON the case form's locate.js asks for, said inside the form",
    "web:export_download": "the exported file",
    "web:ledger_upload": "POST only: the upload form is on the import page",
    "web:ledger_status": "a fragment of the import job's page (htmx)",
    "web:ledger_confirm": "POST only",
    "web:ledger_cancel": "POST only",
    "inbox:read_all": "POST only",
    "inbox:read": "POST only",
    "inbox:open": "a redirect to what the item is about",
    "assess:payroll": "an xlsx file",
    "assess:json": "a JSON file",
    "assess:suspect_decide": "POST only",
    "assess:finalise": "POST only",
    "assess:approve": "POST only",
    "assess:reopen": "POST only",
    "assess:adjust": "POST only",
    "assess:appeal_decide": "POST only",
    "assess:appeal_file": "POST only: its form is on the officer's statement",
    "dash:pay": "a fragment of the dashboards page (htmx), checked inside it",
    "manage:village_delete": "POST only",
    "manage:grid_delete": "POST only",
    "manage:unit_delete": "POST only",
    "manage:person_password": "POST only",
    "manage:person_active": "POST only",
    "manage:role_add": "POST only",
    "manage:role_revoke": "POST only",
    "manage:calendar_delete": "POST only",
    "manage:resend_failed": "POST only",
    "manage:channel_delete": "POST only",
    "manage:channel_test": "POST only",
    "manage:sign_in_unlock": "POST only",
    "web:field_sw": "平安通's service worker (JavaScript)",
    "web:field_manifest": "平安通's web manifest (JSON)",
}

# Links never followed: they change things on GET or leave the workbench.
SKIP_PREFIXES = ("/accounts/logout/", "/admin/", "/api/", "/i18n/", "/static/")


def workbench_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name and namespace in NAMESPACES:
                names.add(f"{namespace}:{p.name}")

    walk(get_resolver().url_patterns, None)
    return names


def test_the_vendored_axe_core_is_the_pinned_release():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert f"axe v{AXE_VERSION}" in AXE.read_text()[:200]


def test_not_pages_name_urls_that_exist():
    assert set(NOT_PAGES) <= workbench_url_names()


def page_kind(url: str) -> str | None:
    """The URL's name and its query's keys (and the tab shown): one page of each kind is
    enough; None for what is not a workbench page."""
    parts = urlsplit(url)
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = f"{match.namespace}:{match.url_name}"
    if match.namespace not in NAMESPACES or name in NOT_PAGES:
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    keys = sorted({k if k != "tab" else f"tab={v}" for k, v in query if k != "page"})
    return name + ("?" + "&".join(keys) if keys else "")


RUN_AXE = r"""async (tags) => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations", "incomplete"],
  });
  const brief = (r) => ({
    id: r.id,
    help: r.help,
    nodes: r.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  });
  // A field's help and errors are read with it only if the ids it names exist.
  const missing = [];
  document.querySelectorAll("[aria-describedby], [aria-labelledby]").forEach((el) => {
    for (const attr of ["aria-describedby", "aria-labelledby"]) {
      for (const id of (el.getAttribute(attr) || "").split(/\s+/).filter(Boolean)) {
        if (document.getElementById(id)) continue;
        missing.push(`${attr} of #${el.id || el.name} names #${id}, which is not there`);
      }
    }
  });
  // axe cannot judge a chart's drawn text ("needs review"): each chart is an image with a
  // name, and the same numbers are in a table beside it.
  document.querySelectorAll("svg.chart").forEach((svg, i) => {
    const pair = svg.closest("figure")?.parentElement;
    const named = svg.getAttribute("role") === "img" && svg.getAttribute("aria-labelledby");
    if (named && pair?.querySelector("table caption")) return;
    missing.push(`chart ${i} has no name or no table beside it`);
  });
  return {
    violations: result.violations.map(brief),
    incomplete: result.incomplete.map(brief),
    missing,
  };
}"""

# The forms a person fills in: they are sent empty to see their errors.
FORMS_TO_SEND_EMPTY = """() => {
  const typed = 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])'
    + ':not([type=submit]):not([type=button]):not([type=file]), textarea';
  const submit = "button[type=submit], button:not([type]), input[type=submit]";
  return Array.from(document.querySelectorAll("form")).map((form, index) => ({
    index,
    post: (form.getAttribute("method") || "get").toLowerCase() === "post",
    typed: form.querySelectorAll(typed).length,
    button: form.querySelector(submit) !== null,
  })).filter((f) => f.post && f.typed > 0 && f.button).map((f) => f.index);
}"""

SEND_EMPTY = """(index) => {
  const form = document.querySelectorAll("form")[index];
  form.closest("details")?.setAttribute("open", "");
  form.noValidate = true;
  form.querySelectorAll("input:not([type=hidden]):not([type=submit]):not([type=button])"
    + ":not([type=checkbox]):not([type=radio]), textarea").forEach((el) => { el.value = ""; });
  const button = form.querySelector("button[type=submit], button:not([type]), input[type=submit]");
  button.click();
}"""


class Walk:
    def __init__(self, context, base: str):
        self.page = context.new_page()
        self.page.set_default_timeout(20000)
        self.base = base
        self.findings: list[str] = []
        self.review: dict[str, set[str]] = {}
        self.checked = 0

    def check(self, where: str) -> None:
        result = self.page.evaluate(RUN_AXE, WCAG)
        self.checked += 1
        for v in result["violations"]:
            for node in v["nodes"]:
                self.findings.append(f"{v['id']}: {node['target']} on {where} ({v['help']})")
        for missing in result["missing"]:
            self.findings.append(f"{missing}: on {where}")
        for r in result["incomplete"]:
            target = r["nodes"][0]["target"] if r["nodes"] else ""
            self.review.setdefault(r["id"], set()).add(f"{target} on {where}")

    def open(self, path: str) -> list[str]:
        """Open a page, check it, return the links it shows."""
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.check(path)
        return self.page.eval_on_selector_all(
            "a[href]", "links => links.map((a) => a.getAttribute('href'))"
        )

    def errors(self, path: str) -> int:
        """Send each typed-in form of the page empty and check the page that answers."""
        self.page.goto(self.base + path)
        forms = self.page.evaluate(FORMS_TO_SEND_EMPTY)
        for index in forms:
            if index != forms[0]:
                self.page.goto(self.base + path)
            self.page.evaluate("() => { window.__sent = true; }")
            self.page.evaluate(SEND_EMPTY, index)
            try:  # a new page (the form's errors) ...
                self.page.wait_for_function("() => !window.__sent", timeout=5000)
            except PlaywrightTimeout:  # ... or its errors drawn in place (htmx)
                print(f"no new page after sending form {index} of {path} empty")
            self.page.wait_for_load_state("networkidle")
            self.check(f"{path} (form {index} sent empty)")
        return len(forms)


def session_cookie(user: User, base: str) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


@pytest.fixture
def town(transactional_db, settings, tmp_path):
    """The demo town, with what its twenty days do not make: a draft, a policy version, a
    notification channel, an export and an import under way. Returns the pages that no link
    leads to, by the person who may open them."""
    settings.HUEY = {**settings.HUEY, "immediate": True}
    settings.MEDIA_ROOT = tmp_path / "media"
    # The browser's clock is the machine's: cookies that last the browser's session.
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(NOW, tick=True):
        town = demo.build_demo(days=20, out=lambda *_: None)
        people = {u.username: u for u in User.objects.filter(username__in=ROLES)}
        draft = filing.case_create_draft(
            town=town,
            by=people["officer01"],
            data={"category": "dispute", "title": "草稿", "occurred_at": NOW},
            at=NOW,
        )
        policy_upload(
            town=town,
            source=DEFAULT_POLICY_PATH.read_text(encoding="utf-8"),
            by=people["admin"],
        )
        notify_services.channel_config_create(
            by=people["admin"],
            unit=Unit.objects.filter(town=town, kind="town_center").get(),
            kind="webhook",
            target="https://hooks.example.gov.cn/gridcase",
            secret="s" * 32,
        )
        export = ExportJob.objects.create(
            kind="cases",
            created_by=people["center1"],
            created_at=NOW,
            state=ExportJob.State.RUNNING,
            progress=40,
            file_name="事件台账.xlsx",
        )
        ledger = ImportJob.objects.create(
            town=town,
            created_by=people["office"],
            created_at=NOW,
            file_name="台账.xlsx",
            state=ImportJob.State.REFUSED,
            error="第 3 行:缺少事件类别",
        )
        yield {
            "officer01": [f"/cases/{draft.number}/edit/"],
            "center1": [f"/exports/{export.pk}/"],
            "office": [f"/ledger/import/jobs/{ledger.pk}/"],
            # Linked from the policy page only while the town has no version of its own.
            "admin": [f"/manage/{town.pk}/policy/default/"],
        }


def walk_for(browser, base: str, user: User | None, viewport: dict) -> Walk:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **viewport)
    context.add_init_script(path=str(AXE))
    if user is not None:
        context.add_cookies([session_cookie(user, base)])
    return Walk(context, base)


def crawl(walk: Walk, seeds: list[str]) -> list[tuple[str, str]]:
    """Check the pages this person reaches from the home page (and the seeds), one of each
    kind; return them with their kinds."""
    queue, kinds, plan = ["/", *seeds], set(), []
    while queue:
        path = queue.pop(0)
        kind = page_kind(path)
        if kind is None or kind in kinds:
            continue
        kinds.add(kind)
        plan.append((path, kind))
        for href in walk.open(path):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("#"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return plan


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def test_every_page_of_every_role_meets_wcag_2_1_aa(browser, town, live_server):
    """On the desktop each role walks its pages and sends its forms empty. On the phone (the
    same templates in another layout) each kind of page is checked once, by the first role
    that reaches it, and the case form is sent empty; a few minutes for the whole."""
    base = live_server.url
    findings: list[str] = []
    review: dict[str, set[str]] = {}
    kinds: set[str] = {"web:login"}
    on_phone: set[str] = set()
    checked = 0

    def note(walk: Walk, who: str, label: str) -> None:
        nonlocal checked
        checked += walk.checked
        findings.extend(f"[{who}, {label}] {f}" for f in walk.findings)
        for rule, pages in walk.review.items():
            review.setdefault(rule, set()).update(pages)
        walk.page.context.close()

    for username in ROLES:
        user = User.objects.get(username=username)
        walk = walk_for(browser, base, user, DESKTOP)
        plan = crawl(walk, town.get(username, []))
        sent = sum(walk.errors(path) for path, _ in plan)
        note(walk, username, "desktop")
        kinds.update(kind.split("?")[0] for _, kind in plan)

        walk = walk_for(browser, base, user, PHONE)
        for path, kind in plan:
            if kind not in on_phone:
                on_phone.add(kind)
                walk.open(path)
            if kind == "web:case_new":
                walk.errors(path)
        note(walk, username, "phone")
        print(f"{username}: {len(plan)} pages, {sent} forms sent empty")
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        walk = walk_for(browser, base, None, viewport)
        walk.open("/accounts/login/")
        walk.errors("/accounts/login/")
        note(walk, "signed out", label)
    print(f"axe-core {AXE_VERSION}: {checked} pages checked")
    for rule, pages in sorted(review.items()):
        print(f"needs review: {rule} ({len(pages)} pages), e.g. {sorted(pages)[:3]}")
    unreached = workbench_url_names() - set(NOT_PAGES) - kinds
    assert not findings and not unreached, "\n".join(
        sorted(set(findings)) + [f"no role reached the page {name}" for name in sorted(unreached)]
    )
