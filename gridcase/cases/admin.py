from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridcase.core.phones import mask_phone
from gridcase.org.admin_scope import ReadOnlyAdmin, ReadOnlyInline

from .elements import timeline_data
from .models import Attachment, Case, ExtensionRequest, FollowUp, TimelineEntry
from .selectors import scope_q

# Personal data in the admin: nobody handles a case here (the people handling it do so in the
# workbench), so a party's phone and a reporter's e-mail are always masked — for a superuser
# too, as in the workbench for everyone who does not handle the case.


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    town_path = "case__town"
    fields = ["at", "action", "actor", "from_level", "to_level", "from_state", "to_state", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    town_path = "case__town"
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    town_path = "case__town"
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

    def scope(self, request, qs):
        qs = super().scope(request, qs)
        # An administrator's town, as the workbench shows it (not another officer's draft).
        return qs if request.user.is_superuser else qs.filter(scope_q(request.user))

    readonly_fields = ["parties_display"]

    @admin.display(description=_("当事人及联系电话"))
    def parties_display(self, case):
        return ";".join(f"{p.name} {mask_phone(p.phone)}" for p in case.parties.all())

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
    exclude = ["data"]
    readonly_fields = ["data_display"]

    def scope(self, request, qs):
        qs = super().scope(request, qs)
        if request.user.is_superuser:
            return qs
        return qs.filter(case__in=Case.objects.filter(scope_q(request.user)))

    @admin.display(description=_("数据"))
    def data_display(self, entry):
        return timeline_data(entry.data, full=False)


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
