"""Cases: the list row, the detail, and the draft input."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from gridcase.cases import elements, placing, workflow
from gridcase.cases.deadlines import TownDay, due_of
from gridcase.cases.models import (
    AgreementForm,
    Case,
    Category,
    Level,
    LocalOutcome,
    MediationResult,
    Quality,
    Source,
    State,
)
from gridcase.core import clock, coords, limits, phones, times

from .common import (
    DateTimeField,
    IdField,
    PhoneField,
    RefSerializer,
    StrictSerializer,
    TextField,
    VersionField,
)

LIGHTS = ("green", "yellow", "red")


class MomentField(DateTimeField):
    """A time a person (or a client on their behalf) sends, under the rule of the times a
    person can mean (core/times.py), refused naming the field (`label`). Checked before DRF
    places it in the zone: DRF's check of a naive year-1 time against the zone's rules
    overflows (a 500), and an aware one outside the UTC range is "out of range" without the
    field's name. The services check again in the town's own zone."""

    def enforce_timezone(self, value):
        label = str(self.label or "时间")
        zone = getattr(self, "timezone", None) or self.default_timezone()
        problem = times.time_message(value, now=clock.now(), tz=zone, label=label)
        if problem:
            raise serializers.ValidationError(problem, code="time_range")
        return super().enforce_timezone(value)


def _ref(obj, name: str | None = None) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": name if name is not None else str(obj.name)}


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name or user.username}


def case_due(case: Case) -> date | None:
    return due_of(case.state, case.accept_due, case.handle_due)


def case_light(case: Case, days: Mapping[int, TownDay]) -> str | None:
    """green / yellow / red for an open case (domain.md, Deadlines); None otherwise."""
    day = days.get(case.town_id)
    return day.case_light(case) if day is not None else None


class GeoPointSerializer(serializers.Serializer):
    """A point as GeoJSON writes one (RFC 7946: WGS-84, longitude first)."""

    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        help_text="[经度, 纬度](GeoJSON 的顺序),WGS-84",
    )


CRS_HELP = (
    "输入坐标(latitude、longitude)所用的坐标系:wgs84(默认;手机 GPS、北斗与 CGCS2000 按此)、"
    "gcj02(高德、腾讯、微信等国内地图)、bd09(百度地图)、cgcs2000(按 wgs84 处理)。"
    "保存前一律换算为 WGS-84;换算 gcj02 或 bd09 须同时提供纬度和经度。"
)


def crs_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=list(placing.SYSTEM_LABELS.items()),
        required=False,
        default=placing.STORED_SYSTEM.value,
        help_text=CRS_HELP,
    )


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()


class CaseListSerializer(serializers.Serializer):
    """One row of a list: what a queue shows. Parties are not listed."""

    number = TextField(help_text="事件编号,如 CT-2026-00042")
    title = TextField()
    category = serializers.ChoiceField(choices=Category.choices)
    category_label = TextField(source="get_category_display")
    major = serializers.BooleanField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = TextField(source="get_state_display")
    level = serializers.ChoiceField(choices=Level.choices)
    level_label = TextField(source="get_level_display")
    source = serializers.ChoiceField(choices=Source.choices)
    town = serializers.SerializerMethodField()
    village = serializers.SerializerMethodField()
    grid = serializers.SerializerMethodField()
    officer = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    due = serializers.SerializerMethodField(
        help_text="当前期限:待受理时为受理期限,办理中为办结期限"
    )
    light = serializers.SerializerMethodField(help_text="期限提示灯(仅未办结的事件)")
    version = serializers.IntegerField(help_text="每次修改加一")

    @extend_schema_field(TextField())
    def get_town(self, case) -> str:
        return case.town.code

    @extend_schema_field(RefSerializer())
    def get_village(self, case):
        return _ref(case.village)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_grid(self, case):
        return _ref(case.grid)

    @extend_schema_field(PersonSerializer())
    def get_officer(self, case):
        return _person(case.officer)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_department(self, case):
        return _ref(case.department)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due(self, case) -> date | None:
        return case_due(case)

    @extend_schema_field(serializers.ChoiceField(choices=LIGHTS, allow_null=True))
    def get_light(self, case):
        return case_light(case, self.context.get("days", {}))


class PartySerializer(serializers.Serializer):
    name = TextField()
    phone = TextField(help_text="经办人看到完整号码,其他人看到 138****8001")


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField(source="original_name")
    content_type = TextField()
    size = serializers.IntegerField()
    sha256 = TextField(
        help_text="文件内容的 SHA-256(十六进制小写);早于记录哈希时上传且无法读取的文件为空"
    )
    uploaded_at = serializers.DateTimeField()
    uploaded_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="下载地址(需同样的权限)")

    @extend_schema_field(PersonSerializer())
    def get_uploaded_by(self, attachment):
        return _person(attachment.uploaded_by)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment) -> str:
        return reverse(
            "api:attachment-file",
            kwargs={"number": attachment.case.number, "pk": attachment.pk},
            request=self.context.get("request"),
        )


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    action = TextField()
    action_label = serializers.SerializerMethodField()
    from_state = TextField()
    to_state = TextField()
    from_level = TextField()
    to_level = TextField()
    note = TextField()
    data = serializers.SerializerMethodField(
        help_text="动作的数据;群众上报的电子邮箱仅对办理人完整显示"
    )

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_actor(self, entry):
        return _person(entry.actor)

    @extend_schema_field(serializers.DictField())
    def get_data(self, entry) -> dict:
        return elements.timeline_data(entry.data, full=bool(self.context.get("handles")))

    def get_action_label(self, entry) -> str:
        return workflow.ACTION_LABELS.get(entry.action, entry.action)


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_on = serializers.DateField()
    by = serializers.SerializerMethodField()
    method = TextField()
    method_label = TextField(source="get_method_display")
    satisfied = serializers.BooleanField(allow_null=True)
    note = TextField()

    @extend_schema_field(PersonSerializer())
    def get_by(self, follow_up):
        return _person(follow_up.by)


class ExtensionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = TextField()
    working_days = serializers.IntegerField()
    reason = TextField()
    requested_by = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField()
    status = TextField()
    status_label = TextField(source="get_status_display")
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = TextField()

    @extend_schema_field(PersonSerializer())
    def get_requested_by(self, request):
        return _person(request.requested_by)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_decided_by(self, request):
        return _person(request.decided_by)


class CaseDetailSerializer(CaseListSerializer):
    """Everything about one case, its timeline, and what the caller may do with it now."""

    occurred_at = serializers.DateTimeField(allow_null=True)
    location = TextField()
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, allow_null=True, help_text="纬度,WGS-84"
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, allow_null=True, help_text="经度,WGS-84"
    )
    point = serializers.SerializerMethodField(help_text="事件位置(GeoJSON Point);未定位时为空")
    crs = serializers.SerializerMethodField(
        help_text="latitude、longitude 和 point 的坐标系:总为 wgs84(WGS-84)"
    )
    location_accuracy = serializers.DecimalField(
        max_digits=9, decimal_places=2, allow_null=True, help_text="定位精度(米);空为未知"
    )
    location_mock = serializers.BooleanField(help_text="定位是否来自模拟定位")
    persons = TextField()
    cause = TextField()
    course = TextField()
    parties = serializers.SerializerMethodField()
    phones_visible = serializers.SerializerMethodField(help_text="是否显示完整电话号码(仅经办人)")
    result = TextField()
    mediator = TextField()
    mediation_result = serializers.ChoiceField(choices=MediationResult.choices)
    agreement_form = serializers.ChoiceField(choices=AgreementForm.choices)
    agreement_terms = serializers.ListField(child=TextField())
    mediation_record = TextField(
        source="render_mediation", help_text="调解记录:由×××进行调解,双方当事人达成书面协议:1……"
    )
    accept_due = serializers.DateField(allow_null=True)
    handle_due = serializers.DateField(allow_null=True)
    level_accepted_at = serializers.DateTimeField(allow_null=True)
    first_accept_due = serializers.DateField(allow_null=True)
    first_accepted_at = serializers.DateTimeField(allow_null=True)
    local_due = serializers.DateField(allow_null=True)
    local_outcome = serializers.ChoiceField(choices=LocalOutcome.choices)
    local_outcome_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_level = TextField()
    voided_at = serializers.DateTimeField(allow_null=True)
    void_reason = TextField()
    follow_up_due = serializers.DateField(allow_null=True)
    quality = serializers.ChoiceField(choices=Quality.choices)
    quality_note = TextField()
    missing_elements = serializers.ListField(child=TextField())
    client_id = serializers.UUIDField(
        allow_null=True, help_text="采集终端为该事件生成的编号(在终端录入时);否则为空"
    )
    attachments = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    follow_ups = serializers.SerializerMethodField()
    extensions = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="调用者现在可以执行的操作(与工作台一致)"
    )

    @extend_schema_field(GeoPointSerializer(allow_null=True))
    def get_point(self, case):
        if case.latitude is None or case.longitude is None:
            return None
        return {"type": "Point", "coordinates": [float(case.longitude), float(case.latitude)]}

    @extend_schema_field(TextField())
    def get_crs(self, case) -> str:
        return placing.STORED_SYSTEM.value

    def _handles(self) -> bool:
        return bool(self.context.get("handles"))

    @extend_schema_field(PartySerializer(many=True))
    def get_parties(self, case):
        full = self._handles()
        return [
            {"name": p.name, "phone": p.phone if full else phones.mask_phone(p.phone)}
            for p in case.parties.all()
        ]

    def get_phones_visible(self, case) -> bool:
        return self._handles()

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, case):
        items = case.attachments.select_related("uploaded_by").all()
        for item in items:
            item.case = case
        return AttachmentSerializer(items, many=True, context=self.context).data

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, case):
        timeline = self.context.get("timeline", [])
        return TimelineEntrySerializer(timeline, many=True, context=self.context).data

    @extend_schema_field(FollowUpSerializer(many=True))
    def get_follow_ups(self, case):
        return FollowUpSerializer(case.follow_ups.select_related("by"), many=True).data

    @extend_schema_field(ExtensionSerializer(many=True))
    def get_extensions(self, case):
        items = case.extensions.select_related("requested_by", "decided_by")
        return ExtensionSerializer(items, many=True).data

    @extend_schema_field(serializers.ListField(child=TextField()))
    def get_allowed_actions(self, case):
        return self.context.get("allowed_actions", [])


# ---------------------------------------------------------------- input


class UuidTextField(serializers.UUIDField):
    """A UUID written as text: DRF would also take a number (and so `false`) as UUID(int=…)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class PartyInputSerializer(StrictSerializer):
    name = TextField(
        label="当事人姓名",
        max_length=limits.PARTY_NAME,
        allow_blank=True,
        required=False,
        default="",
    )
    phone = PhoneField(allow_blank=True, required=False, default="")


