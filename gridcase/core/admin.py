from django.contrib import admin
from django.db.models import Q

from gridcase.org.selectors import administered_town_ids

from .admin_scope import TownScopedAdmin
from .models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(TownScopedAdmin):
    list_display = ["day", "kind", "town", "note"]
    list_filter = ["kind", "town"]
    date_hierarchy = "day"

    def scope(self, request, qs):
        towns = administered_town_ids(request.user)
        if towns is None:
            return qs
        # National rows are shown to every town's administrator; they apply to everyone.
        return qs.filter(Q(town__isnull=True) | Q(town__in=towns))
