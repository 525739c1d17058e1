"""Working-day arithmetic over HTTP: the deadline of N working days, and which days work."""

from __future__ import annotations

from datetime import date

from rest_framework import serializers

from gridcase.core import limits

from .common import TextField

# The calendar library and the date arithmetic are meaningful for these years only.
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_RANGE_DAYS = 366
DAY_KINDS = [
    ("workday", "工作日"),
    ("weekend", "周末"),
    ("holiday", "节假日"),
    ("make_up_workday", "调休上班"),
]


def _in_years(value: date, name: str) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise serializers.ValidationError({name: [f"日期应在 {FIRST_YEAR}–{LAST_YEAR} 年之间"]})


class _FromField(serializers.Serializer):
    """`from` is a Python keyword: the field is added by name."""

    town = TextField(
        max_length=limits.TOWN_CODE, required=False, help_text="镇代码;默认为调用者的镇"
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(help_text="起算日(不计入),YYYY-MM-DD")
        return fields


class DeadlineQuerySerializer(_FromField):
    working_days = serializers.IntegerField(min_value=1, max_value=250, help_text="工作日数(1–250)")

    def validate(self, attrs):
        _in_years(attrs["from"], "from")
        return attrs


class DaysQuerySerializer(_FromField):
    to = serializers.DateField(help_text="止(含),YYYY-MM-DD;最多 366 天")

    def validate(self, attrs):
        first, last = attrs["from"], attrs["to"]
        _in_years(first, "from")
        _in_years(last, "to")
        if last < first:
            raise serializers.ValidationError({"to": ["结束日期不能早于开始日期"]})
        if (last - first).days >= MAX_RANGE_DAYS:
            raise serializers.ValidationError({"to": [f"一次最多查询 {MAX_RANGE_DAYS} 天"]})
        return attrs


class DeadlineSerializer(serializers.Serializer):
    town = TextField()
    start = serializers.DateField(help_text="起算日(不计入)")
    working_days = serializers.IntegerField()
    deadline = serializers.DateField(help_text="期限:该日 24:00 前")
    deadline_end = serializers.DateTimeField(help_text="期限的最后时刻之后的第一刻(镇的时区)")
    rule = TextField()


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    working = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=DAY_KINDS)


class DaysSerializer(serializers.Serializer):
    town = TextField()
    working_days = serializers.IntegerField(help_text="区间内的工作日数")
    days = DaySerializer(many=True)
