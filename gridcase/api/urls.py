from django.urls import path  # noqa: F401

# The REST API (/api/v1/, /api/schema/, /api/docs/) and Open311 (/open311/v2/) live here.
urlpatterns: list = []
