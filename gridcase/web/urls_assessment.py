from django.urls import path

from gridcase.web.views import assessment

app_name = "assess"

# <period> is "2026-Q4" or "2026-10"; the views answer 404 for anything else.
urlpatterns = [
    path("", assessment.index, name="index"),
    path("appeals/<int:pk>/decide/", assessment.appeal_decide, name="appeal_decide"),
    path("cases/<str:number>/appeal/", assessment.appeal_file, name="appeal_file"),
    path("<str:period>/", assessment.period, name="period"),
    path("<str:period>/payroll.xlsx", assessment.payroll, name="payroll"),
    path("<str:period>/result.json", assessment.result_json, name="json"),
    path("<str:period>/officers/<int:officer_id>/", assessment.statement, name="statement"),
    path("<str:quarter>/appeals/", assessment.appeals, name="appeals"),
    path("<str:quarter>/finalise/", assessment.finalise, name="finalise"),
    path("<str:quarter>/approve/", assessment.approve, name="approve"),
    path("<str:quarter>/reopen/", assessment.reopen, name="reopen"),
    path("<str:quarter>/adjust/", assessment.adjust, name="adjust"),
]
