from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo town and `gridcase serve`, which builds it on first start. On top of every
    other layer: it files cases, sends notifications and runs the whole system. No models."""

    name = "gridcase.demo"
    verbose_name = "演示"
