"""The assessment: results (assessment.md, "Reading the result"), quarters, appeals, adjustments."""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridcase.assessment.models import Appeal, QuarterAssessment
from gridcase.assessment.rules import STATUSES
from gridcase.core import limits, periods

from .cases import PersonSerializer, _person
from .common import IdField, StrictSerializer, TextField

# The shapes of core.periods, within the years the calendar knows (serializers.calendar,
# 2000–2099: year 0000 is not even a date), as the schema's `pattern` and as the server's check.
assert periods.MONTH.pattern.startswith("[0-9]{4}-") and periods.QUARTER.pattern.startswith(
    "[0-9]{4}-"
)
YEARS = "20[0-9]{2}"
MONTH_VALIDATOR = RegexValidator(
    f"^{YEARS}{periods.MONTH.pattern.removeprefix('[0-9]{4}')}$",
    "格式应为 YYYY-MM(2000–2099 年),如 2026-10",
)
QUARTER_VALIDATOR = RegexValidator(
    f"^{YEARS}{periods.QUARTER.pattern.removeprefix('[0-9]{4}')}$",
    "格式应为 YYYY-Qn(2000–2099 年),如 2026-Q4",
)
ONE_PERIOD = "month 与 quarter 必须且只能给出一个"


def month_field() -> TextField:
    return TextField(
        max_length=7,
        required=False,
        validators=[MONTH_VALIDATOR],
        help_text=f"月份 YYYY-MM,如 2026-10({ONE_PERIOD})",
    )


def quarter_field(**kwargs) -> TextField:
    kwargs.setdefault("help_text", "季度 YYYY-Qn,如 2026-Q4")
    return TextField(max_length=7, required=False, validators=[QUARTER_VALIDATOR], **kwargs)


class PeriodQuerySerializer(serializers.Serializer):
    town = TextField(
        max_length=limits.TOWN_CODE, required=False, help_text="镇代码;默认为调用者的镇"
    )
    month = month_field()
    quarter = quarter_field(help_text=f"季度 YYYY-Qn,如 2026-Q4({ONE_PERIOD})")

    def validate(self, attrs):
        if bool(attrs.get("month")) == bool(attrs.get("quarter")):
            raise serializers.ValidationError({"month": ["请指定月份(month)或季度(quarter)之一"]})
        return attrs


class TownQuerySerializer(serializers.Serializer):
    town = TextField(
        max_length=limits.TOWN_CODE, required=False, help_text="镇代码;默认为调用者的镇"
    )


class AppealQuerySerializer(TownQuerySerializer):
    quarter = quarter_field()
    status = serializers.ChoiceField(choices=Appeal.Status.choices, required=False)


# ---------------------------------------------------------------- results (for the schema)


class CaseResultSerializer(serializers.Serializer):
    case_no = TextField()
    category = TextField()
    status = serializers.ChoiceField(choices=STATUSES)
    amount = TextField(help_text="元,两位小数")
    reason = TextField(help_text="引用考核办法条款的说明")


class MonthResultSerializer(serializers.Serializer):
    month = TextField()
    base_pay = TextField()
    deduction = TextField()
    bonus = TextField()
    total = TextField()
    counted = serializers.IntegerField()
    nonconforming = serializers.IntegerField()
    late = serializers.IntegerField()
    pending = serializers.IntegerField()
    explanation = serializers.ListField(
        child=TextField(),
        help_text=(
            "本月扣款与奖励的计算过程,用考核策略的数字写明"
            "(如“四.1: 计入 3 起,…;扣款 10 × (4 + 1) = 50 元”)"
        ),
    )
    cases = CaseResultSerializer(many=True)


class AdjustmentLineSerializer(serializers.Serializer):
    quarter = TextField(help_text="所更正的季度")
    amount = TextField()
    reason = TextField()


class OfficerResultSerializer(serializers.Serializer):
    officer_id = serializers.IntegerField()
    officer = TextField()
    village = TextField()
    total = TextField()
    months = MonthResultSerializer(many=True)
    adjustments = AdjustmentLineSerializer(many=True, required=False)


class PolicyRefSerializer(serializers.Serializer):
    code = TextField()
    name = TextField()


