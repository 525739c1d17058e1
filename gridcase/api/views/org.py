"""The organisation, read only, within the caller's towns; and the caller themselves."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from gridcase.org.models import Grid, Town, Unit, Village
from gridcase.org.selectors import roles_in_force

from ..authentication import SystemPrincipal
from ..permissions import token_of
from ..queries import towns_in_scope
from ..serializers.org import (
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
