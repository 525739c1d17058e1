"""The Django admin, scoped like every other path: an administrator sees only the towns they
administer today; a superuser sees every town. Nobody else has the admin at all (admin_site).

Every ModelAdmin and inline of the project derives from `AdminScope` (a test walks
`admin.site._registry` to hold every one of them to it). Cases are read-only here: every
change to a case goes through the services (and so the timeline); the admin is for looking,
and for configuration.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404

from .admin_site import may_use_admin
from .selectors import administered_town_ids


def _town_lookup(model: type[Model]) -> str | None:
    """The lookup from a model to its town, for the choices of a foreign key in a form."""
    names = {f.name for f in model._meta.get_fields()}
    if model._meta.label == "org.Town":
        return "pk"
    if "town" in names:
        return "town"
    if "village" in names:
        return "village__town"
    if "unit" in names:
        return "unit__town"
    return None


class AdminScope:
    """For ModelAdmin and InlineModelAdmin: rows, choices and rights of administrators."""

    town_path = "town"  # the lookup from this model to its town

    def scope(self, request, qs: QuerySet) -> QuerySet:
        towns = administered_town_ids(request.user)
        if towns is None:
            return qs
        return qs.filter(**{f"{self.town_path}__in": towns})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def has_module_permission(self, request):
        return may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user)

    def has_add_permission(self, request, *args):
        return may_use_admin(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return may_use_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_use_admin(request.user) and super().has_delete_permission(request, obj)

    def get_object(self, request, object_id, from_field=None):
        # Another town's row does not exist here, as in the workbench (404, not a redirect).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("not in the administrator's towns")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A form offers only the administrator's own towns and their villages, units, people.
        towns = administered_town_ids(request.user)
        lookup = _town_lookup(db_field.related_model)
        if towns is not None and lookup is not None and "queryset" not in kwargs:
            related = db_field.related_model._default_manager.all()
            kwargs["queryset"] = related.filter(**{f"{lookup}__in": towns})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TownScopedAdmin(AdminScope, admin.ModelAdmin):
    pass


class ReadOnlyAdmin(TownScopedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedInline(AdminScope, admin.TabularInline):
    """An inline: its rows are the parent's, scoped again by town (a person's roles elsewhere
    are not shown to this town's administrator)."""

    extra = 0


class ReadOnlyInline(ScopedInline):
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
