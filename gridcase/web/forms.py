"""The workbench's forms. They parse what people type; the rules live in the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcase.cases.changes import check_note, require_reason
from gridcase.cases.errors import CaseError
from gridcase.cases.models import Category, Level, State
from gridcase.cases.validation import CONTENT_FIELDS, clean_close
from gridcase.core import limits, times
from gridcase.core.coords import System
from gridcase.core.text import TextField
from gridcase.core.times import MomentField
from gridcase.org.models import Grid, Village
from gridcase.web import filters as queue_filters

BLANK = [("", _("全部"))]


class FilterForm(forms.Form):
    """The queue's filters and search (GET). Invalid values are ignored, never an error page."""

    q = TextField(label=_("搜索"), required=False, max_length=limits.SEARCH)
    village = forms.ModelChoiceField(label=_("行政村"), queryset=None, required=False)
    category = forms.ChoiceField(
        label=_("事件类别"), choices=BLANK + Category.choices, required=False
    )
    state = forms.ChoiceField(label=_("状态"), choices=BLANK + State.choices, required=False)
    level = forms.ChoiceField(label=_("当前层级"), choices=BLANK + Level.choices, required=False)
    light = forms.ChoiceField(
        label=_("时效"),
        choices=BLANK + [("red", _("已超期")), ("yellow", _("即将到期")), ("green", _("正常"))],
        required=False,
    )
    major = forms.ChoiceField(
        label=_("是否重大"), choices=BLANK + [("yes", _("是")), ("no", _("否"))], required=False
    )
    # Bounded (core/times.py): year 1 or 9999 would overflow when the day's start in the town
    # is converted to UTC for the query; out of bounds is invalid, so ignored like the rest.
    date_from = forms.DateField(
        label=_("上报日期从"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=times.day_bounds(),
    )
    date_to = forms.DateField(
        label=_("上报日期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=times.day_bounds(),
    )

    FILTER_FIELDS = (
        "q",
        "village",
        "category",
        "state",
        "level",
        "light",
        "major",
        "date_from",
        "date_to",
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["q"].widget.attrs.update(
            placeholder=_("事件编号、当事人姓名或内容"), type="search"
        )

    def controls(self) -> list[dict]:
        """The filter controls as plain values for the template. Django's widgets render each
        <option> through a template of its own; on the busiest page that cost more than the
        queries, so the queue renders these few selects directly."""
        controls = []
        for name in self.FILTER_FIELDS:
            if name == "q":
                continue
            bound = self[name]
            current = "" if bound.value() is None else str(bound.value())
            control = {
                "name": name,
                "id": bound.id_for_label,
                "label": bound.label,
                "value": current,
                "errors": bound.errors,
            }
            field = self.fields[name]
            if isinstance(field, forms.DateField):
                control["type"] = "date"
            else:
                control["type"] = "select"
                choices = (
                    [("", _("全部"))] + [(str(v.pk), v.name) for v in field.queryset]
                    if name == "village"
                    else [(str(v), label) for v, label in field.choices]
                )
                control["options"] = [(v, str(label), v == current) for v, label in choices]
            controls.append(control)
        return controls

    def has_filters(self, exclude=()) -> bool:
        return any(self.data.get(name) for name in self.FILTER_FIELDS if name not in exclude)

    def filters(self) -> queue_filters.Filters:
        data = self.cleaned_data
        major = {"yes": True, "no": False}.get(data.get("major") or "")
        return queue_filters.Filters(
            village=data["village"].pk if data.get("village") else None,
            category=data.get("category") or "",
            state=data.get("state") or "",
            level=data.get("level") or "",
            light=data.get("light") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            major=major,
            q=(data.get("q") or "").strip(),
        )


# ---------------------------------------------------------------- entering a case

# Drafts may be incomplete, so nothing here is required except the category; the services
# check the required elements at submit and close and name each missing one.
SUBMIT_REQUIRED = ("occurred_at", "location", "persons", "cause", "course")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class CaseForm(forms.Form):
    category = forms.ChoiceField(label=_("事件类别"), choices=Category.choices)
    major = forms.BooleanField(
        label=_("重大事件"),
        required=False,
        help_text=_("只有矛盾纠纷和治安安全隐患可以标记为重大"),
    )
    title = TextField(
        label=_("标题"),
        required=False,
        max_length=limits.TITLE,
        help_text=_("一句话概括,可不填"),
    )
    # Under the rule of the times a person can mean (core/times.py): a mistyped year 0006 is
    # named here, next to the field, before anything is saved.
    occurred_at = MomentField(label=_("发生时间"), required=False, widget=DateTimeLocalInput)
    location = TextField(label=_("发生地点"), required=False, max_length=limits.LOCATION)
    latitude = forms.DecimalField(
        label=_("纬度"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
    )
    # The fix behind the coordinates (workbench.js sets the accuracy from the browser's fix and
    # clears both when a coordinate is typed); a browser cannot tell a mock provider, so the
    # flag only carries what the case already says (e.g. from a field terminal) through an edit.
    location_accuracy = forms.DecimalField(
        required=False, min_value=0, max_digits=9, decimal_places=2, widget=forms.HiddenInput
    )
    location_mock = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The system the coordinates are typed in; the services store WGS-84 (cases/placing.py).
    # The phone's own fix is WGS-84 (locate.js sets it back when the fix fills the fields).
    crs = forms.ChoiceField(
        label=_("坐标系"),
        required=False,
        initial=System.WGS84.value,
        choices=[
            (System.WGS84.value, _("WGS-84(手机定位)")),
            (System.GCJ02.value, _("GCJ-02(高德/腾讯/微信)")),
            (System.BD09.value, _("BD-09(百度)")),
        ],
        help_text=_("从高德、腾讯地图或微信复制的坐标选 GCJ-02,从百度地图复制的选 BD-09"),
    )
    # Chosen by hand, they win over the point; left empty, the point (or the officer's own
    # village and grid) decides (cases/placing.py). Only the officer's villages are offered.
    village = forms.ModelChoiceField(
        label=_("所属行政村"),
        queryset=Village.objects.none(),
        required=False,
        empty_label=_("按位置自动确定"),
    )
    grid = forms.ModelChoiceField(
        label=_("所属网格"),
        queryset=Grid.objects.none(),
        required=False,
        empty_label=_("按位置自动确定"),
        help_text=_("不选时按经纬度所在的网格确定;没有经纬度时为您本人的网格"),
    )
    persons = TextField(
        label=_("人物"),
        required=False,
        max_length=limits.PERSONS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("涉及的人员,多人用顿号分隔"),
    )
    cause = TextField(
        label=_("起因"),
        required=False,
        max_length=limits.CAUSE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    course = TextField(
        label=_("经过"),
        required=False,
        max_length=limits.COURSE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    # The content a draft carries: the services' list, so the form and the filing agree.
    CONTENT = CONTENT_FIELDS

    def __init__(self, *args, villages=None, grids=None, **kwargs):
        """`villages` and `grids`: the places the officer may choose (querysets); without
        `villages` the village stays as it is (a draft keeps its village), without `grids`
        there is no choice at all."""
        super().__init__(*args, **kwargs)
        if villages is None:
            del self.fields["village"]
        else:
            self.fields["village"].queryset = villages
        if grids is None:
            del self.fields["grid"]
        else:
            self.fields["grid"].queryset = grids
        self.fields["category"].widget.attrs["data-parties"] = "parties"
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update(inputmode="decimal", step="any")
        for name in SUBMIT_REQUIRED:
            self.fields[name].submit_required = True

    def clean(self):
        cleaned = super().clean()
        # A hidden field the officer cannot see or correct: an unreadable accuracy is unknown.
        if self._errors.pop("location_accuracy", None):
            cleaned["location_accuracy"] = None
        if cleaned.get("latitude") is None or cleaned.get("longitude") is None:
            # No point, no fix: an accuracy left over from a cleared point means nothing.
            cleaned["location_accuracy"], cleaned["location_mock"] = None, False
        return cleaned

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.CONTENT}
        data["crs"] = self.cleaned_data.get("crs") or System.WGS84.value
        for name in ("village", "grid"):
            if self.cleaned_data.get(name) is not None:
                data[name] = self.cleaned_data[name]
        return data

    @classmethod
    def initial_from(cls, case) -> dict:
        return {name: getattr(case, name) for name in cls.CONTENT}


class PartyForm(forms.Form):
    name = TextField(label=_("姓名"), required=False, max_length=limits.PARTY_NAME)
    phone = TextField(
        label=_("联系电话"),
        required=False,
        max_length=limits.PARTY_PHONE,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )


PARTY_ROWS = 3  # three rows by default: two sides and a spare, without JavaScript


class BasePartyFormSet(forms.BaseFormSet):
    def service_data(self) -> list[dict]:
        return [
            {"name": f.cleaned_data.get("name", ""), "phone": f.cleaned_data.get("phone", "")}
            for f in self.forms
            if f.cleaned_data.get("name") or f.cleaned_data.get("phone")
        ]


PartyFormSet = forms.formset_factory(
    PartyForm, formset=BasePartyFormSet, extra=0, max_num=30, absolute_max=30
)


def party_formset(data=None, parties=(), *, add: int = 0):
    """The party rows: the case's parties, padded to at least three rows (plus `add`)."""
    if data is not None:
        data = data.copy()
        total_key = "parties-TOTAL_FORMS"
        try:
            total = int(data.get(total_key, PARTY_ROWS))
        except ValueError:
            total = PARTY_ROWS
        data[total_key] = str(min(total + add, 30))
        return PartyFormSet(data, prefix="parties")
    initial = [{"name": p.name, "phone": p.phone} for p in parties]
    initial += [{}] * max(PARTY_ROWS - len(initial), 0)
    return PartyFormSet(initial=initial, prefix="parties")


class CloseForm(forms.Form):
    """The final result and, for a dispute closed locally, the mediation record."""

    result = TextField(
        label=_("处理结果"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    mediator = TextField(label=_("调解人"), required=False, max_length=limits.MEDIATOR)
    mediation_result = forms.ChoiceField(
        label=_("调解结果"),
        required=False,
        choices=[("agreed", _("达成协议")), ("not_agreed", _("未达成协议"))],
        widget=forms.RadioSelect,
    )
    agreement_form = forms.ChoiceField(
        label=_("协议方式"),
        required=False,
        choices=[("written", _("书面")), ("oral", _("口头"))],
        widget=forms.RadioSelect,
    )
    agreement_terms = TextField(
        label=_("协议内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一条,系统自动编号:1……;2……"),
    )

    def service_data(self, *, mediation: bool = True) -> dict:
        data = {"result": self.cleaned_data.get("result", "")}
        if mediation:
            data |= {
                "mediator": self.cleaned_data.get("mediator", ""),
                "mediation_result": self.cleaned_data.get("mediation_result", ""),
                "agreement_form": self.cleaned_data.get("agreement_form", ""),
                "agreement_terms": (self.cleaned_data.get("agreement_terms") or "").splitlines(),
            }
        return data


def add_service_errors(error, forms_by_field: list[forms.Form]) -> list[str]:
    """Put each message of a CaseError next to its field; return the ones no form has."""
    leftover = []
    for field, messages in (error.fields or {}).items():
        target = next((f for f in forms_by_field if field in f.fields), None)
        for message in messages:
            if target is not None:
                target.add_error(field, message)
            else:
                leftover.append(message)
    return leftover


# ---------------------------------------------------------------- actions on a case


class ActionForm(forms.Form):
    """Every action form carries the case's version as the page showed it, so that acting on a
    page that someone else has changed since is refused in words instead of surprising anyone.

    `checks` are the service's own checks of the form's fields (cases.changes: a reason
    required, a note at most limits.REASON …), run with the form's, so that every problem of
    the form is said at once, each next to its field; the service runs them again."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    checks: ClassVar[dict[str, Callable[[str], object]]] = {}

    def clean(self):
        cleaned = super().clean()
        for name, check in self.checks.items():
            if name not in self.fields or name in self.errors:
                continue
            try:
                check(cleaned.get(name) or "")
            except CaseError as exc:
                for field, messages in (exc.fields or {name: [exc.message]}).items():
                    for message in messages:
                        self.add_error(field if field in self.fields else None, message)
        return cleaned


class NoteForm(ActionForm):
    note = TextField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    checks = {"note": check_note}


class UrgeForm(NoteForm):
    checks = {"note": lambda v: require_reason(v, "note", "督办意见")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("督办意见")


class EscalateForm(ActionForm):
    note = TextField(
        label=_("上报理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明为何本级不能办结,需要上级处理"),
    )
    checks = {"note": lambda v: require_reason(v, "note", "上报理由")}


class DispatchForm(ActionForm):
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=None, required=True)
    note = TextField(label=_("分流意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    checks = {"note": lambda v: check_note(v, "note", "分流意见")}

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].error_messages["required"] = _("请选择承办部门")


class ReportForm(ActionForm):
    result = TextField(
        label=_("处理结果"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    checks = {"result": lambda v: require_reason(v, "result", "处理结果")}


class ReasonForm(ActionForm):
    reason = TextField(label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    checks = {"reason": require_reason}


class VoidForm(ReasonForm):
    """作废 cannot be undone: the form names what happens and asks for a tick (issue 14, with
    or without JavaScript)."""

    confirm = forms.BooleanField(
        label=_("我确认作废:该事件将不再办理,不计入考核,且不能恢复"),
        required=True,
        error_messages={"required": _("请勾选确认后再作废")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("作废原因")


class CloseActionForm(ActionForm, CloseForm):
    checks = {"result": lambda v: clean_close({"result": v})}


class ExtensionForm(ActionForm):
    working_days = forms.IntegerField(
        label=_("延期工作日数"),
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = TextField(
        label=_("申请理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    checks = {"reason": require_reason}


class DecideExtensionForm(ActionForm):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准")), ("reject", _("不批准"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择批准或不批准")},
    )
    note = TextField(label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    checks = {"note": lambda v: check_note(v, "note", "审批意见")}


class FollowUpForm(ActionForm):
    visited_on = forms.DateField(
        label=_("回访日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写回访日期")},
    )
    method = forms.ChoiceField(
        label=_("回访方式"),
        choices=[("phone", _("电话回访")), ("visit", _("上门回访"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择回访方式(电话/上门)")},
    )
    satisfied = forms.ChoiceField(
        label=_("当事人是否满意"),
        choices=[("yes", _("满意")), ("no", _("不满意")), ("", _("未表态"))],
        widget=forms.RadioSelect,
        required=False,
    )
    note = TextField(label=_("回访情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    checks = {"note": lambda v: check_note(v, "note", "回访情况", limits.FOLLOW_UP_NOTE)}


class ReviewForm(ActionForm):
    quality = forms.ChoiceField(
        label=_("质量评定"),
        choices=[("conforming", _("合格")), ("nonconforming", _("不合格"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择合格或不合格")},
    )
    quality_note = TextField(
        label=_("不合格原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    major = forms.ChoiceField(
        label=_("重大事件"),
        required=False,
        choices=[("", _("不变")), ("yes", _("确认为重大")), ("no", _("取消重大标记"))],
    )

    def __init__(self, *args, can_be_major: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_be_major:
            del self.fields["major"]

    def clean(self):
        # The service's rule for the reason: required when 不合格, at most limits.QUALITY_NOTE.
        cleaned = super().clean()
        note = cleaned.get("quality_note") or ""
        try:
            if cleaned.get("quality") == "nonconforming":
                require_reason(note, "quality_note", "不合格原因")
            check_note(note, "quality_note", "不合格原因", limits.QUALITY_NOTE)
        except CaseError as exc:
            for message in exc.fields.get("quality_note", [exc.message]):
                self.add_error("quality_note", message)
        return cleaned


class AttachForm(ActionForm):
    # The files come as request.FILES["files"] (the template's own <input multiple>); this
    # field carries the upload's refusals (named "file" by cases.attachments), shown there.
    file = forms.Field(required=False, widget=forms.HiddenInput)
