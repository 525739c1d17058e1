from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "gridcase.notify"
    verbose_name = "通知"

    def ready(self) -> None:
        from gridcase.cases.signals import case_event
        from gridcase.org.signals import counting_uses

        from . import outbox, receivers, tasks

        # Inside each case action's transaction: the notification commits or rolls back with it.
        case_event.connect(outbox.on_case_event, dispatch_uid="gridcase.notify.outbox")
        counting_uses.connect(receivers.count_uses, dispatch_uid="gridcase.notify.count_uses")
        # After commit, due deliveries go to the worker's queue (the outbox cannot import the
        # tasks: they sit above it).
        outbox.use_queue(tasks.put_on_queue)
