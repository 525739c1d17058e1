from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gridcase.cases"
    verbose_name = "事件"
