from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "gridcase.notify"
    verbose_name = "通知"
