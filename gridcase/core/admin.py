from django.contrib import admin

from .admin_scope import TownScopedAdmin
from .models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(TownScopedAdmin):
    list_display = ["day", "kind", "town", "note"]
    list_filter = ["kind", "town"]
    date_hierarchy = "day"

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        # National rows are shown to every town's staff; they apply to everyone.
        from django.db.models import Q

        from gridcase.org.selectors import towns_of

        return qs.filter(Q(town__isnull=True) | Q(town__in=towns_of(request.user)))
