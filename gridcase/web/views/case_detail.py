"""The case page: every element, the parties, attachments, deadlines and light, the timeline,
and a form for each action this person may take now (and no others)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from gridcase.assessment import appeals as appeal_rules
from gridcase.assessment import integrity
from gridcase.assessment.models import SuspectPair
from gridcase.cases import elements, selectors
from gridcase.cases.changes import LAPSED_NOTE, case_values
from gridcase.cases.deadlines import town_day
from gridcase.cases.models import (
    LOCAL_LEVELS,
    MAJOR_CATEGORIES,
    Case,
    Category,
    ExtensionRequest,
    Level,
    TimelineEntry,
)
from gridcase.cases.workflow import ACTION_LABELS, COMPOSITE_STEPS
from gridcase.core import phones
from gridcase.notify.services import inbox_mark_case_read
from gridcase.org.models import Role, Unit
from gridcase.org.selectors import roles_in_force
from gridcase.web import forms as wf
from gridcase.web.views.assessment.forms import AppealForm

# The titles of actions as the buttons and the timeline show them (translatable here; the
# workflow table's Chinese labels are the fallback).
ACTION_TITLES = {
    "create": _("录入"),
    "edit": _("修改草稿"),
    "submit": _("提交"),
    "accept": _("受理"),
    "close": _("结案"),
    "escalate": _("上报"),
    "dispatch": _("分流"),
    "report": _("反馈办理结果"),
    "return": _("退回"),
    "void": _("作废"),
    "urge": _("督办"),
    "request_extension": _("申请延期"),
    "decide_extension": _("审批延期"),
    "follow_up": _("回访"),
    "review": _("质量评定"),
    "attach": _("上传附件"),
    "appeal": _("申诉"),
    "appeal_decided": _("申诉处理"),
    "import": _("导入"),
    "duplicate_confirmed": _("确认重复"),
    "duplicate_dismissed": _("排除疑似重复"),
}

# The order in which the actions are offered: the usual next step first.
ACTION_ORDER = [
    "submit",
    "accept",
    "close",
    "report",
    "escalate",
    "dispatch",
    "return",
    "decide_extension",
    "request_extension",
    "urge",
    "follow_up",
    "review",
    "attach",
    "void",
]


def action_title(action: str) -> str:
    """The title of an action, or of a two-action step by its name (提交并受理, 受理并结案 …)."""
    step = COMPOSITE_STEPS.get(action)
    if step is not None:
        return _("%(first)s并%(then)s") % {
            "first": action_title(step[0]),
            "then": action_title(step[1]),
        }
    return str(ACTION_TITLES.get(action) or ACTION_LABELS.get(action, action))


def get_case_or_404(request: HttpRequest, number: str) -> Case:
    """Outside a person's scope a case does not exist: 404, never 403."""
    try:
        return selectors.get_case(request.user, number=number)
    except (Case.DoesNotExist, Case.MultipleObjectsReturned):
        raise Http404("no such case") from None


def needs_mediation(case: Case) -> bool:
    """A dispute closed at the grid or the village needs the mediation record."""
    return case.category == Category.DISPUTE and case.level in LOCAL_LEVELS


def action_form(action: str, case: Case, data=None, files=None):
    """The unbound (or bound) form of one action or two-action step (the form of its second
    action: 提交并受理 has none but the version), or None for actions without a form here."""
    initial = {"version": case.version}
    kwargs = {"data": data, "initial": initial, "prefix": action}
    step = COMPOSITE_STEPS.get(action)
    if step is not None:
        if step[-1] == "accept":
            return wf.ActionForm(**kwargs)
        form = action_form(step[-1], case, data=data, files=files)
        if form is not None:
            form.prefix = action
        return form
    if action == "submit":
        return wf.ActionForm(**kwargs)
    if action == "accept":
        return wf.NoteForm(**kwargs)
    if action == "urge":
        return wf.UrgeForm(**kwargs)
    if action == "close":
        if case.state == "reported":
            # Results flow forward: the center closes from the department's report.
            initial["result"] = case.result
        return wf.CloseActionForm(**kwargs)
    if action == "escalate":
        return wf.EscalateForm(**kwargs)
    if action == "dispatch":
        departments = Unit.objects.filter(town_id=case.town_id, kind=Unit.Kind.DEPARTMENT)
        return wf.DispatchForm(departments=departments.order_by("name"), **kwargs)
    if action == "report":
        return wf.ReportForm(**kwargs)
    if action == "return":
        form = wf.ReasonForm(**kwargs)
        form.fields["reason"].label = _("退回原因")
        return form
    if action == "void":
        return wf.VoidForm(**kwargs)
    if action == "request_extension":
        return wf.ExtensionForm(**kwargs)
    if action == "decide_extension":
        return wf.DecideExtensionForm(**kwargs)
    if action == "follow_up":
        return wf.FollowUpForm(**kwargs)
    if action == "review":
        return wf.ReviewForm(can_be_major=case.category in MAJOR_CATEGORIES, **kwargs)
    if action == "attach":
        return wf.AttachForm(**kwargs)
    return None


