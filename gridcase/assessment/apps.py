from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "gridcase.assessment"
    verbose_name = "考核"
