from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gridcase.web"
    verbose_name = "工作台"