def detail_context(
    request: HttpRequest,
    case: Case,
    *,
    bound: tuple[str, object] | None = None,
    appeal_form: AppealForm | None = None,
):
    user = request.user
    parties = list(case.parties.all())
    attachments = list(case.attachments.all())
    extensions = list(case.extensions.select_related("requested_by", "decided_by"))
    for request_row in extensions:
        request_row.note_shown = extension_note(request_row)
    follow_ups = list(case.follow_ups.select_related("by"))
    timeline = list(selectors.timeline(case))
    handles = selectors.handles(user, case)
    allowed = selectors.allowed_actions(user, case, extensions)
    pending = selectors.pending_extension(case, extensions)

    def offer(name: str) -> dict:
        is_bound = bool(bound and bound[0] == name)
        return {
            "name": name,
            "title": action_title(name),
            "form": bound[1] if is_bound else action_form(name, case),
            "open": is_bound,
        }

    # The steps expected next come first, with their forms open (issue 14); every other
    # action allowed now waits behind "更多操作", and what is possible only later is shown
    # disabled with the reason.
    steps = selectors.next_steps(user, case, allowed)
    primary = [offer("_".join(step)) for step in steps]
    missing = _missing_at_submit(case, parties) if case.state == "draft" else []
    for item, step in zip(primary, steps, strict=True):
        item["step"] = step
        if step[0] == "submit" and missing:
            item["blocked"] = _("还不能提交,缺少:%(missing)s") % {
                "missing": gettext("、").join(missing)
            }
    first = {step[0] for step in steps if len(step) == 1}
    actions = [offer(a) for a in ACTION_ORDER if a in allowed]
    more = [a for a in actions if a["name"] not in first]
    later = [
        {"title": action_title(a), "reason": _(reason)}
        for a, reason in selectors.not_yet(user, case).items()
    ]
    # The officer contests the case's assessment from the case itself (issue 14), when the
    # appeal would be taken (assessment.appeals.appeal_refusal: no query for anyone else).
    appeal = None
    if appeal_form is not None:  # refused: open, with the reason as typed and the problem
        appeal = {"form": appeal_form, "open": True}
    elif case.officer_id == user.pk and not appeal_rules.appeal_refusal(case, user):
        appeal = {"form": AppealForm(auto_id="appeal_%s")}
    units = selectors.level_units(case)
    came = selectors.handover(case, timeline)
    # The town's calendar is loaded only when there is a light to show.
    closed = case.state == "closed"
    day = town_day(case.town) if case.is_open or (closed and case.follow_up_due) else None
    follow_up_light = day.follow_up_light(case.follow_up_due) if day and closed else None
    return {
        "nav_section": "cases",
        "case": case,
        "light": (day.case_light(case) or "") if day else "",
        "follow_up_light": follow_up_light or "",
        "parties": [
            {"name": p.name, "phone": p.phone if handles else phones.mask_phone(p.phone)}
            for p in parties
        ],
        "phones_masked": not handles,
        "attachments": attachments,
        "extensions": extensions,
        "pending_extension": pending,
        "follow_ups": follow_ups,
        "timeline": [
            {
                "entry": e,
                "title": action_title(e.action),
                "note": timeline_note(e),
                "from_level": _unit(e.from_level, case, units, e),
                "to_level": _unit(e.to_level, case, units, e),
            }
            for e in timeline
        ],
        "handover": came
        and {
            "entry": came,
            "title": action_title(came.action),
            "from_level": _unit(came.from_level, case, units, came),
            "label": HANDOVER_LABELS.get(came.action, _("说明")),
        },
        # Every action allowed now (the same as the API offers: test_action_parity) …
        "actions": actions,
        # … shown as the steps expected next, the rest, and what is possible only later.
        "primary": primary,
        "more": more,
        "later": later,
        "appeal": appeal,
        "can_edit": "edit" in allowed,
        "mediation": needs_mediation(case),
        "mediation_text": case.render_mediation(),
        "missing_elements": missing_elements_shown(case.missing_elements),
        **_suspects_shown(case_suspects(user, case, handles, parties)),
    }


