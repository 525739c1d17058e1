"""The assessment pages' forms (approve, send back, appeal, decide, adjust) and their first
error in words."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gridcase.assessment.models import Appeal
from gridcase.core import limits
from gridcase.core.text import TextField


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
    officer = forms.IntegerField(label=_("网格专管员"))
    # Text, not a DecimalField: the service says in words what a valid amount is.
    amount = TextField(
        label=_("调整金额(元)"), max_length=20, help_text=_("补发用正数, 扣减用负数, 如 -10")
    )
    reason = TextField(
        label=_("调整原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=limits.REASON
    )


def form_error(form: forms.Form) -> str:
    """The form's first problem in words, for the message after the redirect."""
    if "confirm" in form.errors:  # the tick's label is the whole consequence: say only why
        return str(form.errors["confirm"][0])
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return _t("提交的内容有误")
