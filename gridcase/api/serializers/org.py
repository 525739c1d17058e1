"""The organisation: towns, villages, grids, units, the caller's own roles; the boundaries as
GeoJSON (read, and written by the town's administrators)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridcase.core import coords, limits
from gridcase.org.models import Unit

from ..geojson import WGS84_NOTE
from .common import IdField, RefSerializer, StrictSerializer, TextField


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


# ---------------------------------------------------------------- boundaries (GeoJSON)

CRS_HELP = (
    "坐标系:wgs84(默认;" + WGS84_NOTE + ")、cgcs2000(与 WGS-84 相差厘米级,按相同处理)、"
    "gcj02(国测局坐标,高德、腾讯地图)、bd09(百度地图)。系统一律以 WGS-84 保存,"
    "其他坐标系在读取时换算输出、在写入时换算后保存。"
)
CRS_CHOICES = [system.value for system in coords.System]

GEOMETRY_SCHEMA = {
    "type": "object",
    "description": (
        "GeoJSON 几何对象(RFC 7946):Polygon 或 MultiPolygon,每个位置为 [经度, 纬度],"
        "环首尾相同;坐标系见 coordinate_system / crs"
    ),
    "properties": {
        "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
        "coordinates": {
            "type": "array",
            "description": "Polygon:环的列表;MultiPolygon:Polygon 坐标的列表",
            "items": {"type": "array"},
        },
    },
    "required": ["type", "coordinates"],
}


@extend_schema_field({**GEOMETRY_SCHEMA, "nullable": True})
class GeometryField(serializers.JSONField):
    """A GeoJSON geometry as it is; `org.boundaries.parse` (through the service) judges it."""


def _words(*words: str, help_text: str = ""):
    """A text field that is one of a few fixed words (an enum in the schema)."""

    @extend_schema_field({"type": "string", "enum": list(words)})
    class Words(TextField):
        pass

    return Words(help_text=help_text)


def _geojson_type(word: str):
    """GeoJSON's "type" member, a fixed word. A pattern rather than an enum: drf-spectacular
    names every enum after its field, and "type" would collide with the API's other ones."""

    @extend_schema_field({"type": "string", "pattern": f"^{word}$"})
    class GeoJsonType(TextField):
        pass

    return GeoJsonType(help_text=f"GeoJSON 类型,固定为 {word}")


class CrsQuerySerializer(serializers.Serializer):
    crs = serializers.ChoiceField(choices=CRS_CHOICES, required=False, help_text=CRS_HELP)


class BoundariesQuerySerializer(TownQuerySerializer, CrsQuerySerializer):
    pass


class BoundaryPropertiesSerializer(serializers.Serializer):
    kind = _words("village", "grid", help_text="village:行政村;grid:网格")
    id = serializers.IntegerField(help_text="行政村或网格的 id")
    name = TextField()
    village = serializers.IntegerField(
        allow_null=True, help_text="网格所属行政村的 id;行政村为 null"
    )
    village_name = TextField(allow_null=True, help_text="网格所属行政村的名称;行政村为 null")
    town = TextField(help_text="镇代码")


class BoundaryFeatureSerializer(serializers.Serializer):
    type = _geojson_type("Feature")
    id = TextField(help_text="village-<id> 或 grid-<id>")
    geometry = GeometryField(help_text="边界;尚未划定为 null")
    properties = BoundaryPropertiesSerializer()


class BoundaryCollectionSerializer(serializers.Serializer):
    type = _geojson_type("FeatureCollection")
    coordinate_system = _words(*CRS_CHOICES, help_text="本响应坐标所用的坐标系(默认 wgs84)")
    features = BoundaryFeatureSerializer(many=True)


class BoundarySavedSerializer(BoundaryFeatureSerializer):
    coordinate_system = _words(*CRS_CHOICES, help_text="本响应坐标所用的坐标系(与请求的 crs 相同)")


class BoundaryInputSerializer(StrictSerializer):
    """一个行政村或网格的新边界。"""

    boundary = GeometryField(
        allow_null=True,
        help_text="新的边界(坐标系按查询参数 crs,默认 WGS-84);null 清除边界",
    )
