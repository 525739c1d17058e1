from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gridcase.web"
    verbose_name = "工作台"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
