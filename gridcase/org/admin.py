from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcase.core.models import AuditEntry, CalendarOverride

from .admin_scope import AdminScope, ReadOnlyAdmin, ScopedInline, TownScopedAdmin
from .models import Grid, PolicyVersion, Role, Town, Unit, User, Village
from .selectors import administered_town_ids

# What a person may do comes from their roles; Django's groups are not used, and a group is
# not a town's: it has no place in a town administrator's admin.
admin.site.unregister(Group)


class VillageInline(ScopedInline):
    model = Village


@admin.register(Town)
class TownAdmin(TownScopedAdmin):
    town_path = "pk"
    list_display = ["name", "code", "timezone", "created_at"]
    search_fields = ["name", "code"]
    inlines = [VillageInline]


class GridInline(ScopedInline):
    model = Grid
    town_path = "village__town"


@admin.register(Village)
class VillageAdmin(TownScopedAdmin):
    list_display = ["name", "town"]
    list_filter = ["town"]
    search_fields = ["name"]
    inlines = [GridInline]


@admin.register(Grid)
class GridAdmin(TownScopedAdmin):
    town_path = "village__town"
    list_display = ["name", "village"]
    list_filter = ["village__town", "village"]
    list_select_related = ["village"]


@admin.register(Unit)
class UnitAdmin(TownScopedAdmin):
    list_display = ["name", "kind", "town", "village"]
    list_filter = ["town", "kind"]
    search_fields = ["name"]
    list_select_related = ["town", "village"]


class RoleInline(ScopedInline):
    model = Role
    fk_name = "user"
    autocomplete_fields = []


@admin.register(User)
class UserAdmin(AdminScope, BaseUserAdmin):
    list_display = ["username", "display_name", "town", "phone", "is_active", "is_staff"]
    list_filter = ["town", "roles__kind", "is_active"]
    search_fields = ["username", "display_name", "phone"]
    list_select_related = ["town"]
    inlines = [RoleInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("网格化管理"), {"fields": ("town", "display_name", "phone")}),
    )

    # Who may make superusers, staff or grant permissions: only a superuser.
    PRIVILEGES = ["is_superuser", "is_staff", "groups", "user_permissions", "last_login"]

    def scope(self, request, qs):
        towns = administered_town_ids(request.user)
        if towns is None:
            return qs
        # A town's people, never a superuser (org.services._person_town says the same).
        return qs.filter(town__in=towns, is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.PRIVILEGES if f not in fields]
        return fields


@admin.register(Role)
class RoleAdmin(TownScopedAdmin):
    list_display = [
        "user",
        "kind",
        "town",
        "village",
        "grid",
        "unit",
        "active_from",
        "active_until",
    ]
    list_filter = ["town", "kind"]
    search_fields = ["user__username", "user__display_name"]
    list_select_related = ["user", "town", "village", "grid", "unit"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(TownScopedAdmin):
    list_display = ["town", "code", "name", "effective_from", "uploaded_at"]
    list_filter = ["town"]
    readonly_fields = ["uploaded_at"]


# ---------------------------------------------------------------- core's rows
# Registered here, not in core: they are scoped by the towns a person administers (org), and
# core sits below org.


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
