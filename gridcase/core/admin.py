from django.contrib import admin
from django.db.models import Q

from gridcase.org.selectors import administered_town_ids

from .admin_scope import ReadOnlyAdmin, TownScopedAdmin
from .models import AuditEntry, CalendarOverride


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail, read-only (the database refuses changes anyway): an administrator sees
    their towns' rows, a superuser also those of no town. The workbench's 审计日志 page is the
    usual place to read it."""

    list_display = ["at", "actor_label", "action", "object_type", "object_label", "town"]
    list_filter = ["action", "town"]
    search_fields = ["object_label", "actor_label"]
    date_hierarchy = "at"
