from django.urls import path
from django.views.generic import RedirectView

app_name = "web"

# Until the workbench lands, the front page is the Chinese admin.
urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="home"),
]
