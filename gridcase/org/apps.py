from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "gridcase.org"
    verbose_name = "组织机构"
