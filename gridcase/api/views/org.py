"""The organisation within the caller's towns, and the caller themselves; the boundaries of
the villages and grids as GeoJSON, which the town's administrators may also write (through
`org.boundary_services.set_boundaries`, the one write path with the checks)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from gridcase.core.errors import ServiceError
from gridcase.org.boundary_services import set_boundaries
from gridcase.org.checks import administers
from gridcase.org.models import Grid, Town, Unit, Village
from gridcase.org.selectors import roles_in_force

from .. import geojson
from ..authentication import SystemPrincipal
from ..errors import error_body
from ..permissions import token_of
from ..queries import towns_in_scope
from ..serializers.org import (
    BoundariesQuerySerializer,
    BoundaryCollectionSerializer,
    BoundaryInputSerializer,
    BoundarySavedSerializer,
    CrsQuerySerializer,
    GridQuerySerializer,
    GridSerializer,
    MeSerializer,
    TownDetailSerializer,
    TownQuerySerializer,
    TownSerializer,
    UnitQuerySerializer,
    UnitSerializer,
    VillageSerializer,
)
from .base import ApiView, bounded_query

TAG = ["组织 organisation"]


def town_ids(request, code: str | None = None) -> list[int]:
    """The caller's towns, or the one named by `code` (404 if it is not one of theirs)."""
    towns = towns_in_scope(request.user)
    if code:
        towns = [t for t in towns if t.code == code]
        if not towns:
            raise NotFound()
    return [t.pk for t in towns]


class MeView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="me",
        summary="当前调用者",
        description="当前登录的人员(或系统令牌)及其角色:移动终端据此决定显示哪些功能。",
        responses={200: MeSerializer},
    )
    def get(self, request):
        user = request.user
        token = token_of(request)
        system = isinstance(user, SystemPrincipal)
        roles = [] if system else roles_in_force(user)
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "display_name": getattr(user, "display_name", "") or user.get_username(),
            "system": system,
            "token_scope": token.scope if token else None,
            "roles": roles,
        }
        return Response(MeSerializer(data).data)


class TownListView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="org_towns_list",
        summary="镇",
        responses={200: TownSerializer(many=True)},
    )
    def get(self, request):
        return Response(TownSerializer(towns_in_scope(request.user), many=True).data)


class TownDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="org_towns_retrieve",
        summary="镇的全部组织",
        description="一个镇的行政村(含网格)和单位,一次取回,供移动终端缓存。",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="镇代码")],
        responses={200: TownDetailSerializer},
    )
    def get(self, request, code):
        ids = town_ids(request, code)
        town = Town.objects.prefetch_related(
            Prefetch("villages", Village.objects.select_related("town").prefetch_related("grids")),
            Prefetch("units", Unit.objects.select_related("town", "village")),
        ).get(pk=ids[0])
        return Response(TownDetailSerializer(town).data)


class VillageListView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="org_villages_list",
        summary="行政村",
        parameters=[TownQuerySerializer],
        responses={200: VillageSerializer(many=True)},
    )
    def get(self, request):
        query = bounded_query(TownQuerySerializer, request)
        villages = (
            Village.objects.filter(town_id__in=town_ids(request, query.get("town")))
            .select_related("town")
            .prefetch_related("grids")
        )
        return Response(VillageSerializer(villages, many=True).data)


class GridListView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="org_grids_list",
        summary="网格",
        parameters=[GridQuerySerializer],
        responses={200: GridSerializer(many=True)},
    )
    def get(self, request):
        query = bounded_query(GridQuerySerializer, request)
        grids = Grid.objects.filter(
            village__town_id__in=town_ids(request, query.get("town"))
        ).select_related("village")
        if query.get("village"):
            grids = grids.filter(village_id=query["village"])
        return Response(GridSerializer(grids, many=True).data)


class UnitListView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="org_units_list",
        summary="单位",
        description="村站、镇中心、部门、综治办。分流时用 kind=department 取部门的 id。",
        parameters=[UnitQuerySerializer],
        responses={200: UnitSerializer(many=True)},
    )
    def get(self, request):
        query = bounded_query(UnitQuerySerializer, request)
        units = Unit.objects.filter(
            town_id__in=town_ids(request, query.get("town"))
        ).select_related("town", "village")
        if query.get("kind"):
            units = units.filter(kind=query["kind"])
        return Response(UnitSerializer(units, many=True).data)


# ---------------------------------------------------------------- boundaries (GeoJSON)

BOUNDARY_TAG = ["边界 boundaries"]
CRS_DEFAULT = "wgs84"


def _village_feature(village: Village, system: str, *, alone: bool = False) -> dict:
    return geojson.feature(
        kind="village",
        pk=village.pk,
        name=village.name,
        town=village.town.code,
        geometry=geojson.convert(village.boundary, system, to_wgs84=False),
        system=system if alone else None,
    )


