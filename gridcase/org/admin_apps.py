"""The admin app with gridcase's own site (named in INSTALLED_APPS instead of
django.contrib.admin). No model is imported here: this module is loaded with the settings."""

from django.contrib.admin.apps import AdminConfig


class GridcaseAdminConfig(AdminConfig):
    default_site = "gridcase.org.admin_site.GridcaseAdminSite"
