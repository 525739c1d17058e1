"""The administration's entry: choose the town (superusers), and the town's overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from gridcase.core import clock
from gridcase.core.calendar import missing_arrangement_warning
from gridcase.notify.models import ChannelConfig, Delivery
from gridcase.org.models import Grid, Town, Unit, User, Village
from gridcase.org.policies import policy_for
from gridcase.org.selectors import administered_towns

from .common import manage_view, page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """/manage/: to the town chosen (`?town=`), or the first one the person administers."""
    towns = administered_towns(request.user)
    if not towns:
        raise Http404
    wanted = request.GET.get("town")
    if wanted:
        town = next((t for t in towns if str(t.pk) == wanted), None)
        if town is None:
            raise Http404
    else:
        town = towns[0]
    return redirect("manage:overview", town.pk)


@manage_view
def overview(request: HttpRequest, town: Town) -> HttpResponse:
    today = clock.today(town.timezone)
    people = User.objects.filter(town=town, is_superuser=False).aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
    )
    policy = policy_for(town, today)
    return page(
        request,
        town,
        "web/manage/overview.html",
        "overview",
        {
            "today": today,
            "warning": missing_arrangement_warning(today, town.pk),
            "counts": {
                "villages": Village.objects.filter(town=town).count(),
                "grids": Grid.objects.filter(village__town=town).count(),
                "units": Unit.objects.filter(town=town).count(),
                "people": people["active"],
                "inactive": people["inactive"],
                "channels": ChannelConfig.objects.filter(unit__town=town).count(),
                "failed": Delivery.objects.filter(
                    notification__town=town, status=Delivery.Status.FAILED
                ).count(),
            },
            "policy": policy,
        },
    )