class PeriodResultSerializer(serializers.Serializer):
    town = TextField()
    period = TextField()
    policy = PolicyRefSerializer()
    policies = serializers.DictField(
        child=PolicyRefSerializer(), required=False, help_text="期间内换用了新版本时,各月所用版本"
    )
    provisional = serializers.BooleanField(help_text="是否暂定(尚有事件可能改变状态)")
    status = serializers.ChoiceField(choices=QuarterAssessment.Status.choices)
    as_of = TextField(help_text="判定状态所依据的日期")
    total = TextField()
    officers = OfficerResultSerializer(many=True)


def period_data(result) -> dict:
    data = result.as_dict()
    for officer, values in zip(result.officers, data["officers"], strict=True):
        values["officer_id"] = officer.officer_id
    data.update(town=result.town, status=result.status, as_of=result.as_of, total=str(result.total))
    return data


# ---------------------------------------------------------------- quarters, appeals


class QuarterSerializer(serializers.Serializer):
    quarter = TextField()
    status = serializers.ChoiceField(choices=QuarterAssessment.Status.choices)
    status_label = TextField()
    possible_from = serializers.DateField(help_text="可定稿的最早日期")
    pending_appeals = serializers.IntegerField()
    finalised_at = serializers.DateTimeField(allow_null=True)
    finalised_by = PersonSerializer(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    approved_by = PersonSerializer(allow_null=True)


def quarter_data(info) -> dict:
    row = info.row
    return {
        "quarter": info.quarter,
        "status": info.status,
        "status_label": info.status_word,
        "possible_from": info.possible_from,
        "pending_appeals": info.pending_appeals,
        "finalised_at": row.finalised_at if row else None,
        "finalised_by": _person(row.finalised_by) if row else None,
        "approved_at": row.approved_at if row else None,
        "approved_by": _person(row.approved_by) if row else None,
    }


class AppealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = TextField(source="case.number")
    quarter = TextField()
    filed_by = serializers.SerializerMethodField()
    filed_at = serializers.DateTimeField()
    reason = TextField()
    status_at_filing = TextField()
    status = serializers.ChoiceField(choices=Appeal.Status.choices)
    override = serializers.ChoiceField(choices=Appeal.Override.choices)
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = TextField()

    @extend_schema_field(PersonSerializer())
    def get_filed_by(self, appeal):
        return _person(appeal.filed_by)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_decided_by(self, appeal):
        return _person(appeal.decided_by)


class AdjustmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    officer = serializers.SerializerMethodField()
    quarter = TextField(help_text="所更正的季度")
    applies_to = TextField(help_text="计入的季度")
    amount = TextField()
    reason = TextField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(PersonSerializer())
    def get_officer(self, adjustment):
        return _person(adjustment.officer)


# ---------------------------------------------------------------- input


class TownInputSerializer(StrictSerializer):
    town = TextField(
        max_length=limits.TOWN_CODE, required=False, help_text="镇代码;默认为调用者的镇"
    )


class ApproveSerializer(TownInputSerializer):
    note = TextField(max_length=limits.REASON, allow_blank=True, required=False, default="")


class ReopenSerializer(TownInputSerializer):
    reason = TextField(
        max_length=limits.REASON,
        allow_blank=True,
        required=False,
        default="",
        help_text="退回原因(必填)",
    )


class AppealInputSerializer(StrictSerializer):
    reason = TextField(
        max_length=limits.REASON,
        allow_blank=True,
        required=False,
        default="",
        help_text="申诉理由(必填)",
    )


class AppealDecisionSerializer(StrictSerializer):
    accept = serializers.BooleanField(help_text="true 采纳,false 不予采纳")
    note = TextField(
        max_length=limits.REASON, allow_blank=True, required=False, default="", help_text="处理意见"
    )
    override = serializers.ChoiceField(
        choices=[("conforming", "按质量合格计"), ("on_time", "按按时结案或上报计")],
        required=False,
        allow_null=True,
        default=None,
        help_text="采纳后的更正;不填则按申诉时的状态确定",
    )


class AdjustmentInputSerializer(TownInputSerializer):
    officer = IdField(help_text="网格专管员的人员 id")
    amount = serializers.DecimalField(
        max_digits=9, decimal_places=2, help_text="元;扣减用负数,如 -10"
    )
    reason = TextField(
        max_length=limits.REASON,
        allow_blank=True,
        required=False,
        default="",
        help_text="调整原因(必填)",
    )
