"""The organisation, read only: towns, villages, grids, units, and the caller's own roles."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridcase.core import limits
from gridcase.org.models import Unit

from .common import IdField, RefSerializer, TextField


class TownSerializer(serializers.Serializer):
    code = TextField(help_text="镇代码,用于事件编号前缀和 Open311 的 jurisdiction_id")
    name = TextField()
    timezone = TextField()


class GridSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    village = serializers.SerializerMethodField()

    @extend_schema_field(RefSerializer())
    def get_village(self, grid):
        return {"id": grid.village_id, "name": grid.village.name}


class VillageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    town = TextField(source="town.code")
    grids = RefSerializer(many=True, source="grids.all")


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    kind = serializers.ChoiceField(choices=Unit.Kind.choices)
    kind_label = TextField(source="get_kind_display")
    town = TextField(source="town.code")
    village = serializers.SerializerMethodField()

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_village(self, unit):
        return {"id": unit.village_id, "name": unit.village.name} if unit.village_id else None


class TownDetailSerializer(TownSerializer):
    villages = VillageSerializer(many=True, source="villages.all")
    units = UnitSerializer(many=True, source="units.all")


class RoleSerializer(serializers.Serializer):
    kind = TextField()
    kind_label = TextField(source="get_kind_display")
    town = TextField(source="town.code")
    village = serializers.SerializerMethodField()
    grid = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    active_from = serializers.DateField(allow_null=True)
    active_until = serializers.DateField(allow_null=True)

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_village(self, role):
        return {"id": role.village_id, "name": role.village.name} if role.village_id else None

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_grid(self, role):
        return {"id": role.grid_id, "name": role.grid.name} if role.grid_id else None

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_unit(self, role):
        return {"id": role.unit_id, "name": role.unit.name} if role.unit_id else None


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="系统令牌为 null")
    username = TextField()
    display_name = TextField()
    system = serializers.BooleanField(help_text="是否为系统令牌")
    token_scope = TextField(allow_null=True, help_text="令牌的权限(read/write);会话为 null")
    roles = RoleSerializer(many=True)


class TownQuerySerializer(serializers.Serializer):
    town = TextField(
        max_length=limits.TOWN_CODE, required=False, help_text="镇代码;默认为所有可见的镇"
    )


class GridQuerySerializer(TownQuerySerializer):
    village = IdField(required=False)


class UnitQuerySerializer(TownQuerySerializer):
    kind = serializers.ChoiceField(choices=Unit.Kind.choices, required=False)
