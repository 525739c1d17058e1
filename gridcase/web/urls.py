from django.contrib.auth import views as auth_views
from django.urls import path

from gridcase.web.views import case_detail, queues

app_name = "web"

urlpatterns = [
    path("", queues.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("cases/", queues.cases, name="cases"),
    path("cases/<str:number>/", case_detail.detail, name="case_detail"),
]
