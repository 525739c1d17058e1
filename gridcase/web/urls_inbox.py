from django.urls import path

from gridcase.web.views import inbox

app_name = "inbox"

urlpatterns = [
    path("", inbox.index, name="index"),
    path("read-all/", inbox.read_all, name="read_all"),
    path("<int:pk>/read/", inbox.read, name="read"),
    path("<int:pk>/open/", inbox.open_item, name="open"),
]