class CaseDraftSerializer(StrictSerializer):
    """A draft may be incomplete; what is given must be well-formed. Submit checks the rest."""

    category = serializers.ChoiceField(choices=Category.choices, required=False)
    major = serializers.BooleanField(required=False)
    title = TextField(label="标题", max_length=limits.TITLE, allow_blank=True, required=False)
    occurred_at = MomentField(
        label="发生时间",
        allow_null=True,
        required=False,
        help_text="ISO 8601;不带时区的时间按北京时间;不早于2000年1月1日,不晚于现在(容许快10分钟)",
    )
    location = TextField(
        label="发生地点", max_length=limits.LOCATION, allow_blank=True, required=False
    )
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-coords.MAX_LATITUDE,
        max_value=coords.MAX_LATITUDE,
        allow_null=True,
        required=False,
        coerce_to_string=False,
        help_text="纬度,按 crs 所述坐标系;有边界数据的镇按位置确定行政村和网格",
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-coords.MAX_LONGITUDE,
        max_value=coords.MAX_LONGITUDE,
        allow_null=True,
        required=False,
        coerce_to_string=False,
        help_text="经度,按 crs 所述坐标系",
    )
    crs = crs_field()
    location_accuracy = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        required=False,
        coerce_to_string=False,
        help_text="定位精度(米),即定位结果的误差半径;手动填写的坐标留空",
    )
    location_mock = serializers.BooleanField(
        required=False,
        help_text="定位是否来自模拟定位(mock provider);由采集终端或原生应用填写,浏览器无法得知",
    )
    persons = TextField(label="人物", max_length=limits.PERSONS, allow_blank=True, required=False)
    cause = TextField(label="起因", max_length=limits.CAUSE, allow_blank=True, required=False)
    course = TextField(label="经过", max_length=limits.COURSE, allow_blank=True, required=False)
    parties = PartyInputSerializer(many=True, required=False, max_length=20)
    village = IdField(
        required=False,
        help_text=(
            "行政村 id(手动选择,优先于位置);不填时按坐标所在的行政村(须为专管员负责的行政村),"
            "没有坐标或本镇没有完整边界时为专管员本人的行政村"
        ),
    )
    grid = IdField(
        required=False,
        allow_null=True,
        help_text="网格 id(手动选择,优先于位置);不填时按坐标所在的网格,否则为专管员本人的网格",
    )
    client_id = UuidTextField(
        required=False,
        help_text=(
            "可选:采集终端在录入时生成的编号(UUID)。同一编号、同一内容再次发送返回 200 和该事件"
            "(当前内容,响应头 Idempotent-Replayed: true),永久有效;同一编号、不同内容或为他人"
            "所用返回 409 client_id_conflict"
        ),
    )


