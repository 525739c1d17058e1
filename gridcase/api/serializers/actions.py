"""The input of each flow action. The services check the business rules; these check shape."""

from __future__ import annotations

from rest_framework import serializers

from gridcase.cases.models import FollowUp, Quality
from gridcase.core import limits

from .common import IdField, StrictSerializer, TextField, VersionField


class ActionInput(StrictSerializer):
    """Every action's input may carry the version the client saw (cases.versions)."""

    version = VersionField()


class EmptySerializer(ActionInput):
    """No input: send `{}`, `{"version": n}` or nothing."""


class NoteSerializer(ActionInput):
    note = TextField(
        label="说明",
        max_length=limits.REASON,
        allow_blank=True,
        required=False,
        default="",
        help_text="说明(上报、督办时必填)",
    )


class RequiredNoteSerializer(NoteSerializer):
    """The note of an escalation or an urging: the workflow refuses these without one (in its
    own words, cases.services), and the schema says it is required (api/schema.py)."""


class ReasonSerializer(ActionInput):
    reason = TextField(
        label="原因",
        max_length=limits.REASON,
        allow_blank=True,
        required=False,
        default="",
        help_text="原因(必填)",
    )


class CloseSerializer(ActionInput):
    """The final result; a dispute closed at the grid or village also needs its mediation."""

    result = TextField(label="处理结果", max_length=limits.RESULT, allow_blank=True, required=False)
    mediator = TextField(
        label="调解人", max_length=limits.MEDIATOR, allow_blank=True, required=False
    )
    mediation_result = serializers.ChoiceField(
        choices=[("", "未填写"), ("agreed", "达成协议"), ("not_agreed", "未达成协议")],
        required=False,
    )
    agreement_form = serializers.ChoiceField(
        choices=[("", "未填写"), ("written", "书面"), ("oral", "口头")], required=False
    )
    agreement_terms = serializers.ListField(
        child=TextField(label="协议内容", max_length=limits.AGREEMENT_TERM),
        max_length=limits.AGREEMENT_TERMS,
        required=False,
        help_text="协议内容,逐条",
    )


class DispatchSerializer(ActionInput):
    department = IdField(help_text="本镇部门的 id(见 /api/v1/org/units?kind=department)")
    note = TextField(
        label="说明", max_length=limits.REASON, allow_blank=True, required=False, default=""
    )


class ReportSerializer(ActionInput):
    result = TextField(
        label="处理结果",
        max_length=limits.REASON,
        allow_blank=True,
        required=False,
        default="",
        help_text="处理结果(必填)",
    )


class ExtensionRequestSerializer(ActionInput):
    working_days = serializers.IntegerField(
        min_value=-10_000, max_value=10_000, help_text="延期的工作日数(1–30)"
    )
    reason = TextField(
        label="原因",
        max_length=limits.REASON,
        allow_blank=True,
        required=False,
        default="",
        help_text="申请理由(必填)",
    )


class ExtensionDecisionSerializer(ActionInput):
    approve = serializers.BooleanField(help_text="true 批准,false 不批准")
    note = TextField(
        label="说明", max_length=limits.REASON, allow_blank=True, required=False, default=""
    )


class FollowUpInputSerializer(ActionInput):
    visited_on = serializers.DateField(
        help_text="回访日期,YYYY-MM-DD:不早于结案日期(未结案的不早于提交日期),不晚于今天"
    )
    method = serializers.ChoiceField(choices=FollowUp.Method.choices)
    satisfied = serializers.BooleanField(allow_null=True, required=False, default=None)
    note = TextField(
        label="说明", max_length=limits.FOLLOW_UP_NOTE, allow_blank=True, required=False, default=""
    )


class ReviewSerializer(ActionInput):
    quality = serializers.ChoiceField(
        choices=[(Quality.CONFORMING, "合格"), (Quality.NONCONFORMING, "不合格")]
    )
    note = TextField(
        label="说明",
        max_length=limits.REASON,
        allow_blank=True,
        required=False,
        default="",
        help_text="不合格原因",
    )
    major = serializers.BooleanField(
        allow_null=True, required=False, default=None, help_text="确认或取消“重大”标记;不填则不变"
    )


class AttachmentUploadSerializer(StrictSerializer):
    file = serializers.FileField(
        max_length=200,
        allow_empty_file=False,
        help_text="照片或文件(jpg/png/webp/pdf/doc(x)/xls(x))",
    )
