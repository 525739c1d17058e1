from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridcase.core.admin_scope import ReadOnlyAdmin

from .elements import mask_phone
from .models import Attachment, Case, ExtensionRequest, FollowUp, TimelineEntry
from .selectors import handles, scope_q


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    fields = ["at", "action", "actor", "from_level", "to_level", "from_state", "to_state", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ["visited_on", "by", "method", "satisfied", "note"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "category",
        "major",
        "village",
        "officer",
        "state",
        "level",
        "submitted_at",
        "accept_due",
        "handle_due",
        "quality",
    ]
    list_filter = [
        "town",
        "state",
        "level",
        "category",
        "major",
        "quality",
        "local_outcome",
        "source",
        "village",
        ("submitted_at", admin.DateFieldListFilter),
    ]
    search_fields = ["number", "title", "location", "persons", "cause", "course", "parties__name"]
    list_select_related = ["village", "officer"]
    date_hierarchy = "submitted_at"
    inlines = [AttachmentInline, FollowUpInline, TimelineInline]
    show_full_result_count = False

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.filter(scope_q(request.user))

    readonly_fields = ["parties_display"]

    def get_object(self, request, object_id, from_field=None):
        case = super().get_object(request, object_id, from_field)
        if case is not None:
            case._viewer = request.user  # a fresh instance per request: safe across threads
        return case

    @admin.display(description=_("当事人及联系电话"))
    def parties_display(self, case):
        # Phones in full only for the people handling the case (domain.md, People and roles).
        viewer = getattr(case, "_viewer", None)
        show = viewer is not None and (viewer.is_superuser or handles(viewer, case))
        return ";".join(
            f"{p.name} {p.phone if show else mask_phone(p.phone)}" for p in case.parties.all()
        )

    def get_search_results(self, request, queryset, search_term):
        qs, _dups = super().get_search_results(request, queryset, search_term)
        # Searching by party name joins parties: distinct keeps one row per case.
        return qs.distinct(), False


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    town_path = "case__town"
    list_display = ["at", "case", "action", "actor", "from_level", "to_level", "note"]
    list_filter = ["action", "case__town"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__number", "note"]
    show_full_result_count = False

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.filter(case__in=Case.objects.filter(scope_q(request.user)))


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    town_path = "case__town"
    list_display = ["case", "level", "working_days", "status", "requested_by", "requested_at"]
    list_filter = ["status", "level"]
    list_select_related = ["case", "requested_by"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    town_path = "case__town"
    list_display = ["case", "visited_on", "by", "method", "satisfied"]
    list_filter = ["method", "satisfied"]
    list_select_related = ["case", "by"]
