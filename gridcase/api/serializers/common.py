"""Shared pieces of the API's serializers: strict input, bounded numbers, the error body."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.utils import html

from gridcase.core import limits, phones, text

from ..errors import CODES

# Ids are 64-bit; anything larger cannot be a row and would overflow SQLite's integers.
MAX_ID = 2**53


def IdField(**kwargs) -> serializers.IntegerField:  # noqa: N802 (a field factory)
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class WholeNumberField(serializers.IntegerField):
    """A JSON integer and nothing else: DRF would also read "1", 1.0 or true as 1, and a
    version read so would slip past the check that compares it (views.common)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def VersionField() -> serializers.IntegerField:  # noqa: N802 (a field factory)
    """The case's version the client based its change on (cases.versions): optional."""
    return WholeNumberField(
        min_value=0,
        max_value=MAX_ID,
        required=False,
        help_text=(
            "可选:客户端所依据的事件版本(详情中的 version)。给出且不是当前版本时返回 409 stale"
            "(附当前 version),不做任何修改"
        ),
    )


class StrictSerializer(serializers.Serializer):
    """Input that refuses what it does not know: a non-object body, or an unknown key."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {"non_field_errors": ["请求内容应为 JSON 对象({…})"]}, code="invalid"
            )
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(str(k) for k in data if k not in writable)
        if unknown:
            raise serializers.ValidationError(
                {name: ["未知字段:请删除,或检查字段名的拼写"] for name in unknown}
            )
        # JSON has true and false: DRF would also take 0, 1, "yes" or "on" for a boolean,
        # which the schema (type: boolean) does not allow. A form's text is left to DRF.
        if not html.is_html_input(data):
            not_bool = {
                name: ["应为 true 或 false"]
                for name, field in self.fields.items()
                if isinstance(field, serializers.BooleanField)
                and name in data
                and not isinstance(data[name], bool)
                and not (data[name] is None and field.allow_null)
            }
            if not_bool:
                raise serializers.ValidationError(not_bool)
        return super().to_internal_value(data)


class TextInput:
    """Strict text for a DRF CharField: a JSON string, nothing else, with no character XML
    cannot carry (gridcase.core.text). DRF would turn `123` or `1.5` into "123" and "1.5";
    a number where text is expected is a client's mistake worth telling it about."""

    default_error_messages = {
        "not_text": "应为文本(字符串),不能是数字、布尔值、列表或对象",
    }

    def __init__(self, *args, **kwargs):
        # The label as written here (Chinese); DRF fills `label` from the field name later.
        self.given_label = kwargs.get("label")
        super().__init__(*args, **kwargs)

    def run_validation(self, data=serializers.empty):
        # Before CharField's blank check: "\x1f" is blank to str.strip(), not empty to a person.
        if isinstance(data, str):
            position = text.first_invalid(data)
            if position is not None:
                raise serializers.ValidationError(
                    text.invalid_message(self.name_for_people(), position), code="invalid_chars"
                )
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)

    def name_for_people(self) -> str:
        if self.given_label:
            return str(self.given_label)
        # A list's item (agreement_terms.0) is named by its list.
        return self.field_name or getattr(self.parent, "field_name", "") or "内容"


class TextField(TextInput, serializers.CharField):
    """The project's CharField: every text field of the API is one (a test walks them)."""


class EmailField(TextInput, serializers.EmailField):
    pass


class URLField(TextInput, serializers.URLField):
    pass


class PhoneField(TextField):
    """A mainland mobile (11 digits from 1) or a landline with its area code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", limits.PHONE_INPUT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value == "":
            return value
        if not phones.is_valid_phone(value):
            raise serializers.ValidationError(
                f"“{value}”不是有效的电话号码(11位手机号,或带区号的固定电话,如 0731-84561234)"
            )
        return phones.normalize_phone(value)


class DateTimeField(serializers.DateTimeField):
    """DRF's, without its 500: DRF 3.18 checks a naive time against the zone's rules
    (`valid_datetime`) unguarded, and year 1 in a zone east of UTC overflows there
    ("0001-01-01T00:00"); it catches the same overflow for an aware time. Every input time
    of the API is this field or `cases.MomentField`."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.ChoiceField(
        choices=sorted(CODES), help_text="稳定的错误代码,供程序判断 (stable, for programs)"
    )
    message = TextField(help_text="给人看的中文说明")
    fields = serializers.DictField(
        child=serializers.ListField(child=TextField()),
        help_text="出错的字段及其说明;嵌套字段用点号连接,如 parties.1.phone",
    )


class LabelledSerializer(serializers.Serializer):
    """A code with its Chinese label."""

    code = TextField()
    label = TextField()


def labelled(code: str, label) -> dict:
    return {"code": code, "label": str(label)}


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
