from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve as static_serve

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

if settings.DEBUG:
    urlpatterns += [
        path("media/<path:path>", static_serve, {"document_root": settings.MEDIA_ROOT}),
    ]
