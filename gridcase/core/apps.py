from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gridcase.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import admin_audit, append_only

        # SQLite's append-only triggers call a function every connection must know.
        connection_created.connect(append_only.register_functions, dispatch_uid="gridcase_ao")
        post_migrate.connect(_ensure_triggers, sender=self, dispatch_uid="gridcase_ao_check")
        admin_audit.connect()


def _ensure_triggers(sender, using="default", **kwargs) -> None:
    """After every migrate: re-create append-only triggers a table rebuild dropped."""
    from django.db import connections

    from . import append_only

    append_only.ensure_all(connections[using])
