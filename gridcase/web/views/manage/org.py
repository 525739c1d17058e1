"""Villages, grids and units of the town: list, add, rename, delete (refused while in use)."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t

from gridcase.core.errors import ServiceError
from gridcase.org import places
from gridcase.org.models import Grid, Town, Unit, Village
from gridcase.web import forms_manage as fm

from .common import bound, done, manage_view, page, refused

# ---------------------------------------------------------------- villages


def _villages(town: Town):
    return (
        Village.objects.filter(town=town)
        .annotate(
            n_grids=Count("grids", distinct=True), n_stations=Count("stations", distinct=True)
        )
        .order_by("name")
    )


@manage_view
def villages(request: HttpRequest, town: Town) -> HttpResponse:
    form = fm.VillageForm(bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            village = places.village_create(by=request.user, town=town, **form.cleaned_data)
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(
                request,
                _t("已添加行政村“%(name)s”") % {"name": village.name},
                "manage:villages",
                town.pk,
            )
    return page(
        request,
        town,
        "web/manage/villages.html",
        "villages",
        {"form": form, "villages": _villages(town)},
        status=400 if form.errors else 200,
    )


@manage_view
def village_edit(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    village = get_object_or_404(Village, pk=pk, town=town)
    form = fm.VillageForm(bound(request), initial={"name": village.name})
    if request.method == "POST" and form.is_valid():
        try:
            places.village_rename(by=request.user, village=village, **form.cleaned_data)
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(request, _t("已保存"), "manage:villages", town.pk)
    return page(
        request,
        town,
        "web/manage/edit.html",
        "villages",
        {
            "form": form,
            "object": village,
            "title": _t("行政村:%(name)s") % {"name": village.name},
            "delete_url": ("manage:village_delete", village.pk),
            "back": "manage:villages",
        },
        status=400 if form.errors else 200,
    )


@manage_view
def village_delete(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    village = get_object_or_404(Village, pk=pk, town=town)
    if request.method != "POST":
        return page(
            request,
            town,
            "web/manage/confirm_delete.html",
            "villages",
            {"object": village, "what": _t("行政村"), "back": "manage:villages"},
        )
    try:
        places.village_delete(by=request.user, village=village)
    except ServiceError as exc:
        return refused(request, exc, "manage:village_edit", town.pk, village.pk)
    return done(
        request, _t("已删除行政村“%(name)s”") % {"name": village.name}, "manage:villages", town.pk
    )


# ---------------------------------------------------------------- grids


@manage_view
def grids(request: HttpRequest, town: Town) -> HttpResponse:
    form = fm.GridForm(bound(request), town=town, initial={"village": request.GET.get("village")})
    if request.method == "POST" and form.is_valid():
        try:
            grid = places.grid_create(by=request.user, town=town, **form.cleaned_data)
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(
                request, _t("已添加网格“%(name)s”") % {"name": grid}, "manage:grids", town.pk
            )
    rows = (
        Grid.objects.filter(village__town=town)
        .select_related("village")
        .annotate(n_roles=Count("role"))
        .order_by("village__name", "name")
    )
    return page(
        request,
        town,
        "web/manage/grids.html",
        "grids",
        {"form": form, "grids": rows},
        status=400 if form.errors else 200,
    )


@manage_view
def grid_edit(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    grid = get_object_or_404(Grid.objects.select_related("village"), pk=pk, village__town=town)
    form = fm.GridRenameForm(bound(request), initial={"name": grid.name})
    if request.method == "POST" and form.is_valid():
        try:
            places.grid_rename(by=request.user, grid=grid, **form.cleaned_data)
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(request, _t("已保存"), "manage:grids", town.pk)
    return page(
        request,
        town,
        "web/manage/edit.html",
        "grids",
        {
            "form": form,
            "object": grid,
            "title": _t("网格:%(name)s") % {"name": grid},
            "note": _t(
                "网格的事件和专管员属于其行政村,因此网格不能改到别的村;如需调整,请新建网格。"
            ),
            "delete_url": ("manage:grid_delete", grid.pk),
            "back": "manage:grids",
        },
        status=400 if form.errors else 200,
    )


@manage_view
def grid_delete(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    grid = get_object_or_404(Grid.objects.select_related("village"), pk=pk, village__town=town)
    if request.method != "POST":
        return page(
            request,
            town,
            "web/manage/confirm_delete.html",
            "grids",
            {"object": grid, "what": _t("网格"), "back": "manage:grids"},
        )
    try:
        places.grid_delete(by=request.user, grid=grid)
    except ServiceError as exc:
        return refused(request, exc, "manage:grid_edit", town.pk, grid.pk)
    return done(request, _t("已删除网格“%(name)s”") % {"name": grid}, "manage:grids", town.pk)


# ---------------------------------------------------------------- units


@manage_view
def units(request: HttpRequest, town: Town) -> HttpResponse:
    form = fm.UnitForm(bound(request), town=town)
    if request.method == "POST" and form.is_valid():
        try:
            unit = places.unit_create(by=request.user, town=town, **form.cleaned_data)
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(
                request, _t("已添加单位“%(name)s”") % {"name": unit.name}, "manage:units", town.pk
            )
    rows = (
        Unit.objects.filter(town=town)
        .select_related("village")
        .annotate(n_roles=Count("role", distinct=True), n_channels=Count("channels", distinct=True))
        .order_by("kind", "name")
    )
    return page(
        request,
        town,
        "web/manage/units.html",
        "units",
        {"form": form, "units": rows},
        status=400 if form.errors else 200,
    )


@manage_view
def unit_edit(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk, town=town)
    form = fm.UnitForm(
        bound(request),
        town=town,
        kind=unit.kind,
        unit=unit,
        initial={"name": unit.name, "village": unit.village_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            places.unit_update(by=request.user, unit=unit, **form.cleaned_data)
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(request, _t("已保存"), "manage:units", town.pk)
    return page(
        request,
        town,
        "web/manage/edit.html",
        "units",
        {
            "form": form,
            "object": unit,
            "title": _t("单位:%(name)s(%(kind)s)")
            % {"name": unit.name, "kind": unit.get_kind_display()},
            "delete_url": ("manage:unit_delete", unit.pk),
            "back": "manage:units",
        },
        status=400 if form.errors else 200,
    )


@manage_view
def unit_delete(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk, town=town)
    if request.method != "POST":
        return page(
            request,
            town,
            "web/manage/confirm_delete.html",
            "units",
            {"object": unit, "what": _t("单位"), "back": "manage:units"},
        )
    try:
        places.unit_delete(by=request.user, unit=unit)
    except ServiceError as exc:
        return refused(request, exc, "manage:unit_edit", town.pk, unit.pk)
    return done(request, _t("已删除单位“%(name)s”") % {"name": unit.name}, "manage:units", town.pk)
