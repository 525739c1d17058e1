from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gridcase.cases"
    verbose_name = "事件"

    def ready(self) -> None:
        from gridcase.org.signals import counting_uses

        from . import receivers, search  # noqa: F401 - search registers its SQLite function

        counting_uses.connect(receivers.count_uses, dispatch_uid="gridcase.cases.count_uses")
