from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "gridcase.ledger"
    verbose_name = "台账导入"