# A case page lists its suspected duplicates, most similar first, up to this many: a case
# among many alike (a village's routine reports) may have hundreds, and the page must stay
# quick to load and read; the count says how many there are (the office's queue has them all).
SUSPECTS_SHOWN = 20


def _suspects_shown(rows: list[dict]) -> dict:
    return {"suspects": rows[:SUSPECTS_SHOWN], "suspects_total": len(rows)}


def extension_note(request_row: ExtensionRequest) -> str:
    """An extension request's decision note as the case page shows it: the note a lapsed
    request keeps (changes.LAPSED_NOTE, stored in Chinese) in the reader's language, anyone's
    own words as written."""
    note = request_row.decision_note
    if request_row.status == ExtensionRequest.Status.LAPSED and note == LAPSED_NOTE:
        return gettext(LAPSED_NOTE)
    return note


# What the system writes on the timeline in Chinese, stored as written (the API gives the
# stored text): an Open311 report's origin (api.open311), the elements a filed report lacks
# (cases.filing.file_report: "缺少要素:" and the checks' messages), the governance office's
# duplicate decision (assessment.integrity_services). The case page says them in the reader's
# language, from the entry's data; anyone's own words stay as written.
OPEN311_NOTE = gettext_noop("群众通过 Open311 上报")
MISSING_PREFIX = "缺少要素:"
DUPLICATE_WORDS = {
    "duplicate_confirmed": "综治办确认 {case} 与 {similar_to} 重复",
    "duplicate_dismissed": "综治办排除 {case} 与 {similar_to} 重复",
}


def timeline_note(entry: TimelineEntry) -> str:
    """A timeline row's note as the case page shows it (see OPEN311_NOTE above)."""
    note, data = entry.note, entry.data or {}
    if not note:
        return ""
    if note == OPEN311_NOTE:
        return gettext(OPEN311_NOTE)
    if _reads_chinese():
        # The stored text is the source language's own: shown as written, in full.
        return note
    if note.startswith(MISSING_PREFIX) and data.get("missing"):
        fields = dict.fromkeys(data["missing"])
        return _("缺少要素:%(missing)s") % {
            "missing": gettext("、").join(_element_label(field) for field in fields)
        }
    words = DUPLICATE_WORDS.get(entry.action)
    if words and {"case", "similar_to"} <= data.keys():
        start = words.format(case=data["case"], similar_to=data["similar_to"])
        if note == start or note.startswith(start + ": "):
            said = {
                "case": data["case"],
                "other": data["similar_to"],
                "note": note[len(start) + 2 :],
            }
            if entry.action == "duplicate_confirmed":
                return _("综治办确认 %(case)s 与 %(other)s 重复: %(note)s") % said
            if said["note"]:
                return _("综治办排除 %(case)s 与 %(other)s 重复: %(note)s") % said
            return _("综治办排除 %(case)s 与 %(other)s 重复") % said
    return note


def missing_elements_shown(stored: list) -> str:
    """The elements a case lacks as stored (cases.filing: the checks' Chinese messages; an
    importer's field keys or words), as the case page shows them: as stored in Chinese, by
    the elements' names in another language (what no element is found for stays as stored)."""
    texts = [str(item) for item in stored or () if str(item).strip()]
    if _reads_chinese():
        return ";".join(texts)
    shown = [_element_label(field) if (field := _element_of(t)) else t for t in texts]
    return gettext("、").join(dict.fromkeys(shown))


