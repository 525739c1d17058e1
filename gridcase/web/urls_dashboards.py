from django.urls import path

from gridcase.web.views import dashboards

app_name = "dash"

urlpatterns = [
    path("", dashboards.index, name="index"),
    path("pay/", dashboards.pay, name="pay"),
]
