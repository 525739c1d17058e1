from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gridcase.api"
    verbose_name = "接口"