def _element_of(text: str) -> str | None:
    """The element a stored missing-element entry names: a field key, "缺少" and the element's
    name (with more words after it), or a check's message about the parties (cases.elements
    names the parties, 当事人, in each)."""
    if text in elements.LABELS:
        return text
    name = text.removeprefix("缺少")
    for field, label in elements.LABELS.items():
        if name.startswith(label):
            return field
    return "parties" if "当事人" in text else None


def _element_label(field: str) -> str:
    """A case element's name by its field (cases.elements' keys), in the reader's language."""
    if field == "parties":
        return str(_("当事人"))
    try:
        return str(Case._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


def case_suspects(user, case: Case, handles: bool, parties) -> list[dict]:
    """integrity.md: the case's suspected duplicates, for the people who handle it and the
    town's governance office: the pairs kept (with the office's decision) and those the check
    finds now (over the place-and-time index), never a dismissed one again."""
    if case.submitted_at is None:
        return []
    office = any(
        r.town_id == case.town_id and r.kind == Role.Kind.GOVERNANCE_OFFICE
        for r in roles_in_force(user)
    )
    if not (handles or office):
        return []
    rows: dict[str, dict] = {}
    for pair in integrity.pairs_of_case(case):
        other = pair.similar_to if pair.case_id == case.pk else pair.case
        rows[other.number] = {
            "number": other.number,
            "score": pair.score,
            "reasons": pair.words,
            "status": pair.status,
            "status_word": pair.get_status_display(),
            "note": pair.decision_note,
            "later": pair.case_id == case.pk,
        }
    for found in integrity.check_case(case, parties=parties):
        if found.other_number not in rows:
            rows[found.other_number] = {
                "number": found.other_number,
                "score": found.suspicion.score,
                "reasons": list(found.suspicion.words),
                "status": SuspectPair.Status.SUSPECTED,
                "status_word": SuspectPair.Status.SUSPECTED.label,
                "note": "",
                "later": found.suspicion.case == case.number,
            }
    return sorted(rows.values(), key=lambda r: (-float(r["score"]), r["number"]))


def _missing_at_submit(case: Case, parties) -> list[str]:
    """What a draft still lacks before it can be handed in (the check submit makes), in words:
    the checks' own messages (cases.elements words them in Chinese), or in another language
    the names of the elements they are about."""
    values = case_values(case, [{"name": p.name, "phone": p.phone} for p in parties])
    missing = elements.missing_at_submit(values)
    if _reads_chinese():
        return [message for _, message in missing]
    return [_element_label(field) for field in dict.fromkeys(field for field, _ in missing)]


def _reads_chinese() -> bool:
    """The page is in Chinese, the language the system's stored words are written in."""
    return (get_language() or "").startswith("zh")


def _level(code: str) -> str:
    return str(Level(code).label) if code in Level.values else code


# The reasons of workflow.NOT_YET, for makemessages (the workflow table stays plain Python).
NOT_YET_WORDS = [gettext_noop("结案后才能回访")]

# What the reason of a handover is called where the receiving level reads it.
HANDOVER_LABELS = {
    "escalate": _("上报理由"),
    "return": _("退回原因"),
    "dispatch": _("分流意见"),
    "report": _("部门办理结果"),
}


def _unit(code: str, case: Case, units: dict[str, str], entry) -> str:
    """A level on the timeline, named by the unit behind it where known: the department a
    dispatch went to (as the entry recorded it), the village's station, the town center."""
    label = _level(code)
    if code == Level.DEPARTMENT:
        name = (entry.data or {}).get("department") or (
            case.department.name if case.department else ""
        )
    elif code == Level.GRID:
        name = case.grid.name if case.grid else ""
    else:
        name = units.get(code, "")
    return f"{label}({name})" if name and name != label else label


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_or_404(request, number)
    # However the case was reached (a robot's or an e-mail's link), its messages are read.
    inbox_mark_case_read(user=request.user, case_id=case.pk)
    with timezone.override(case.town.timezone):
        return render(request, "web/case_detail.html", detail_context(request, case))


@login_required
def attachment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """A case's file, only for people who may see the case (no public media URL)."""
    case = get_case_or_404(request, number)
    try:
        item = case.attachments.get(pk=pk)
    except case.attachments.model.DoesNotExist:
        raise Http404("no such attachment") from None
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    inline = item.content_type.startswith("image/") or item.content_type == "application/pdf"
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=not inline,
        filename=item.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
