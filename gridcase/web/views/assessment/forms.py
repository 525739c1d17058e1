"""The assessment pages' forms (approve, send back, appeal, decide, adjust) and their first
error in words."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gridcase.assessment.adjustments import clean_amount
from gridcase.assessment.common import require_text
from gridcase.assessment.models import Appeal
from gridcase.core import limits
from gridcase.core.text import TextField
from gridcase.web.forms_manage import run_check


def confirm_field(label, refusal) -> forms.BooleanField:
    """A tick that names what an irreversible step will do (issue 14): required, so that the
    step is confirmed with or without JavaScript."""
    return forms.BooleanField(label=label, required=True, error_messages={"required": refusal})


class FinaliseForm(forms.Form):
    confirm = confirm_field(
        _("我已核对:定稿将冻结本季度的考核结果,之后不能再申诉或修改,工资表以定稿结果为准"),
        _("请勾选确认后再定稿"),
    )


class ApproveForm(forms.Form):
    note = TextField(label=_("审批意见"), required=False, max_length=limits.REASON)
    confirm = confirm_field(
        _("我已核对:审批通过后工资表为最终结果,不能撤回;发现的错误只能在下一季度调整"),
        _("请勾选确认后再审批"),
    )


class ReopenForm(forms.Form):
    reason = TextField(
        label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.REASON
    )


class AppealForm(forms.Form):
    reason = TextField(
        label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.REASON
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("accept", _("采纳")), ("reject", _("不予采纳"))],
        widget=forms.RadioSelect,
    )
    override = forms.ChoiceField(
        label=_("采纳后的更正"),
        required=False,
        choices=[
            ("", _("按申诉时的状态自动选择")),
            (Appeal.Override.CONFORMING, _("按质量合格计")),
            (Appeal.Override.ON_TIME, _("按按时结案或上报计")),
        ],
    )
    note = TextField(
        label=_("处理意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.REASON,
        help_text=_("不予采纳时必须填写理由"),
    )


class AdjustmentForm(forms.Form):
    officer = forms.TypedChoiceField(label=_("网格专管员"), coerce=int, choices=())
    # Text, not a DecimalField: the service says in words what a valid amount is.
    amount = TextField(
        label=_("调整金额(元)"), max_length=20, help_text=_("补发用正数, 扣减用负数, 如 -10")
    )
    reason = TextField(
        label=_("调整原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=limits.REASON
    )

    def __init__(self, *args, officers: list[tuple[int, str]], **kwargs):
        """`officers`: (id, label) of the town's officers, the only ones the service adjusts."""
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", "---------"), *officers]

    def clean(self):
        data = super().clean()
        if data.get("amount"):
            run_check(self, clean_amount, data["amount"])
        return data


class SuspectDecisionForm(forms.Form):
    """The office's decision on one suspected pair of the queue (ids unique per pair)."""

    decision = forms.ChoiceField(label=_("核查结果"), choices=(), widget=forms.RadioSelect)
    reason = TextField(
        label=_("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.REASON,
        help_text=_("确认重复时必须填写理由"),
    )
    confirm = forms.BooleanField(label="", required=False)

    def __init__(self, *args, later: str, earlier: str, key: str, **kwargs):
        super().__init__(*args, auto_id=f"{key}-%s", **kwargs)
        self.fields["decision"].choices = [
            (
                "confirm",
                _t("确认 %(later)s 重复 %(earlier)s") % {"later": later, "earlier": earlier},
            ),
            ("dismiss", _("排除 (不是同一事项)")),
        ]
        self.fields["confirm"].label = _t(
            "确认重复时须勾选:%(later)s 将作为重复事件,不计入考核"
        ) % {"later": later}

    def clean(self):
        data = super().clean()
        if data.get("decision") == "confirm":
            # The service's rule: a confirmation needs its reason (checked again on save).
            if "reason" not in self.errors:
                run_check(self, require_text, data.get("reason"), "reason", _t("确认理由"))
            if not data.get("confirm"):
                # Irreversible for the later case's pay (issue 14): the tick says so.
                self.add_error("confirm", _("请勾选确认后再确认重复"))
        return data


def form_error(form: forms.Form) -> str:
    """The form's first problem in words, for the message after the redirect."""
    if "confirm" in form.errors:  # the tick's label is the whole consequence: say only why
        return str(form.errors["confirm"][0])
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return _t("提交的内容有误")
