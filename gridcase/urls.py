from django.contrib import admin
from django.urls import include, path

# Uploaded files have no URL of their own, in any mode: they are served only by the views that
# check who may see them (gridcase.web.views.case_detail, gridcase.api.views.attachments).
# The error pages are the templates 400/403/404/500.html (Django's default handlers).

admin.site.site_header = "网格化管理事件系统 gridcase"
admin.site.site_title = "gridcase"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gridcase.api.urls")),
    path("dashboards/", include("gridcase.web.urls_dashboards")),
    path("manage/", include("gridcase.web.urls_manage")),
    path("assessment/", include("gridcase.web.urls_assessment")),
    path("inbox/", include("gridcase.web.urls_inbox")),
    path("", include("gridcase.web.urls")),
]
