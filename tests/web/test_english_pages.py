"""English mode shows no Chinese (issue 14).

A town whose own data is in Latin letters (its town, villages, grids, units, people and the
text of its cases, all made here) is walked in English by each role, through the Django test
client, from its home page: each kind of page once (the URL's name and its query's keys, as
the accessibility walk counts them). Then each form with something to type is sent twice, empty
and with wrong values, and the page that answers (its errors) is read too. Any Chinese character
in a page fails the test, printed with the page and the text around it; so a string that is not
marked for translation, or whose English is missing from the catalogue, is found where a user
would see it. What may show in Chinese is named: NOT_FINDINGS (Chinese that is right in
English mode) and STORED (text stored as it was written, shown as stored).
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import resolve
from django.urls.exceptions import Resolver404

from gridcase.assessment.policy_versions import policy_upload
from gridcase.cases import filing, services
from gridcase.core import clock
from gridcase.core.policy import DEFAULT_POLICY_PATH
from gridcase.ledger.models import ExportJob, ImportJob
from gridcase.notify import services as notify_services
from gridcase.org.models import Grid, Unit, Village
from tests.factories import local, make_town
from tests.web.test_browser_axe import NOT_PAGES, page_kind, workbench_url_names

pytestmark = pytest.mark.django_db

# Wednesday 14 October 2026, 10:00 in Shanghai (after the National Day holiday).
NOW = local(2026, 10, 14, 10)

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")

# What is right in English mode: the language switch names Chinese in Chinese; the "enter a
# case" button's full-width plus is a sign, not a word; the ledger import's help names the
# file's Chinese column names and values as they are typed in the file.
NOT_FINDINGS = [
    "简体中文",
    "＋",
    "(事件编号, 行政村, 网格专管员, 事件类别, 上报时间 …)",
    "mock location (是/否)",
    "(是/否)",
]

# Text stored in Chinese when it was written, shown as stored: the parts of these pages that
# show it are not read (the regular expression cuts them out). Each names its file.
STORED = {
    # core/audit.py: an entry's object is named by str(obj) when it is written.
    "manage:audit": r'<td data-label="Object">.*?</td>',
    # core/policy: the built-in policy's source (a TOML file, its name and comments in
    # Chinese) is a document shown as written, to copy and change.
    "manage:policy_default": r'<pre class="policy-source"[^>]*>.*?</pre>',
}

# --- the town ------------------------------------------------------------------------------


def latin_town(tmp_path):
    """A town whose every name is in Latin letters, with cases in each state."""
    t = make_town(name="Riverside", code="rv")
    Village.objects.filter(pk=t.village.pk).update(name="North Village")
    Village.objects.filter(pk=t.other_village.pk).update(name="South Village")
    Grid.objects.filter(village=t.village).update(name="North Grid 1")
    Grid.objects.filter(village=t.other_village).update(name="South Grid 1")
    for unit, name in (
        (t.station, "North Station"),
        (t.center, "Riverside Center"),
        (t.department, "Police Post"),
        (t.other_department, "Building Office"),
        (t.office, "Governance Office"),
    ):
        Unit.objects.filter(pk=unit.pk).update(name=name)
    Unit.objects.filter(town=t.town, kind="village_station", village=t.other_village).update(
        name="South Station"
    )
    for name in ("village", "other_village", "grid", "station", "center", "department"):
        getattr(t, name).refresh_from_db()
    for name in ("other_department", "office"):
        getattr(t, name).refresh_from_db()

    def case(at, category="dispute", title="Fence dispute", **extra):
        data = {
            "category": category,
            "title": title,
            "occurred_at": at - timedelta(hours=2),
            "location": "North Village, lane 3",
            "persons": "Li Wei, Zhang Min",
            "cause": "The line between two yards",
            "course": "Two neighbours argue over where the fence stands",
            "parties": [
                {"name": "Li Wei", "phone": "13800138001"},
                {"name": "Zhang Min", "phone": "0731-84561234"},
            ],
            **extra,
        }
        with clock.replaying(at):
            return filing.case_create_draft(town=t.town, by=t.officer, data=data, at=at)

    def do(action, **kwargs):
        with clock.replaying(kwargs["at"]):
            return action(**kwargs)

    closing = {
        "result": "Both sides agreed to rebuild the fence",
        "mediator": "Wang Fang",
        "mediation_result": "agreed",
        "agreement_form": "written",
        "agreement_terms": ["Rebuild the fence on the old line", "Share the cost"],
    }
    sept = local(2026, 9, 21, 9)
    # a draft, a case to accept (late), one being handled, one closed with a follow-up and a
    # review, one escalated to the village, one dispatched (urged, extension asked), one
    # reported by the department, one returned, one voided, and a suspected duplicate.
    draft = case(NOW - timedelta(hours=3), title="Draft about a fence")
    pending = case(sept)
    do(filing.case_submit, case=pending, by=t.officer, at=sept)
    handling = case(local(2026, 10, 12, 9), category="livelihood_service", title="Street lamp out")
    do(filing.case_submit, case=handling, by=t.officer, at=local(2026, 10, 12, 9))
    do(services.case_accept, case=handling, by=t.officer, at=local(2026, 10, 12, 10))
    closed = case(sept + timedelta(days=1))
    do(
        services.case_handle_on_spot,
        case=closed,
        by=t.officer,
        data=closing,
        at=sept + timedelta(days=1),
    )
    do(
        services.case_follow_up,
        case=closed,
        by=t.officer,
        visited_on=(sept + timedelta(days=3)).date(),
        method="phone",
        satisfied=True,
        note="Both sides keep the agreement",
        at=sept + timedelta(days=3),
    )
    do(
        services.case_review,
        case=closed,
        by=t.office_user,
        quality="nonconforming",
        note="The course is too short",
        at=sept + timedelta(days=4),
    )
    at = local(2026, 10, 9, 9)
    up = case(at, category="security_hazard", title="Pond without a fence")
    do(filing.case_submit, case=up, by=t.officer, at=at)
    do(services.case_accept, case=up, by=t.officer, at=at + timedelta(hours=1))
    do(
        services.case_escalate,
        case=up,
        by=t.officer,
        note="Needs the village",
        at=at + timedelta(hours=2),
    )
    # Up every level to the department, which accepts it.
    to_department = (
        (filing.case_submit, t.officer, {}),
        (services.case_accept, t.officer, {}),
        (services.case_escalate, t.officer, {"note": "Needs the village"}),
        (services.case_accept, t.station_user, {}),
        (services.case_escalate, t.station_user, {"note": "Needs the town"}),
        (services.case_accept, t.center_user, {}),
        (
            services.case_dispatch,
            t.center_user,
            {"department": t.department, "note": "Please handle"},
        ),
        (services.case_accept, t.department_user, {}),
    )
    sent = case(at, category="security_hazard", title="Loose power line")
    for action, by, extra in (
        *to_department,
        (services.case_urge, t.center_user, {"note": "Please hurry"}),
    ):
        at = at + timedelta(minutes=30)
        do(action, case=sent, by=by, at=at, **extra)
    do(
        services.case_request_extension,
        case=sent,
        by=t.department_user,
        working_days=3,
        reason="Waiting for the survey",
        at=at + timedelta(minutes=30),
    )
    reported = case(at, category="livelihood_service", title="Water cut")
    for action, by, extra in (
        *to_department,
        (services.case_report, t.department_user, {"result": "The pipe is mended"}),
    ):
        at = at + timedelta(minutes=30)
        do(action, case=reported, by=by, at=at, **extra)
    returned = case(at, title="Wall dispute")
    for action, by, extra in (
        (filing.case_submit, t.officer, {}),
        (services.case_accept, t.officer, {}),
        (services.case_escalate, t.officer, {"note": "Needs the village"}),
        (services.case_accept, t.station_user, {}),
        (services.case_escalate, t.station_user, {"note": "Needs the town"}),
        (services.case_return, t.center_user, {"reason": "The village can settle it"}),
    ):
        at = at + timedelta(minutes=30)
        do(action, case=returned, by=by, at=at, **extra)
    voided = case(at, category="other", title="Entered by mistake")
    do(filing.case_submit, case=voided, by=t.officer, at=at)
    do(
        services.case_void,
        case=voided,
        by=t.center_user,
        reason="A test entry",
        at=at + timedelta(minutes=5),
    )
    again = case(local(2026, 10, 13, 9), title="Fence dispute again")
    do(filing.case_submit, case=again, by=t.officer, at=local(2026, 10, 13, 9))

    policy_upload(
        town=t.town,
        source=re.sub(
            r'(?m)^name = ".*"$',
            'name = "Riverside officer assessment"',
            DEFAULT_POLICY_PATH.read_text(encoding="utf-8"),
        ),
        by=t.admin_user,
    )
    notify_services.channel_config_create(
        by=t.admin_user,
        unit=t.center,
        kind="webhook",
        target="https://hooks.example.gov.cn/gridcase",
        secret="s" * 32,
    )
    export = ExportJob.objects.create(
        kind="cases",
        created_by=t.center_user,
        created_at=NOW,
        state=ExportJob.State.RUNNING,
        progress=40,
        file_name="cases.xlsx",
    )
    ledger = ImportJob.objects.create(
        town=t.town,
        created_by=t.office_user,
        created_at=NOW,
        file_name="ledger.xlsx",
        state=ImportJob.State.REFUSED,
        error="Row 3: no category",
    )
    seeds = {
        "officer": [f"/cases/{draft.number}/edit/"],
        "center": [f"/exports/{export.pk}/"],
        "office": [f"/ledger/import/jobs/{ledger.pk}/"],
        "admin": [f"/manage/{t.town.pk}/policy/default/"],
    }
    return t, seeds


# --- reading pages ----------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The page's links and its POST forms: action, fields (name, type, value, options)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
                "button": False,
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                self._form["button"] = True
            elif a.get("name"):
                self._form["fields"].append(
                    {"name": a["name"], "type": kind, "value": a.get("value") or ""}
                )
        elif tag == "button" and (a.get("type") or "submit").lower() == "submit":
            self._form["button"] = True
        elif tag == "textarea" and a.get("name"):
            self._form["fields"].append({"name": a["name"], "type": "textarea", "value": ""})
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "type": "select", "value": "", "options": []}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


TYPED = {"text", "textarea", "number", "date", "datetime-local", "time", "email", "url", "tel",
         "password", "search", "month"}  # fmt: skip


def chinese_in(page: str) -> list[str]:
    """The Chinese of a page, each with the text around it."""
    page = re.sub(r"<!--.*?-->", "", page, flags=re.S)
    for text in NOT_FINDINGS:
        page = page.replace(text, "")
    found = []
    for m in CJK.finditer(page):
        around = page[max(0, m.start() - 40) : m.end() + 40]
        found.append((m.group(0), " ".join(html.unescape(around).split())))
    return found


class Walk:
    def __init__(self, user):
        self.client = Client()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if user is not None:
            self.client.force_login(user)
        self.findings: dict[str, tuple[str, set[str]]] = {}

    def read(self, where: str, response) -> _Forms:
        body = response.content.decode()
        try:
            match = resolve(urlsplit(response.request["PATH_INFO"]).path)
            name = f"{match.namespace}:{match.url_name}"
        except Resolver404:
            name = ""
        if name in STORED:
            body = re.sub(STORED[name], "", body, flags=re.S)
        for run, around in chinese_in(body):
            self.findings.setdefault(run, (around, set()))[1].add(where)
        parser = _Forms()
        parser.feed(body)
        return parser

    def open(self, path: str) -> _Forms:
        response = self.client.get(path, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        return self.read(path, response)

    def send(self, path: str, forms: _Forms) -> int:
        """Send each typed-in POST form of the page empty, then with wrong values."""
        sent = 0
        for index, form in enumerate(forms.forms):
            typed = [f for f in form["fields"] if f["type"] in TYPED]
            action = form["action"] or path
            if form["method"] != "post" or not typed or not form["button"]:
                continue
            if action.startswith(("/i18n/", "/accounts/logout/")):
                continue
            for how, value, choice in (("empty", "", ""), ("wrong", "x" * 3, "no-such-choice")):
                data: dict[str, str] = {}
                for f in form["fields"]:
                    if f["type"] in TYPED:
                        data[f["name"]] = value
                    elif f["type"] == "select":
                        data[f["name"]] = choice
                    elif f["type"] in ("hidden",):
                        data[f["name"]] = f["value"]
                response = self.client.post(html.unescape(action), data, follow=True)
                self.read(f"{path} (form {index} sent {how})", response)
                sent += 1
        return sent


def crawl(walk: Walk, seeds: list[str]) -> list[tuple[str, str, _Forms]]:
    queue, kinds, plan = ["/", *seeds], set(), []
    while queue:
        path = queue.pop(0)
        kind = page_kind(path)
        if kind is None or kind in kinds:
            continue
        kinds.add(kind)
        forms = walk.open(path)
        plan.append((path, kind, forms))
        for href in forms.links:
            href = html.unescape(href)
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("#"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return plan


ROLES = [
    "officer",
    "station_user",
    "center_user",
    "department_user",
    "office_user",
    "leader",
    "admin_user",
]
SEED_OF = {
    "officer": "officer",
    "center_user": "center",
    "office_user": "office",
    "admin_user": "admin",
}


def test_no_page_shows_chinese_in_english_mode(settings, tmp_path):
    settings.HUEY = {**settings.HUEY, "immediate": True}
    findings: dict[str, tuple[str, set[str]]] = {}
    kinds: set[str] = {"web:login"}
    with time_machine.travel(NOW, tick=False):
        t, seeds = latin_town(tmp_path)
        plans = {}
        for role in ROLES:
            walk = Walk(getattr(t, role))
            plans[role] = crawl(walk, seeds.get(SEED_OF.get(role, ""), []))
            kinds.update(kind.split("?")[0] for _, kind, _ in plans[role])
            sent = sum(walk.send(path, forms) for path, _, forms in plans[role])
            print(f"{role}: {len(plans[role])} pages, {sent} forms sent")
            for run, (around, pages) in walk.findings.items():
                findings.setdefault(run, (around, set()))[1].update(pages)
        walk = Walk(None)
        forms = walk.open("/accounts/login/")
        walk.send("/accounts/login/", forms)
        for run, (around, pages) in walk.findings.items():
            findings.setdefault(run, (around, set()))[1].update(pages)
    unreached = workbench_url_names() - set(NOT_PAGES) - kinds
    assert not findings and not unreached, "\n".join(
        [
            f"{run!r} in “{around}” on {', '.join(sorted(pages)[:3])}"
            for run, (around, pages) in sorted(findings.items())
        ]
        + [f"no role reached the page {name}" for name in sorted(unreached)]
    )
