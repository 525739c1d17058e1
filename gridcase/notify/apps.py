from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "gridcase.notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from gridcase.cases.signals import case_event

        from .outbox import on_case_event

        # Inside each case action's transaction: the notification commits or rolls back with it.
        case_event.connect(on_case_event, dispatch_uid="gridcase.notify.outbox")
