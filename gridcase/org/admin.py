from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from gridcase.core.admin_scope import TownScopedAdmin

from .models import Grid, PolicyVersion, Role, Town, Unit, User, Village


class VillageInline(admin.TabularInline):
    model = Village
    extra = 0


@admin.register(Town)
class TownAdmin(TownScopedAdmin):
    town_path = "pk"
    list_display = ["name", "code", "timezone", "created_at"]
    search_fields = ["name", "code"]
    inlines = [VillageInline]


class GridInline(admin.TabularInline):
    model = Grid
    extra = 0


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


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    fk_name = "user"
    autocomplete_fields = []


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "town", "phone", "is_active", "is_staff"]
    list_filter = ["town", "roles__kind", "is_active"]
    search_fields = ["username", "display_name", "phone"]
    list_select_related = ["town"]
    inlines = [RoleInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("网格化管理"), {"fields": ("town", "display_name", "phone")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(town=request.user.town_id)


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
