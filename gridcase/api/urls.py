"""The REST API (/api/v1/, /api/schema/, /api/docs/) and Open311 GeoReport v2 (/open311/v2/)."""

from csp.decorators import csp_update
from django.urls import path, re_path, register_converter
from drf_spectacular.views import (
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from .schema import SchemaView
from .views import (
    actions,
    assessment,
    attachments,
    calendar,
    cases,
    integrity,
    open311,
    org,
    tokens,
)
from .views.base import NUMBER_PATTERN
from .views.fallback import not_found, open311_not_found


class CaseNumberConverter:
    regex = NUMBER_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class IdConverter:
    """An id that fits a 64-bit column; a longer number is simply not found."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class Sha256Converter:
    """Loose on purpose: the view says what is wrong with a hash that is not one (400)."""

    regex = "[0-9A-Za-z]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class QuarterConverter:
    """Loose on purpose: the service says what is wrong with "2026-Q5" (400, not 404)."""

    regex = "[0-9A-Za-z-]{1,10}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CaseNumberConverter, "case_number")
register_converter(QuarterConverter, "quarter")
register_converter(IdConverter, "id")
register_converter(Sha256Converter, "sha256")

app_name = "api"

case = "api/v1/cases/<case_number:number>/"
quarter = "api/v1/assessment/quarters/<quarter:quarter>/"
fmt = r"\.(?P<fmt>json|xml)$"
o311 = "^open311/v2/"

urlpatterns = [
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from its own URL: no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path(
        "api/docs/redoc/",
        # Redoc styles itself with <style> elements it writes at run time (styled-components),
        # which takes no nonce, and searches in a worker made from a blob: both are allowed on
        # this page only; scripts stay strict.
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    path("api/v1/me/", org.MeView.as_view(), name="me"),
    path("api/v1/cases/", cases.CaseListView.as_view(), name="case-list"),
    # integrity.md: the check on entry (before the case's own URL, which would take the name).
    path(
        "api/v1/cases/suspects-check/",
        integrity.SuspectsCheckView.as_view(),
        name="cases-suspects-check",
    ),
    path(case, cases.CaseDetailView.as_view(), name="case-detail"),
    path(case + "submit/", actions.SubmitView.as_view(), name="case-submit"),
    path(case + "accept/", actions.AcceptView.as_view(), name="case-accept"),
    path(case + "close/", actions.CloseView.as_view(), name="case-close"),
    path(case + "escalate/", actions.EscalateView.as_view(), name="case-escalate"),
    path(case + "dispatch/", actions.DispatchView.as_view(), name="case-dispatch"),
    path(case + "report/", actions.ReportView.as_view(), name="case-report"),
    path(case + "return/", actions.ReturnView.as_view(), name="case-return"),
    path(case + "void/", actions.VoidView.as_view(), name="case-void"),
    path(case + "urge/", actions.UrgeView.as_view(), name="case-urge"),
    path(case + "review/", actions.ReviewView.as_view(), name="case-review"),
    path(case + "handle-on-spot/", actions.HandleOnSpotView.as_view(), name="case-handle-on-spot"),
    path(
        case + "submit-and-accept/",
        actions.SubmitAndAcceptView.as_view(),
        name="case-submit-and-accept",
    ),
    path(case + "extensions/", actions.ExtensionsView.as_view(), name="case-extensions"),
    path(
        case + "extensions/<id:pk>/decide/",
        actions.ExtensionDecisionView.as_view(),
        name="case-extension-decide",
    ),
    path(case + "follow-ups/", actions.FollowUpsView.as_view(), name="case-follow-ups"),
    path(case + "attachments/", attachments.AttachmentsView.as_view(), name="case-attachments"),
    path(case + "photos/<sha256:sha256>/", attachments.PhotoView.as_view(), name="case-photo"),
    path(
        case + "attachments/<id:pk>/file/",
        attachments.AttachmentFileView.as_view(),
        name="attachment-file",
    ),
    path(case + "appeals/", assessment.CaseAppealsView.as_view(), name="case-appeals"),
    path("api/v1/assessment/result/", assessment.ResultView.as_view(), name="assessment-result"),
    path(
        "api/v1/assessment/statements/<id:officer>/",
        assessment.StatementView.as_view(),
        name="assessment-statement",
    ),
    path(quarter, assessment.QuarterView.as_view(), name="assessment-quarter"),
    path(quarter + "finalise/", assessment.QuarterFinaliseView.as_view(), name="quarter-finalise"),
    path(quarter + "approve/", assessment.QuarterApproveView.as_view(), name="quarter-approve"),
    path(quarter + "reopen/", assessment.QuarterReopenView.as_view(), name="quarter-reopen"),
    path(quarter + "payroll/", assessment.PayrollView.as_view(), name="quarter-payroll"),
    path(
        quarter + "adjustments/", assessment.AdjustmentsView.as_view(), name="quarter-adjustments"
    ),
    path("api/v1/assessment/appeals/", assessment.AppealsView.as_view(), name="appeals"),
    path(
        "api/v1/assessment/suspects/",
        integrity.SuspectsReportView.as_view(),
        name="assessment-suspects",
    ),
    path(
        "api/v1/assessment/suspects/<case_number:number>/confirm/",
        integrity.SuspectConfirmView.as_view(),
        name="suspect-confirm",
    ),
    path(
        "api/v1/assessment/suspects/<case_number:number>/dismiss/",
        integrity.SuspectDismissView.as_view(),
        name="suspect-dismiss",
    ),
    path(
        "api/v1/assessment/appeals/<id:pk>/decide/",
        assessment.AppealDecisionView.as_view(),
        name="appeal-decide",
    ),
    path("api/v1/calendar/deadline/", calendar.DeadlineView.as_view(), name="calendar-deadline"),
    path("api/v1/calendar/days/", calendar.DaysView.as_view(), name="calendar-days"),
    path("api/v1/org/towns/", org.TownListView.as_view(), name="org-towns"),
    path("api/v1/org/towns/<slug:code>/", org.TownDetailView.as_view(), name="org-town"),
    path("api/v1/org/villages/", org.VillageListView.as_view(), name="org-villages"),
    path("api/v1/org/grids/", org.GridListView.as_view(), name="org-grids"),
    path("api/v1/org/units/", org.UnitListView.as_view(), name="org-units"),
    path("api/v1/org/boundaries/", org.BoundariesView.as_view(), name="org-boundaries"),
    path(
        "api/v1/org/villages/<id:pk>/boundary/",
        org.VillageBoundaryView.as_view(),
        name="org-village-boundary",
    ),
    path(
        "api/v1/org/grids/<id:pk>/boundary/",
        org.GridBoundaryView.as_view(),
        name="org-grid-boundary",
    ),
    path("api/v1/auth/token/", tokens.SignInView.as_view(), name="sign-in"),
    path("api/v1/tokens/", tokens.DeviceTokensView.as_view(), name="tokens"),
    path("api/v1/tokens/<id:pk>/", tokens.DeviceTokenView.as_view(), name="token"),
    path("api/v1/system-tokens/", tokens.SystemTokensView.as_view(), name="system-tokens"),
    path("api/v1/system-tokens/<id:pk>/", tokens.SystemTokenView.as_view(), name="system-token"),
    re_path(o311 + "discovery" + fmt, open311.DiscoveryView.as_view(), name="open311-discovery"),
    re_path(o311 + "services" + fmt, open311.ServicesView.as_view(), name="open311-services"),
    re_path(
        o311 + r"services/(?P<code>[A-Za-z0-9_-]{1,40})" + fmt,
        open311.ServiceDefinitionView.as_view(),
        name="open311-service",
    ),
    re_path(o311 + "requests" + fmt, open311.RequestsView.as_view(), name="open311-requests"),
    re_path(
        o311 + f"requests/(?P<id>{NUMBER_PATTERN})" + fmt,
        open311.RequestView.as_view(),
        name="open311-request",
    ),
    re_path(
        o311 + f"tokens/(?P<id>{NUMBER_PATTERN})" + fmt,
        open311.TokenView.as_view(),
        name="open311-token",
    ),
    # Anything else under the API's prefixes is a 404 in the API's format, not an HTML page.
    re_path(r"^api/", not_found),
    re_path(r"^open311/", open311_not_found),
]
