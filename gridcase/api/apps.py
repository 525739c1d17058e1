from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gridcase.api"
    verbose_name = "接口"

    def ready(self):
        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
