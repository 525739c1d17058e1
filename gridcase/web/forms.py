"""The workbench's forms. They parse what people type; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcase.cases.models import Category, Level, State
from gridcase.web import selectors

BLANK = [("", _("全部"))]


class FilterForm(forms.Form):
    """The queue's filters and search (GET). Invalid values are ignored, never an error page."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
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
    date_from = forms.DateField(
        label=_("上报日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("上报日期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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

    def has_filters(self) -> bool:
        return any(self.data.get(name) for name in self.FILTER_FIELDS)

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data
        major = {"yes": True, "no": False}.get(data.get("major") or "")
        return selectors.Filters(
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
