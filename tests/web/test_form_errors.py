"""One error path for every form of the workbench (issue 14, item 4).

Each form is sent (a) empty and (b) with several wrong values at once (too long, malformed, out
of range, a choice the page never offers). The answer must be the same page again (200 or
400), never a 500 or a bare error page, with every problem listed: one message per bad field,
next to its field (inside the field's wrapper or named by its aria-describedby, as
web/_field.html does), in Chinese; what was typed and chosen kept (never a password); and
nothing written.

The forms with nothing to type (the buttons: deletes, mark read, resend, confirm or cancel an
import, unlock) have no field to get wrong: `test_buttons_without_fields_answer_in_words`
sends them what a forged or stale page could. A choice among the town's rows (a village, a
unit) that the page never offers is a forged request: 404, like any other town's row
(forms_manage.ScopedChoiceField), and is tested as such.

Files: a browser cannot refill a file input. The case form keeps an uploaded photo by saving
the draft with it (views/case_entry.py). The policy form puts an uploaded file's text into its
paste box, so that a refused file is kept as text to correct (test_a_refused_policy_file_...).
The ledger import and the case page's attachments keep nothing: a refused file is one to
replace, and the page says why next to the file field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gridcase.assessment import quarter as life
from gridcase.assessment.models import Adjustment, Appeal, QuarterAssessment, SuspectPair
from gridcase.cases import services as case_services
from gridcase.cases.models import Case, ExtensionRequest, FollowUp, TimelineEntry
from gridcase.core.models import CalendarOverride
from gridcase.ledger.models import ImportJob
from gridcase.notify.models import ChannelConfig
from gridcase.org.models import Grid, PolicyVersion, Role, Unit, User, Village
from tests.assessment.builders import closed_locally
from tests.factories import local, submitted_case

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
TOO_LONG = "长" * 2100  # beyond every limit of core.limits but the case texts
OCT = local(2026, 10, 14, 10)  # a Wednesday, after the National Day holiday
LATER = local(2027, 3, 1, 9)  # after every deadline of 2026-Q4: it may be finalised
Q4 = "2026-Q4"

# ---------------------------------------------------------------- reading the page


VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "base", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.at = self.root
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_startendtag(self, tag, attrs):
        self.at.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.at))

    def handle_endtag(self, tag):
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data):
        self.at.children.append(data)


@dataclass
class Page:
    tree: Tree
    scope: Node  # the form under test

    def by_id(self, id_: str) -> Node | None:
        return next((n for n in self.tree.root.walk() if n.attrs.get("id") == id_), None)

    def controls(self, name: str) -> list[Node]:
        return [
            n
            for n in self.scope.walk()
            if n.tag in ("input", "select", "textarea") and n.attrs.get("name") == name
        ]

    def errors_of(self, name: str) -> list[str]:
        """The messages next to the field: in its wrapper's error list, or in an error that
        the field (or its radio group) names in aria-describedby."""
        found: list[str] = []
        for control in self.controls(name):
            node: Node | None = control
            while node is not None and "field" not in node.classes():
                described = node.attrs.get("aria-describedby", "").split()
                for id_ in described:
                    target = self.by_id(id_)
                    if target is not None and (
                        id_.endswith("error") or target.attrs.get("role") == "alert"
                    ):
                        found.append(target.text().strip())
                node = node.parent
            if node is not None:  # the wrapper
                for n in node.walk():
                    if "errorlist" in n.classes():
                        found += [li.text().strip() for li in n.walk() if li.tag == "li"]
        return list(dict.fromkeys(m for m in found if m))

    def value_of(self, name: str) -> Any:
        controls = self.controls(name)
        assert controls, f"no field {name!r} on the page"
        first = controls[0]
        kind = first.attrs.get("type", "")
        if first.tag == "textarea":
            return first.text().lstrip("\n")
        if first.tag == "select":
            chosen = [o.attrs.get("value", o.text()) for o in first.walk() if "selected" in o.attrs]
            return chosen[0] if chosen else None
        if kind == "radio":
            return next((c.attrs["value"] for c in controls if "checked" in c.attrs), None)
        if kind == "checkbox":
            return "on" if "checked" in first.attrs else ""
        return first.attrs.get("value", "")


def read(response, url: str, form: str | None) -> Page:
    """The page, and the form under test in it: the one with the given id, else the one
    that posts to the URL the test posted to (or to itself)."""
    tree = Tree(response.content.decode())
    forms = [n for n in tree.root.walk() if n.tag == "form"]
    if form:
        found = [n for n in forms if n.attrs.get("id") == form]
    else:
        found = [n for n in forms if n.attrs.get("action", "").split("?")[0] == url]
        found = found or [n for n in forms if not n.attrs.get("action")]
        if url == reverse("web:login"):
            found = found or [n for n in forms if n.attrs.get("action") == url]
    assert found, f"the form {form or url!r} is not on the page again"
    return Page(tree, found[0])


# ---------------------------------------------------------------- the forms


@dataclass
class Form:
    """One form: who sends it where, and what must come back."""

    user: str
    url: Callable[[Any, dict], str]
    empty: dict | None  # sent empty: the fields that must then say they are missing
    empty_errors: set[str]
    wrong: Callable[[Any, dict], dict]  # several wrong values at once
    wrong_errors: set[str]
    state: Callable[[Any, dict], Any]  # what must not change
    setup: Callable[[Any], dict] = lambda t: {}
    at: Any = OCT
    form: str | Callable[[dict], str] | None = None  # the form's id, when the page has several
    secret: set[str] = field(default_factory=set)  # never shown again
    unkept: set[str] = field(default_factory=set)  # not a field of the re-rendered form
    files: Callable[[Any, dict], dict] | None = None
    top: str = ""  # a refusal of the whole form, said at its top ("wrong" only)


def m(t, name, *args):
    return reverse(f"manage:{name}", args=[t.town.pk, *args])


def count(model, **filters):
    return lambda t, ctx: model.objects.filter(**filters).count()


def places(t, ctx):
    return (
        sorted(Village.objects.values_list("pk", "name")),
        sorted(Grid.objects.values_list("pk", "name")),
        sorted(Unit.objects.values_list("pk", "name", "village")),
    )


def person_row(t, ctx):
    p = User.objects.get(pk=ctx["person"].pk)
    return (p.display_name, p.phone, p.password, Role.objects.filter(user=p).count())


def channel_row(t, ctx):
    return sorted(ChannelConfig.objects.values_list("pk", "name", "target", "secret", "enabled"))


def _person(t):
    return {"person": t.officer}


def _channel(t):
    channel = ChannelConfig.objects.create(
        unit=t.center, kind="wecom", name="中心群", target="https://qyapi.weixin.qq.com/x"
    )
    return {"channel": channel}


def _q4_case(t):
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        case = closed_locally(t, local(2026, 11, 2, 9))
    return {"case": case}


def _finalised(t):
    ctx = _q4_case(t)
    life.quarter_finalise(town=t.town, quarter=Q4, by=t.office_user)
    return ctx


def _approved(t):
    ctx = _finalised(t)
    life.quarter_approve(town=t.town, quarter=Q4, by=t.leader, note="")
    return ctx


def quarter_row(t, ctx):
    row = QuarterAssessment.objects.filter(town=t.town, quarter=Q4).first()
    return (row and row.status, Adjustment.objects.count())


def _suspects(t):
    from tests.assessment.test_integrity import AGAIN, T0, case_at

    first = case_at(t, T0)
    second = case_at(t, T0 + timedelta(days=2), metres=40, data=AGAIN)
    case_at(t, T0 + timedelta(days=3), metres=20, data=AGAIN)  # more pairs: their forms' ids
    return {"first": first, "second": second}


def pair_form(ctx):
    return f"decide-{ctx['second'].pk}-{ctx['first'].pk}"


def _accepted(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    case_services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    return {"case": Case.objects.get(pk=case.pk)}


def _at_department(t):
    ctx = _accepted(t)
    case = ctx["case"]
    case_services.case_escalate(case=case, by=t.officer, note="需村里")
    case_services.case_accept(case=case, by=t.station_user)
    case_services.case_escalate(case=case, by=t.station_user, note="需镇里")
    case_services.case_accept(case=case, by=t.center_user)
    case_services.case_dispatch(case=case, by=t.center_user, department=t.department)
    case_services.case_accept(case=case, by=t.department_user)
    return {"case": Case.objects.get(pk=case.pk)}


def _at_town(t):
    ctx = _accepted(t)
    case = ctx["case"]
    case_services.case_escalate(case=case, by=t.officer, note="需村里")
    case_services.case_accept(case=case, by=t.station_user)
    case_services.case_escalate(case=case, by=t.station_user, note="需镇里")
    case_services.case_accept(case=case, by=t.center_user)
    return {"case": Case.objects.get(pk=case.pk)}


def _extension_asked(t):
    ctx = _at_department(t)
    case_services.case_request_extension(
        case=ctx["case"], by=t.department_user, working_days=3, reason="需现场勘查"
    )
    return {"case": Case.objects.get(pk=ctx["case"].pk)}


def _submitted(t):
    return {"case": submitted_case(t, local(2026, 10, 13, 9))}


def _closed(t):
    ctx = _accepted(t)
    case_services.case_close(
        case=ctx["case"],
        by=t.officer,
        data={"result": "已调解", "mediator": "王", "mediation_result": "not_agreed"},
    )
    return {"case": Case.objects.get(pk=ctx["case"].pk)}


def case_row(t, ctx):
    case = Case.objects.get(pk=ctx["case"].pk)
    return (
        case.state,
        case.level,
        case.version,
        case.quality,
        TimelineEntry.objects.filter(case=case).count(),
        ExtensionRequest.objects.filter(case=case).count(),
        FollowUp.objects.filter(case=case).count(),
    )


def act(action):
    return lambda t, ctx: f"/cases/{ctx['case'].number}/act/{action}/"


def _appealable(t):
    with time_machine.travel(local(2026, 11, 2, 9), tick=False):
        case = closed_locally(t, local(2026, 11, 2, 9))
    case_services.case_review(case=case, by=t.office_user, quality="nonconforming", note="不清")
    return {"case": case}


def _appealed(t):
    from gridcase.assessment import appeals

    ctx = _appealable(t)
    appeal = appeals.appeal_file(case=ctx["case"], by=t.officer, reason="已补充")
    return ctx | {"appeal": appeal}


def appeal_row(t, ctx):
    return sorted(Appeal.objects.values_list("pk", "status", "reason", "decision_note"))


LONG_NAME = "村" * 101

FORMS: dict[str, Form] = {
    # ------------------------------------------------------------ administration
    "manage:villages": Form(
        user="admin_user",
        url=lambda t, c: m(t, "villages"),
        empty={},
        empty_errors={"name"},
        wrong=lambda t, c: {"name": LONG_NAME},
        wrong_errors={"name"},
        state=places,
    ),
    "manage:village_edit": Form(
        user="admin_user",
        url=lambda t, c: m(t, "village_edit", t.village.pk),
        empty={"name": "  "},
        empty_errors={"name"},
        wrong=lambda t, c: {"name": "西村"},  # another village's name: the service refuses
        wrong_errors={"name"},
        state=places,
    ),
    "manage:grids": Form(
        user="admin_user",
        url=lambda t, c: m(t, "grids"),
        empty={},
        empty_errors={"village", "name"},
        wrong=lambda t, c: {"village": t.village.pk, "name": LONG_NAME},
        wrong_errors={"name"},
        state=places,
    ),
    "manage:grid_edit": Form(
        user="admin_user",
        url=lambda t, c: m(t, "grid_edit", t.grid.pk),
        empty={},
        empty_errors={"name"},
        wrong=lambda t, c: {"name": LONG_NAME},
        wrong_errors={"name"},
        state=places,
    ),
    "manage:units": Form(
        user="admin_user",
        url=lambda t, c: m(t, "units"),
        empty={},
        empty_errors={"kind", "name"},
        wrong=lambda t, c: {"kind": "ministry", "name": LONG_NAME, "village": t.village.pk},
        wrong_errors={"kind", "name"},
        state=places,
    ),
    "manage:units/station-without-village": Form(
        user="admin_user",
        url=lambda t, c: m(t, "units"),
        empty={"kind": "village_station"},
        empty_errors={"name", "village"},
        wrong=lambda t, c: {"kind": "village_station", "name": LONG_NAME},
        wrong_errors={"name", "village"},
        state=places,
    ),
    "manage:units/name-taken": Form(
        user="admin_user",
        url=lambda t, c: m(t, "units"),
        empty={"kind": "village_station", "name": "  "},
        empty_errors={"name", "village"},
        wrong=lambda t, c: {"kind": "village_station", "name": t.center.name},
        wrong_errors={"name", "village"},
        state=places,
    ),
    "manage:unit_edit": Form(
        user="admin_user",
        url=lambda t, c: m(t, "unit_edit", t.station.pk),
        empty={},
        empty_errors={"name", "village"},
        wrong=lambda t, c: {"name": LONG_NAME, "village": ""},
        wrong_errors={"name", "village"},
        state=places,
    ),
    "manage:person_new": Form(
        user="admin_user",
        url=lambda t, c: m(t, "person_new"),
        empty={},
        empty_errors={"username", "display_name", "password", "password2"},
        wrong=lambda t, c: {
            "username": "王 五!",
            "display_name": "名" * 51,
            "phone": "12345",
            "password": "short",
            "password2": "other",
        },
        wrong_errors={"username", "display_name", "phone", "password", "password2"},
        state=lambda t, c: User.objects.count(),
        secret={"password", "password2"},
    ),
    "manage:person_new/short-password": Form(
        user="admin_user",
        url=lambda t, c: m(t, "person_new"),
        empty={"username": "wang5", "display_name": "王五", "password": "", "password2": ""},
        empty_errors={"password", "password2"},
        wrong=lambda t, c: {
            "username": "officer",  # taken
            "display_name": "王五",
            "phone": "1380013800",
            "password": "short",
            "password2": "short",
        },
        wrong_errors={"username", "phone", "password"},
        state=lambda t, c: User.objects.count(),
        secret={"password", "password2"},
    ),
    "manage:person": Form(
        user="admin_user",
        setup=_person,
        url=lambda t, c: m(t, "person", c["person"].pk),
        empty={},
        empty_errors={"display_name"},
        wrong=lambda t, c: {"display_name": "名" * 51, "phone": "12345"},
        wrong_errors={"display_name", "phone"},
        state=person_row,
    ),
    "manage:person_password": Form(
        user="admin_user",
        setup=_person,
        url=lambda t, c: m(t, "person_password", c["person"].pk),
        empty={},
        empty_errors={"password", "password2"},
        wrong=lambda t, c: {"password": "short", "password2": "other"},
        wrong_errors={"password", "password2"},
        state=person_row,
        secret={"password", "password2"},
    ),
    "manage:role_add": Form(
        user="admin_user",
        setup=_person,
        url=lambda t, c: m(t, "role_add", c["person"].pk),
        empty={},
        empty_errors={"kind"},
        wrong=lambda t, c: {
            "kind": "king",
            "active_from": "2026-13-40",
            "active_until": "明天",
        },
        wrong_errors={"kind", "active_from", "active_until"},
        state=person_row,
    ),
    "manage:role_add/scope-and-dates": Form(
        user="admin_user",
        setup=_person,
        url=lambda t, c: m(t, "role_add", c["person"].pk),
        empty={"kind": "department"},
        empty_errors={"unit"},
        wrong=lambda t, c: {
            "kind": "officer",  # needs a village
            "active_from": "2026-10-20",
            "active_until": "2026-13-01",
        },
        wrong_errors={"village", "active_until"},
        state=person_row,
    ),
    "manage:role_add/until-before-from": Form(
        user="admin_user",
        setup=_person,
        url=lambda t, c: m(t, "role_add", c["person"].pk),
        empty={"kind": "department", "active_until": "2026-10-01"},  # already past
        empty_errors={"unit", "active_until"},
        wrong=lambda t, c: {
            "kind": "department",
            "unit": t.center.pk,  # not a department
            "active_from": "2026-10-20",
            "active_until": "2026-10-16",
        },
        wrong_errors={"unit", "active_until"},
        state=person_row,
    ),
    "manage:calendar": Form(
        user="admin_user",
        url=lambda t, c: m(t, "calendar"),
        empty={},
        empty_errors={"day", "kind"},
        wrong=lambda t, c: {"day": "2026-02-30", "kind": "party", "note": "注" * 201},
        wrong_errors={"day", "kind", "note"},
        state=count(CalendarOverride),
    ),
    "manage:calendar/day-taken": Form(
        user="admin_user",
        setup=lambda t: {
            "row": CalendarOverride.objects.create(town=t.town, day=OCT.date(), kind="holiday")
        },
        url=lambda t, c: m(t, "calendar"),
        empty={"day": "2026-10-14"},
        empty_errors={"day", "kind"},
        wrong=lambda t, c: {"day": "2026-10-14", "kind": "party", "note": "注" * 201},
        wrong_errors={"day", "kind", "note"},
        state=count(CalendarOverride),
    ),
    "manage:policy": Form(
        user="admin_user",
        url=lambda t, c: m(t, "policy"),
        empty={},
        empty_errors={"source"},
        wrong=lambda t, c: {"source": "code = \n[[broken"},
        wrong_errors={"source"},
        state=count(PolicyVersion),
    ),
    "manage:channels": Form(
        user="admin_user",
        url=lambda t, c: m(t, "channels"),
        empty={},
        empty_errors={"unit", "kind", "target"},
        wrong=lambda t, c: {
            "unit": t.center.pk,
            "kind": "pigeon",
            "name": "名" * 101,
            "target": "not a url",
            "secret": "s" * 300,
        },
        wrong_errors={"kind", "name", "secret"},
        state=channel_row,
        secret={"secret"},
    ),
    "manage:channels/webhook": Form(
        user="admin_user",
        url=lambda t, c: m(t, "channels"),
        empty={"unit": "", "kind": "webhook"},
        empty_errors={"unit", "target", "secret"},
        wrong=lambda t, c: {
            "unit": t.center.pk,
            "kind": "webhook",
            "name": "名" * 101,
            "target": "ftp://例子",
            "secret": "short",
        },
        wrong_errors={"name", "target", "secret"},
        state=channel_row,
        secret={"secret"},
    ),
    "manage:channel_edit": Form(
        user="admin_user",
        setup=_channel,
        url=lambda t, c: m(t, "channel_edit", c["channel"].pk),
        empty={},
        empty_errors={"target"},
        wrong=lambda t, c: {"name": "名" * 101, "target": "http://not-wecom", "enabled": "on"},
        wrong_errors={"name", "target"},
        state=channel_row,
        secret={"secret"},
    ),
    # ------------------------------------------------------------ assessment
    "assess:finalise": Form(
        user="office_user",
        setup=_q4_case,
        at=LATER,
        url=lambda t, c: f"/assessment/{Q4}/finalise/",
        empty={},
        empty_errors={"confirm"},
        wrong=lambda t, c: {"confirm": ""},
        wrong_errors={"confirm"},
        state=quarter_row,
        form="finalise-form",
    ),
    "assess:approve": Form(
        user="leader",
        setup=_finalised,
        at=LATER,
        url=lambda t, c: f"/assessment/{Q4}/approve/",
        empty={},
        empty_errors={"confirm"},
        wrong=lambda t, c: {"note": "意" * 2001},
        wrong_errors={"note", "confirm"},
        state=quarter_row,
        form="approve-form",
    ),
    "assess:reopen": Form(
        user="leader",
        setup=_finalised,
        at=LATER,
        url=lambda t, c: f"/assessment/{Q4}/reopen/",
        empty={},
        empty_errors={"reason"},
        wrong=lambda t, c: {"reason": "因" * 2001},
        wrong_errors={"reason"},
        state=quarter_row,
    ),
    "assess:adjust": Form(
        user="office_user",
        setup=_approved,
        at=LATER,
        url=lambda t, c: f"/assessment/{Q4}/adjust/",
        empty={},
        empty_errors={"officer", "amount", "reason"},
        wrong=lambda t, c: {"officer": t.officer.pk, "amount": "十元", "reason": "因" * 2001},
        wrong_errors={"amount", "reason"},
        state=quarter_row,
        form="adjust-form",
    ),
    "assess:adjust/not-an-officer": Form(
        user="office_user",
        setup=_approved,
        at=LATER,
        url=lambda t, c: f"/assessment/{Q4}/adjust/",
        empty={"officer": "x"},
        empty_errors={"officer", "amount", "reason"},
        wrong=lambda t, c: {"officer": t.leader.pk, "amount": "0", "reason": "补"},
        wrong_errors={"officer", "amount"},
        state=quarter_row,
        form="adjust-form",
    ),
    "assess:suspect_decide": Form(
        user="office_user",
        setup=_suspects,
        at=local(2026, 10, 20, 9),
        url=lambda t, c: "/assessment/suspects/decide/",
        empty={},  # the pair's hidden fields are added by the test
        empty_errors={"decision"},
        wrong=lambda t, c: {"decision": "maybe", "reason": "因" * 2001},
        wrong_errors={"decision", "reason"},
        state=lambda t, c: sorted(SuspectPair.objects.values_list("status", flat=True)),
        form=pair_form,
    ),
    "assess:suspect_decide/confirm": Form(
        user="office_user",
        setup=_suspects,
        at=local(2026, 10, 20, 9),
        url=lambda t, c: "/assessment/suspects/decide/",
        empty={"decision": "confirm"},
        empty_errors={"reason", "confirm"},
        wrong=lambda t, c: {"decision": "confirm", "reason": "因" * 2001},
        wrong_errors={"reason", "confirm"},
        state=lambda t, c: sorted(SuspectPair.objects.values_list("status", flat=True)),
        form=pair_form,
    ),
    "assess:appeal_file": Form(
        user="officer",
        setup=_appealable,
        at=local(2026, 12, 1, 9),
        url=lambda t, c: f"/assessment/cases/{c['case'].number}/appeal/",
        empty={},
        empty_errors={"reason"},
        wrong=lambda t, c: {"reason": "因" * 2001},
        wrong_errors={"reason"},
        state=appeal_row,
    ),
    "assess:appeal_decide": Form(
        user="office_user",
        setup=_appealed,
        at=local(2026, 12, 1, 9),
        url=lambda t, c: f"/assessment/appeals/{c['appeal'].pk}/decide/",
        empty={},
        empty_errors={"decision"},
        wrong=lambda t, c: {"decision": "reject", "override": "gold", "note": "意" * 2001},
        wrong_errors={"override", "note"},
        state=appeal_row,
    ),
    # ------------------------------------------------------------ ledger import
    "web:ledger_upload": Form(
        user="office_user",
        url=lambda t, c: reverse("web:ledger_upload", args=[t.town.pk]),
        empty={},
        empty_errors={"file"},
        wrong=lambda t, c: {"create_missing": "on"},
        files=lambda t, c: {"file": SimpleUploadedFile("台账.pdf", b"%PDF-1.4")},
        wrong_errors={"file"},
        state=count(ImportJob),
    ),
    # ------------------------------------------------------------ signing in
    "web:login": Form(
        user="",
        url=lambda t, c: reverse("web:login"),
        empty={},
        empty_errors={"username", "password"},
        # Django checks a name's length only against the accounts: wrong is wrong, at the top.
        wrong=lambda t, c: {"username": "u" * 151, "password": "x"},
        wrong_errors=set(),
        top="请输入一个正确的用户名和密码",
        state=lambda t, c: None,
        secret={"password"},
    ),
    # ------------------------------------------------------------ the case entry form
    # (fixed already, by the case form's one error path: held here to the same checks)
    "web:case_new": Form(
        user="officer",
        url=lambda t, c: reverse("web:case_new"),
        empty={"intent": "save", "parties-TOTAL_FORMS": "1", "parties-INITIAL_FORMS": "0"},
        empty_errors={"category"},
        wrong=lambda t, c: {
            "intent": "save",
            "category": "gossip",
            "title": "题" * 201,
            "location": "东村3组",
            "latitude": "95",
            "longitude": "abc",
            "crs": "mars",
            "cause": "宅基地边界",
            "parties-TOTAL_FORMS": "1",
            "parties-INITIAL_FORMS": "0",
            "parties-0-name": "张三",
        },
        wrong_errors={"category", "title", "latitude", "longitude", "crs"},
        state=lambda t, c: Case.objects.count(),
    ),
    # ------------------------------------------------------------ the case page's actions
    "case:escalate": Form(
        user="officer",
        setup=_accepted,
        url=act("escalate"),
        empty={},
        empty_errors={"escalate-note"},
        wrong=lambda t, c: {"escalate-note": "因" * 2001},
        wrong_errors={"escalate-note"},
        state=case_row,
    ),
    "case:close": Form(
        user="officer",
        setup=_accepted,
        url=act("close"),
        empty={},
        empty_errors={"close-result", "close-mediator", "close-mediation_result"},
        wrong=lambda t, c: {
            "close-result": "结" * 10001,
            "close-mediator": "王" * 101,
            "close-mediation_result": "won",
            "close-agreement_form": "carved",
        },
        wrong_errors={
            "close-result",
            "close-mediator",
            "close-mediation_result",
            "close-agreement_form",
        },
        state=case_row,
    ),
    "case:accept": Form(
        user="officer",
        setup=_submitted,
        url=act("accept"),
        empty=None,  # nothing is required: an empty form accepts the case
        empty_errors=set(),
        wrong=lambda t, c: {"accept-note": "注" * 2001},
        wrong_errors={"accept-note"},
        state=case_row,
    ),
    "case:dispatch": Form(
        user="center_user",
        setup=_at_town,
        url=act("dispatch"),
        empty={},
        empty_errors={"dispatch-department"},
        wrong=lambda t, c: {"dispatch-department": t.station.pk, "dispatch-note": "注" * 2001},
        wrong_errors={"dispatch-department", "dispatch-note"},
        state=case_row,
    ),
    "case:report": Form(
        user="department_user",
        setup=_at_department,
        url=act("report"),
        empty={},
        empty_errors={"report-result"},
        wrong=lambda t, c: {"report-result": "结" * 10001},
        wrong_errors={"report-result"},
        state=case_row,
    ),
    "case:decide_extension": Form(
        user="center_user",
        setup=_extension_asked,
        url=act("decide_extension"),
        empty={},
        empty_errors={"decide_extension-decision"},
        wrong=lambda t, c: {
            "decide_extension-decision": "maybe",
            "decide_extension-note": "注" * 2001,
        },
        wrong_errors={"decide_extension-decision", "decide_extension-note"},
        state=case_row,
    ),
    "case:urge": Form(
        user="office_user",
        setup=_at_town,
        url=act("urge"),
        empty={},
        empty_errors={"urge-note"},
        wrong=lambda t, c: {"urge-note": "注" * 2001},
        wrong_errors={"urge-note"},
        state=case_row,
    ),
    "case:attach": Form(
        user="officer",
        setup=_accepted,
        url=act("attach"),
        empty={},
        empty_errors={"files"},
        wrong=lambda t, c: {},
        files=lambda t, c: {"files": SimpleUploadedFile("病毒.exe", b"MZ\x90\x00")},
        wrong_errors={"files"},
        state=case_row,
    ),
    "case:request_extension": Form(
        user="department_user",
        setup=_at_department,
        url=act("request_extension"),
        empty={},
        empty_errors={"request_extension-working_days", "request_extension-reason"},
        wrong=lambda t, c: {
            "request_extension-working_days": "40",
            "request_extension-reason": "因" * 2001,
        },
        wrong_errors={"request_extension-working_days", "request_extension-reason"},
        state=case_row,
    ),
    "case:return": Form(
        user="department_user",
        setup=_at_department,
        url=act("return"),
        empty={},
        empty_errors={"return-reason"},
        wrong=lambda t, c: {"return-reason": "因" * 2001},
        wrong_errors={"return-reason"},
        state=case_row,
    ),
    "case:follow_up": Form(
        user="officer",
        setup=_closed,
        url=act("follow_up"),
        empty={},
        empty_errors={"follow_up-visited_on", "follow_up-method"},
        wrong=lambda t, c: {
            "follow_up-visited_on": "2026-02-30",
            "follow_up-method": "owl",
            "follow_up-satisfied": "meh",
            "follow_up-note": "访" * 5001,
        },
        wrong_errors={
            "follow_up-visited_on",
            "follow_up-method",
            "follow_up-satisfied",
            "follow_up-note",
        },
        state=case_row,
    ),
    "case:review": Form(
        user="office_user",
        setup=_closed,
        url=act("review"),
        empty={},
        empty_errors={"review-quality"},
        wrong=lambda t, c: {
            "review-quality": "great",
            "review-quality_note": "注" * 301,
            "review-major": "perhaps",
        },
        wrong_errors={"review-quality", "review-quality_note", "review-major"},
        state=case_row,
    ),
    "case:void": Form(
        user="office_user",
        setup=_accepted,
        url=act("void"),
        empty={},
        empty_errors={"void-reason", "void-confirm"},
        wrong=lambda t, c: {"void-reason": "因" * 2001},
        wrong_errors={"void-reason", "void-confirm"},
        state=case_row,
    ),
}


def params():
    for name, spec in FORMS.items():
        for how in ("empty", "wrong") if spec.empty is not None else ("wrong",):
            yield pytest.param(name, how, id=f"{name}-{how}")


def _send(client, spec: Form, t, ctx, how: str):
    data = dict(spec.empty or {}) if how == "empty" else spec.wrong(t, ctx)
    if spec.url(t, ctx) == "/assessment/suspects/decide/":
        data |= {"case": ctx["second"].pk, "similar_to": ctx["first"].pk, "month": "2026-10"}
    if how == "wrong" and spec.files is not None:
        data |= spec.files(t, ctx)
    return data, client.post(spec.url(t, ctx), data)


@pytest.mark.parametrize(("name", "how"), list(params()))
def test_every_problem_is_listed_next_to_its_field_in_chinese_and_kept(t, client, name, how):
    spec = FORMS[name]
    with time_machine.travel(spec.at, tick=False):
        ctx = spec.setup(t)
        if spec.user:
            client.force_login(getattr(t, spec.user))
        before = spec.state(t, ctx)
        data, response = _send(client, spec, t, ctx, how)
        after = spec.state(t, ctx)

    assert response.status_code in (200, 400), (
        f"{response.status_code}: {response.content.decode()[:300]}"
    )
    assert after == before, "something was written"
    assert "text/html" in response["Content-Type"]
    form = spec.form(ctx) if callable(spec.form) else spec.form
    page = read(response, spec.url(t, ctx), form)
    ids = [n.attrs["id"] for n in page.tree.root.walk() if n.attrs.get("id")]
    assert len(ids) == len(set(ids)), f"ids twice: {sorted({i for i in ids if ids.count(i) > 1})}"
    expected = spec.empty_errors if how == "empty" else spec.wrong_errors
    problems = {}
    for name_ in sorted(expected):
        messages = page.errors_of(name_)
        if not messages:
            problems[name_] = "no message next to the field"
        elif not all(CJK.search(message) for message in messages):
            problems[name_] = f"not in Chinese: {messages}"
    # No message beside a field that was right.
    for name_ in {k for k in data if not hasattr(data[k], "read")} - expected:
        if page.controls(name_) and page.errors_of(name_):
            problems[name_] = f"unexpected: {page.errors_of(name_)}"
    assert not problems, problems
    if how == "wrong" and spec.top:
        alerts = [n.text() for n in page.tree.root.walk() if n.attrs.get("role") == "alert"]
        assert any(spec.top in text for text in alerts), alerts

    for name_, value in data.items():
        if hasattr(value, "read") or name_ in spec.unkept or not page.controls(name_):
            continue
        controls = page.controls(name_)
        offered = {c.attrs.get("value") for n in controls for c in n.walk()}
        chooses = controls[0].tag == "select" or controls[0].attrs.get("type") == "radio"
        if chooses and str(value) not in offered:
            continue  # a choice the page never offers cannot be shown chosen
        shown = page.value_of(name_)
        if name_ in spec.secret:
            assert not shown, f"{name_}: a secret is shown again"
        else:
            assert shown == str(value), f"{name_}: {str(value)[:40]!r} not kept ({shown!r})"


# ---------------------------------------------------------------- boundaries (a map, not fields)


def test_boundaries_sent_empty_say_which_place_beside_its_list(t, client):
    client.force_login(t.admin_user)
    with time_machine.travel(OCT, tick=False):
        response = client.post(m(t, "boundaries"), {})
    assert response.status_code == 400
    page = read(response, m(t, "boundaries"), "boundary-form")
    [message] = page.errors_of("place")
    assert CJK.search(message)
    # The button (no field to stand beside) on top, naming what it is about.
    problems = page.by_id("boundary-problems")
    assert problems is not None and "操作:" in problems.text()
    assert Village.objects.filter(boundary__isnull=False).count() == 0


def test_a_refused_drawing_is_listed_on_top_and_kept_on_the_map(t, client):
    client.force_login(t.admin_user)
    data = {"place": f"grid-{t.grid.pk}", "geometry": "{not json", "action": "save"}
    with time_machine.travel(OCT, tick=False):
        response = client.post(m(t, "boundaries"), data)
    assert response.status_code == 400
    page = read(response, m(t, "boundaries"), "boundary-form")
    problems = page.by_id("boundary-problems")
    assert problems is not None and "边界:边界数据无法读取" in problems.text()
    assert page.value_of("place") == data["place"]
    assert page.value_of("geometry") == data["geometry"]
    assert Grid.objects.get(pk=t.grid.pk).boundary is None


# ---------------------------------------------------------------- files


POLICY = """
[policy]
code = "ct-2027"
name = "2027 年考核办法"
effective_from = "not a date"
"""


def test_a_refused_policy_file_is_kept_as_text_to_correct(t, client):
    client.force_login(t.admin_user)
    upload = SimpleUploadedFile("策略.toml", POLICY.encode())
    with time_machine.travel(OCT, tick=False):
        response = client.post(m(t, "policy"), {"file": upload, "action": "upload"})
    assert response.status_code == 400
    page = read(response, m(t, "policy"), None)
    [message] = page.errors_of("source")
    assert CJK.search(message)
    # A browser cannot refill a file input: the file's text is in the box, and the page says so.
    assert page.value_of("source").strip() == POLICY.strip()
    assert "策略.toml" in response.content.decode()
    assert PolicyVersion.objects.count() == 0


def test_a_refused_ledger_keeps_the_choices_and_says_why_by_the_file(t, client):
    client.force_login(t.office_user)
    upload = SimpleUploadedFile("台账.xlsx", b"")  # empty
    url = reverse("web:ledger_upload", args=[t.town.pk])
    with time_machine.travel(OCT, tick=False):
        response = client.post(url, {"file": upload, "create_missing": "on"})
    assert response.status_code == 400
    page = read(response, url, None)
    assert page.errors_of("file") == ["文件为空"] or CJK.search(" ".join(page.errors_of("file")))
    assert page.value_of("create_missing") == "on"
    assert ImportJob.objects.count() == 0


# ---------------------------------------------------------------- forged choices and buttons


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("grids", lambda t, o: {"village": o.village.pk, "name": "新网格"}),
        ("units", lambda t, o: {"kind": "village_station", "name": "新站", "village": "x"}),
    ],
)
def test_a_row_of_another_town_is_a_forged_choice_404(t, other_town, client, name, data):
    """The page never offers it: like any other path to another town's rows (404)."""
    client.force_login(t.admin_user)
    before = places(t, {})
    with time_machine.travel(OCT, tick=False):
        response = client.post(m(t, name), data(t, other_town))
    assert response.status_code == 404
    assert places(t, {}) == before


