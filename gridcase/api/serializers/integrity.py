"""Duplicate suspects and padding signals (integrity.md): the check on entry, the period's
report (the JSON of `gridcase suspects`) and the office's decision on a pair."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridcase.assessment.models import SuspectPair
from gridcase.core import limits, periods

from .assessment import MONTH_VALIDATOR as MONTH
from .cases import CaseDraftSerializer, PersonSerializer, _person
from .common import StrictSerializer, TextField, URLField

# A case number: CT-2026-00042 (views.base.NUMBER_PATTERN allows up to 40 characters).
NUMBER_MAX = 40
# The longest period one request reads: a year of a town is already seconds of work.
MAX_PERIOD_DAYS = 366


# ---------------------------------------------------------------- the check on entry


class SuspectsCheckInputSerializer(CaseDraftSerializer):
    """The case being entered, as its draft is sent (every field optional)."""

    number = TextField(
        max_length=NUMBER_MAX,
        allow_blank=True,
        required=False,
        default="",
        help_text="已保存为草稿时填草稿的事件编号,以免与自己比较",
    )


class SuspectFoundSerializer(serializers.Serializer):
    number = TextField(help_text="可能重复的已提交事件的编号")
    score = serializers.FloatField(help_text="相似分,0 到 1")
    reasons = serializers.ListField(
        child=TextField(),
        help_text="相似的理由,如“两处地点相距 40 米”;电话号码已隐去中间四位",
    )
    url = URLField(help_text="该事件的地址(是否能查看取决于调用者的权限)")


class SuspectsCheckSerializer(serializers.Serializer):
    window_days = serializers.IntegerField(help_text="比较的时间范围(天),取自本镇考核策略")
    distance_m = serializers.IntegerField(help_text="比较的距离范围(米),取自本镇考核策略")
    threshold = serializers.FloatField(help_text="列为疑似重复的最低相似分")
    suspects = SuspectFoundSerializer(many=True, help_text="可能重复的事件,最相似的在前")


# ---------------------------------------------------------------- the period's report


class SuspectsQuerySerializer(serializers.Serializer):
    town = TextField(
        max_length=limits.TOWN_CODE, required=False, help_text="镇代码;默认为调用者的镇"
    )
    month = TextField(max_length=7, required=False, validators=[MONTH], help_text="月份 YYYY-MM")
    since = serializers.DateField(required=False, help_text="起始日期 YYYY-MM-DD(与 until 一起)")
    until = serializers.DateField(required=False, help_text="截止日期 YYYY-MM-DD(含当天)")

    def validate_month(self, value: str) -> str:
        if value and not periods.is_month(value):
            raise serializers.ValidationError("格式应为 YYYY-MM, 如 2026-10")
        return value

    def validate(self, attrs):
        month, since, until = attrs.get("month"), attrs.get("since"), attrs.get("until")
        if month and (since or until):
            raise serializers.ValidationError({"month": ["月份(month)不能与 since/until 同时使用"]})
        if not month:
            if not since or not until:
                missing = "until" if since else "since"
                raise serializers.ValidationError(
                    {missing: ["请指定月份(month),或起止日期(since 和 until)"]}
                )
            if until < since:
                raise serializers.ValidationError({"until": ["截止日期不能早于起始日期"]})
            if until - since >= timedelta(days=MAX_PERIOD_DAYS):
                raise serializers.ValidationError(
                    {"until": [f"期间最长 {MAX_PERIOD_DAYS} 天,请分段查询"]}
                )
        return attrs


class ReportPeriodSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField(help_text="含当天")


class ReportPairSerializer(serializers.Serializer):
    case = TextField(help_text="较晚提交的事件编号")
    similar_to = TextField(help_text="较早提交的事件编号")
    score = serializers.FloatField(help_text="相似分,0 到 1")
    status = serializers.ChoiceField(
        choices=SuspectPair.Status.choices,
        help_text="suspected 疑似,confirmed 综治办确认重复,dismissed 综治办已排除",
    )
    reasons = serializers.ListField(
        child=TextField(), help_text="相似的理由;电话号码已隐去中间四位"
    )


class ReportSignalSerializer(serializers.Serializer):
    officer = TextField(help_text="网格专管员")
    month = TextField(help_text="月份 YYYY-MM")
    kind = TextField(
        help_text=(
            "burst 短时间内集中录入,same_photo 不同事件使用同一照片,"
            "location_fix 定位精度为 0 或来自模拟定位,"
            "late_entry 发生时间远早于提交时间,volume 数量远高于本镇常见水平"
        )
    )
    cases = serializers.ListField(child=TextField(), help_text="涉及的事件编号")
    reason = TextField(help_text="说明,如“10 分钟内录入 9 起事件”")


class SuspectsReportSerializer(serializers.Serializer):
    """The JSON of `gridcase suspects --format json` (integrity.md), field for field."""

    town = TextField(help_text="镇名")
    period = ReportPeriodSerializer()
    threshold = serializers.FloatField(help_text="本镇考核策略的疑似重复阈值")
    pairs = ReportPairSerializer(many=True, help_text="疑似重复的事件对,相似分高的在前")
    signals = ReportSignalSerializer(many=True, help_text="虚报迹象,不改变任何金额")


# ---------------------------------------------------------------- the office's decision


class SuspectDecisionInputSerializer(StrictSerializer):
    similar_to = TextField(
        max_length=NUMBER_MAX, help_text="较早提交的事件编号(路径中的事件与之疑似重复)"
    )
    reason = TextField(
        max_length=limits.REASON,
        allow_blank=True,
        required=False,
        default="",
        help_text="综治办的理由(确认时必填),记入两起事件的办理记录",
    )


class SuspectPairSerializer(serializers.Serializer):
    case = TextField(source="case.number", help_text="较晚提交的事件编号")
    similar_to = TextField(source="similar_to.number", help_text="较早提交的事件编号")
    score = serializers.FloatField(help_text="相似分,0 到 1")
    reasons = serializers.ListField(child=TextField())
    status = serializers.ChoiceField(choices=SuspectPair.Status.choices)
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = TextField(help_text="综治办的理由")

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_decided_by(self, pair):
        return _person(pair.decided_by)
