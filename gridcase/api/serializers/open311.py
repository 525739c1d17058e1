"""Open311 GeoReport v2: the parameters it takes and the shapes it returns (for the schema)."""

from __future__ import annotations

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from gridcase.cases import placing
from gridcase.cases.models import Category
from gridcase.core import limits

from .cases import MomentField
from .common import DateTimeField, EmailField, PhoneField, StrictSerializer, TextField, URLField

NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


class CommaListField(TextField):
    """`a,b,c` as a list, each item checked by `item` (a regex or a set of choices)."""

    def __init__(self, *, choices=None, pattern=None, max_items=100, **kwargs):
        kwargs.setdefault("max_length", 4000)
        kwargs.setdefault("trim_whitespace", False)  # " open" is refused, as the pattern says
        super().__init__(**kwargs)
        self.item_choices = set(choices) if choices else None
        self.item_pattern = pattern
        self.max_items = max_items
        # The whole value as the schema's pattern: items without spaces, none empty.
        if choices:
            item = "(" + "|".join(re.escape(c) for c in sorted(choices)) + ")"
        else:
            item = pattern.pattern.removeprefix("^").removesuffix("$") if pattern else "[^,]+"
        self.whole = f"^{item}(,{item})*$"
        extend_schema_field(
            {"type": "string", "pattern": self.whole, "maxLength": kwargs["max_length"]}
        )(self)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        raw = text.split(",")
        if any(not item or item != item.strip() for item in raw):
            raise serializers.ValidationError("各项以英文逗号分隔,不能为空,也不能带空格")
        items = raw
        if len(items) > self.max_items:
            raise serializers.ValidationError(f"最多 {self.max_items} 项")
        for item in items:
            if self.item_choices is not None and item not in self.item_choices:
                allowed = ", ".join(sorted(self.item_choices))
                raise serializers.ValidationError(f"“{item}”不是有效的值(可选:{allowed})")
            if self.item_pattern is not None and not self.item_pattern.match(item):
                raise serializers.ValidationError(f"“{item}”格式不正确")
        return items


class JurisdictionSerializer(serializers.Serializer):
    jurisdiction_id = TextField(
        max_length=limits.TOWN_CODE, required=False, help_text="辖区:镇代码;系统只有一个镇时可不填"
    )


class KeyedSerializer(JurisdictionSerializer):
    api_key = TextField(
        max_length=200,
        required=False,
        help_text=(
            "系统令牌。带上它可读取本镇全部已提交事件的描述和地点;不带只能读 Open311 上报的状态"
        ),
    )


class RequestsQuerySerializer(KeyedSerializer):
    service_request_id = CommaListField(
        pattern=NUMBER_RE, required=False, help_text="逗号分隔的事件编号;给出时忽略其他筛选"
    )
    service_code = CommaListField(
        choices=Category.values, required=False, help_text="逗号分隔的服务代码"
    )
    start_date = DateTimeField(required=False, help_text="W3C 时间,不早于")
    end_date = DateTimeField(required=False, help_text="W3C 时间,不晚于")
    status = CommaListField(
        choices=["open", "closed"], required=False, help_text="open、closed 或 open,closed"
    )

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and start > end:
            raise serializers.ValidationError({"end_date": ["end_date 不能早于 start_date"]})
        if start and end and (end - start).days > 90:
            raise serializers.ValidationError({"end_date": ["一次最多查询 90 天"]})
        return attrs


def attribute_fields() -> dict[str, serializers.Field]:
    """The attributes of every service (services/{code}), as form fields `attribute[code]`."""
    return {
        "attribute[village]": TextField(max_length=limits.PLACE_NAME, required=False),
        "attribute[occurred_at]": MomentField(label="发生时间", required=False),
        "attribute[persons]": TextField(max_length=limits.OPEN311_PERSONS, required=False),
        "attribute[cause]": TextField(max_length=limits.OPEN311_CAUSE, required=False),
    }