def test_buttons_without_fields_answer_in_words(t, client):
    """Deletes, mark read, unlock, confirm an import: nothing to type, so nothing to keep;
    a refusal is a Chinese message over the page it returns to, never a bare error page."""
    from django.contrib.messages import get_messages

    client.force_login(t.admin_user)
    with time_machine.travel(OCT, tick=False):
        # A village in use is not deleted: said why, on the village's page.
        response = client.post(m(t, "village_delete", t.village.pk), follow=True)
        assert response.status_code == 200
        said = [str(x) for x in get_messages(response.wsgi_request)] or [response.content.decode()]
        assert Village.objects.filter(pk=t.village.pk).exists()
        assert any(CJK.search(text) for text in said)
        # Nobody of that name here: a forged request.
        response = client.post(m(t, "sign_in_unlock"), {"username": "nobody"})
        assert response.status_code == 404
        client.force_login(t.officer)
        response = client.post(reverse("inbox:read_all"), {"page": "abc", "unread": "x"})
        assert response.status_code == 302
        assert client.post(reverse("inbox:read", args=[999999])).status_code == 404


def test_the_queue_filters_say_what_is_wrong_beside_each_and_keep_it(t, client):
    """The one form sent by GET (queues.py, and the ledger export that follows its filters):
    a wrong value is said beside its field and otherwise ignored, the others still apply."""
    client.force_login(t.center_user)
    query = {"date_from": "2026-13-40", "date_to": "明天", "state": "lost", "q": "围墙"}
    with time_machine.travel(OCT, tick=False):
        response = client.get(reverse("web:cases"), query)
        export = client.get(reverse("web:ledger_export"), query)
    assert response.status_code == 200 and export.status_code == 200
    tree = Tree(response.content.decode())
    page = Page(tree, tree.root)
    for name in ("date_from", "date_to", "state"):
        [message] = page.errors_of(name)
        assert CJK.search(message), message
    assert page.value_of("date_from") == "2026-13-40"
    assert page.value_of("q") == "围墙"
