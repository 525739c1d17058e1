"""The Django admin, scoped like every other path: staff see only their own town's rows.

Superusers see everything. Cases are read-only here: every change to a case goes through
the services (and so the timeline); the admin is for looking, and for configuration.
"""

from __future__ import annotations

from django.contrib import admin

from gridcase.org.selectors import towns_of


class TownScopedAdmin(admin.ModelAdmin):
    town_path = "town"  # the lookup from this model to its town

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.town_path}__in": towns_of(request.user)})

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


class ReadOnlyAdmin(TownScopedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