class CaseUpdateSerializer(CaseDraftSerializer):
    village = None  # a draft stays in the village it was entered in
    client_id = None  # given once, at the create
    version = VersionField()
    grid = IdField(
        required=False,
        allow_null=True,
        help_text="网格 id(手动选择,须在草稿所在的行政村);不填时,坐标改变则按新坐标所在的网格",
    )


class CaseFilterSerializer(serializers.Serializer):
    """The workbench's filters (query parameters)."""

    town = TextField(max_length=limits.TOWN_CODE, required=False, help_text="镇代码(多镇账号)")
    village = IdField(required=False)
    grid = IdField(required=False)
    officer = IdField(required=False)
    department = IdField(required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    state = serializers.ChoiceField(choices=State.choices, required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    light = serializers.ChoiceField(
        choices=LIGHTS, required=False, help_text="期限提示灯;只筛选未办结的事件"
    )
    major = serializers.BooleanField(required=False, allow_null=True, default=None)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    submitted_from = serializers.DateField(required=False, help_text="提交日期起(含),YYYY-MM-DD")
    submitted_to = serializers.DateField(required=False, help_text="提交日期止(含),YYYY-MM-DD")
    q = TextField(
        label="搜索",
        max_length=limits.SEARCH,
        required=False,
        help_text="在编号、标题、地点、人物、起因、经过中搜索",
    )

    def validate(self, attrs):
        first, last = attrs.get("submitted_from"), attrs.get("submitted_to")
        if first and last and first > last:
            raise serializers.ValidationError({"submitted_to": ["结束日期不能早于开始日期"]})
        return attrs
