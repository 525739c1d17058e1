from django.urls import path

from gridcase.web.views.assessment import (
    appeals,
    downloads,
    overview,
    quarter,
    statement,
    suspects,
)

app_name = "assess"

# <period> is "2026-Q4" or "2026-10"; the views answer 404 for anything else.
urlpatterns = [
    path("", overview.index, name="index"),
    path("appeals/<int:pk>/decide/", appeals.appeal_decide, name="appeal_decide"),
    path("cases/<str:number>/appeal/", appeals.appeal_file, name="appeal_file"),
    # integrity.md: the office's review queue of suspected duplicates (before <period>/).
    path("suspects/", suspects.suspects, name="suspects"),
    path("suspects/decide/", suspects.suspect_decide, name="suspect_decide"),
    path("<str:period>/", overview.period, name="period"),
    path("<str:period>/payroll.xlsx", downloads.payroll, name="payroll"),
    path("<str:period>/result.json", downloads.result_json, name="json"),
    path("<str:period>/officers/<int:officer_id>/", statement.statement, name="statement"),
    path("<str:quarter>/appeals/", appeals.appeals, name="appeals"),
    path("<str:quarter>/finalise/", quarter.finalise, name="finalise"),
    path("<str:quarter>/approve/", quarter.approve, name="approve"),
    path("<str:quarter>/reopen/", quarter.reopen, name="reopen"),
    path("<str:quarter>/adjust/", quarter.adjust, name="adjust"),
]