class RequestCreateSerializer(StrictSerializer):
    """POST requests: the GeoReport v2 fields, and the attributes of services/{code}."""

    jurisdiction_id = TextField(max_length=limits.TOWN_CODE, required=False)
    api_key = TextField(max_length=200, help_text="写权限的系统令牌")
    service_code = serializers.ChoiceField(choices=Category.choices)
    lat = serializers.DecimalField(
        max_digits=20,
        decimal_places=15,
        min_value=-90,
        max_value=90,
        required=False,
        help_text="纬度,WGS-84(除非 crs 另有声明)",
    )
    long = serializers.DecimalField(
        max_digits=20,
        decimal_places=15,
        min_value=-180,
        max_value=180,
        required=False,
        help_text="经度,WGS-84(除非 crs 另有声明)",
    )
    crs = serializers.ChoiceField(
        choices=list(placing.SYSTEM_LABELS.items()),
        required=False,
        help_text="扩展字段(非 GeoReport v2):lat/long 的坐标系,默认 wgs84;"
        "gcj02 为高德、腾讯、微信的坐标,bd09 为百度的坐标",
    )
    address_string = TextField(max_length=limits.LOCATION, required=False)
    address_id = TextField(max_length=100, required=False)
    email = EmailField(max_length=254, required=False)
    device_id = TextField(max_length=100, required=False)
    account_id = TextField(max_length=100, required=False)
    first_name = TextField(max_length=limits.PERSON_NAME, required=False)
    last_name = TextField(max_length=limits.PERSON_NAME, required=False)
    phone = PhoneField(required=False)
    description = TextField(
        max_length=limits.OPEN311_DESCRIPTION,
        error_messages={"required": "请描述发生了什么"},
        help_text="发生了什么(必填)",
    )
    media_url = URLField(max_length=500, required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields.update(attribute_fields())
        return fields

    def to_internal_value(self, data):
        # GeoReport clients post a form with every field, the unused ones empty (email=,
        # lat=, long=): an optional field left empty is one not given, not a wrong value.
        optional = {name for name, field in self.fields.items() if not field.required}
        if html.is_html_input(data):
            data = data.copy()
            for name in optional:
                if data.getlist(name) == [""]:
                    del data[name]
        elif isinstance(data, dict):
            data = {k: v for k, v in data.items() if not (v == "" and k in optional)}
        return super().to_internal_value(data)

    def validate(self, attrs):
        has_position = "lat" in attrs and "long" in attrs
        if ("lat" in attrs) != ("long" in attrs):
            raise serializers.ValidationError({"long": ["lat 和 long 须同时提供"]})
        if not (has_position or attrs.get("address_string") or attrs.get("address_id")):
            raise serializers.ValidationError(
                {"address_string": ["须提供位置:lat 和 long,或 address_string,或 address_id"]}
            )
        return attrs


# ---------------------------------------------------------------- output (for the schema)


class DiscoveryEndpointSerializer(serializers.Serializer):
    specification = TextField()
    url = TextField()
    changeset = TextField()
    type = TextField()
    formats = serializers.ListField(child=TextField())


class DiscoverySerializer(serializers.Serializer):
    changeset = TextField()
    contact = TextField()
    key_service = TextField()
    endpoints = DiscoveryEndpointSerializer(many=True)


class ServiceSerializer(serializers.Serializer):
    service_code = TextField()
    service_name = TextField()
    description = TextField()
    metadata = serializers.BooleanField()
    type = TextField()
    keywords = TextField()
    group = TextField()


class AttributeValueSerializer(serializers.Serializer):
    key = TextField()
    name = TextField()


class AttributeSerializer(serializers.Serializer):
    variable = serializers.BooleanField()
    code = TextField()
    datatype = TextField()
    required = serializers.BooleanField()
    datatype_description = TextField()
    order = serializers.IntegerField()
    description = TextField()
    values = AttributeValueSerializer(many=True)


class ServiceDefinitionSerializer(serializers.Serializer):
    service_code = TextField()
    attributes = AttributeSerializer(many=True)


class ServiceRequestSerializer(serializers.Serializer):
    service_request_id = TextField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = TextField()
    service_name = TextField()
    service_code = TextField()
    description = TextField(allow_null=True)
    agency_responsible = TextField()
    service_notice = TextField(allow_null=True)
    requested_datetime = TextField(allow_null=True)
    updated_datetime = TextField(allow_null=True)
    expected_datetime = TextField(allow_null=True)
    address = TextField(allow_null=True)
    address_id = TextField(allow_null=True)
    zipcode = TextField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    long = serializers.FloatField(allow_null=True)
    media_url = TextField(allow_null=True)


class ServiceRequestCreatedSerializer(serializers.Serializer):
    service_request_id = TextField()
    service_notice = TextField()
    account_id = TextField(allow_null=True)


class TokenLookupSerializer(serializers.Serializer):
    service_request_id = TextField()
    token = TextField()
