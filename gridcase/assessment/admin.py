"""The assessment in the admin: for looking only. Every change (finalise, approve, appeal,
adjustment) goes through the services, which check the role and write the audit row."""

from django.contrib import admin

from gridcase.org.admin_scope import ReadOnlyAdmin

from .models import Adjustment, Appeal, AssessmentEvent, QuarterAssessment


@admin.register(QuarterAssessment)
class QuarterAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["town", "quarter", "status", "policy_code", "finalised_at", "approved_at"]
    list_filter = ["town", "status"]
    search_fields = ["quarter"]
    exclude = ["snapshot"]  # large; the payroll export renders it


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "quarter",
        "filed_by",
        "filed_at",
        "status_at_filing",
        "status",
        "override",
        "decided_by",
    ]
    list_filter = ["town", "quarter", "status"]
    search_fields = ["case__number", "reason"]
    list_select_related = ["case", "filed_by", "decided_by"]


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["officer", "quarter", "applies_to", "amount", "reason", "created_by"]
    list_filter = ["town", "applies_to"]
    list_select_related = ["officer", "created_by"]


@admin.register(AssessmentEvent)
class AssessmentEventAdmin(ReadOnlyAdmin):
    list_display = ["town", "quarter", "at", "actor", "action", "note"]
    list_filter = ["town", "action"]
    list_select_related = ["town", "actor"]