def _grid_feature(grid: Grid, system: str, *, alone: bool = False) -> dict:
    return geojson.feature(
        kind="grid",
        pk=grid.pk,
        name=grid.name,
        town=grid.village.town.code,
        geometry=geojson.convert(grid.boundary, system, to_wgs84=False),
        village=(grid.village_id, grid.village.name),
        system=system if alone else None,
    )


class BoundariesView(ApiView):
    @extend_schema(
        tags=BOUNDARY_TAG,
        operation_id="org_boundaries",
        summary="行政村和网格的边界(GeoJSON)",
        description=(
            "调用者所在镇的全部行政村和网格,作为 GeoJSON FeatureCollection(RFC 7946)。"
            "坐标系默认为 " + geojson.WGS84_NOTE + ";可用 crs 参数改为 gcj02 或 bd09,"
            "响应的 coordinate_system 写明所用坐标系。尚未划定边界的地方 geometry 为 null。"
            "properties.kind 为 village(行政村)或 grid(网格),网格的 properties.village "
            "为所属行政村的 id。"
        ),
        parameters=[BoundariesQuerySerializer],
        responses={200: BoundaryCollectionSerializer},
    )
    def get(self, request):
        query = bounded_query(BoundariesQuerySerializer, request)
        system = query.get("crs", CRS_DEFAULT)
        ids = town_ids(request, query.get("town"))
        villages = (
            Village.objects.filter(town_id__in=ids)
            .select_related("town")
            .order_by("town_id", "name", "pk")
        )
        grids = (
            Grid.objects.filter(village__town_id__in=ids)
            .select_related("village__town")
            .order_by("village__town_id", "village__name", "name", "pk")
        )
        features = [_village_feature(v, system) for v in villages]
        features += [_grid_feature(g, system) for g in grids]
        return Response(geojson.collection(features, system))


class _BoundaryWriteView(ApiView):
    """PUT a village's or a grid's boundary: the town's administrators only."""

    def place(self, request, pk: int) -> tuple[Village | Grid, Town]:
        raise NotImplementedError

    def save(self, request, place, town: Town, boundary) -> None:
        raise NotImplementedError

    def feature(self, place, system: str) -> dict:
        raise NotImplementedError

    def put(self, request, pk):
        # Outside the caller's towns the place does not exist (404); inside, seen but not
        # theirs to change unless they administer the town (403).
        place, town = self.place(request, pk)
        if not administers(request.user, town):
            raise PermissionDenied("只有本镇的系统管理员可以修改边界")
        system = bounded_query(CrsQuerySerializer, request).get("crs", CRS_DEFAULT)
        body = BoundaryInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        boundary = geojson.convert(body.validated_data["boundary"], system, to_wgs84=True)
        try:
            self.save(request, place, town, boundary)
        except ServiceError as exc:
            # The checks' own words (org.boundaries), every problem listed; nothing written.
            return Response(error_body("invalid", exc.message, exc.fields), status=400)
        place.refresh_from_db(fields=["boundary"])
        return Response(self.feature(place, system))


def _boundary_put_schema(what: str, operation_id: str):
    return extend_schema(
        tags=BOUNDARY_TAG,
        operation_id=operation_id,
        summary=f"设置{what}的边界",
        description=(
            f"本镇系统管理员设置或清除(boundary 为 null){what}的边界。坐标系默认为 "
            + geojson.WGS84_NOTE
            + ";可用 crs 参数说明所给坐标为 gcj02 或 bd09,系统换算为 WGS-84 后保存。"
            "边界须为有效的面;同一行政村的网格之间、行政村之间不得重叠,网格须在所属行政村"
            "之内(均允许少量误差)。不符合时返回 400,fields.boundary 列出每一个问题(中文),"
            "且不保存任何改动。"
        ),
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description=f"{what}的 id"),
            CrsQuerySerializer,
        ],
        request=BoundaryInputSerializer,
        responses={200: BoundarySavedSerializer},
    )


class VillageBoundaryView(_BoundaryWriteView):
    def place(self, request, pk):
        village = (
            Village.objects.filter(pk=pk, town_id__in=town_ids(request))
            .select_related("town")
            .first()
        )
        if village is None:
            raise NotFound()
        return village, village.town

    def save(self, request, place, town, boundary):
        set_boundaries(by=request.user, town=town, villages={place: boundary})

    def feature(self, place, system):
        return _village_feature(place, system, alone=True)

    @_boundary_put_schema("行政村", "org_village_boundary_update")
    def put(self, request, pk):
        return super().put(request, pk)


class GridBoundaryView(_BoundaryWriteView):
    def place(self, request, pk):
        grid = (
            Grid.objects.filter(pk=pk, village__town_id__in=town_ids(request))
            .select_related("village__town")
            .first()
        )
        if grid is None:
            raise NotFound()
        return grid, grid.village.town

    def save(self, request, place, town, boundary):
        set_boundaries(by=request.user, town=town, grids={place: boundary})

    def feature(self, place, system):
        return _grid_feature(place, system, alone=True)

    @_boundary_put_schema("网格", "org_grid_boundary_update")
    def put(self, request, pk):
        return super().put(request, pk)
