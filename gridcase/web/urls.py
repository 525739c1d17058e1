from django.contrib.auth import views as auth_views
from django.urls import path

from gridcase.web.views import (
    case_actions,
    case_detail,
    case_entry,
    case_suspects,
    export_jobs,
    field,
    ledger_export,
    ledger_import,
    map,
    queues,
    start,
    tiles,
)

app_name = "web"

urlpatterns = [
    path("", start.home, name="home"),
    path("start/", queues.start, name="start"),
    # What the start page does in one click (issue 14): close from a department's report,
    # decide an appeal; both come back to the start page.
    path("start/close/<str:number>/", start.close_from_report, name="start_close"),
    path("start/appeals/<int:pk>/decide/", start.appeal_decide, name="start_appeal_decide"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("cases/", queues.cases, name="cases"),
    path("cases/new/", case_entry.new, name="case_new"),
    path("cases/party-row/", case_entry.party_row, name="party_row"),
    # integrity.md: the check on entry, asked by the case form before submitting.
    path("cases/suspects-check/", case_suspects.check, name="suspects_check"),
    path("cases/locate.json", case_entry.locate, name="case_locate"),
    path("cases/export.xlsx", ledger_export.export, name="ledger_export"),
    path("cases/<str:number>/", case_detail.detail, name="case_detail"),
    path("cases/<str:number>/edit/", case_entry.edit, name="case_edit"),
    path("cases/<str:number>/act/<slug:action>/", case_actions.act, name="case_act"),
    path("cases/<str:number>/appeal/", case_actions.appeal, name="case_appeal"),
    path("cases/<str:number>/files/<int:pk>/", case_detail.attachment, name="attachment"),
    path("map/", map.index, name="map"),
    path("map/points.json", map.points, name="map_points"),
    path("map/near.json", map.near, name="map_near"),
    path("map/base.pmtiles", tiles.base, name="map_base"),
    path("exports/<int:pk>/", export_jobs.job, name="export_job"),
    path("exports/<int:pk>/status/", export_jobs.status, name="export_status"),
    path("exports/<int:pk>/download/", export_jobs.download, name="export_download"),
    # 平安通, the officer's offline field terminal (issue 12): the shell, its service worker
    # (scope /field/) and its manifest.
    path("field/", field.app, name="field"),
    path("field/sw.js", field.service_worker, name="field_sw"),
    path("field/manifest.webmanifest", field.manifest, name="field_manifest"),
    path("ledger/import/", ledger_import.index, name="ledger_import"),
    path("ledger/import/<int:town_id>/", ledger_import.upload, name="ledger_upload"),
    path("ledger/import/jobs/<int:pk>/", ledger_import.job, name="ledger_job"),
    path("ledger/import/jobs/<int:pk>/status/", ledger_import.status, name="ledger_status"),
    path("ledger/import/jobs/<int:pk>/confirm/", ledger_import.confirm, name="ledger_confirm"),
    path("ledger/import/jobs/<int:pk>/cancel/", ledger_import.cancel, name="ledger_cancel"),
]
