from django.urls import path

from gridcase.web.views.manage import (
    audit,
    boundaries,
    calendar,
    channels,
    home,
    org,
    people,
    policy,
    signin,
)

app_name = "manage"

T = "<int:town_id>/"

urlpatterns = [
    path("", home.home, name="home"),
    path(T, home.overview, name="overview"),
    path(T + "villages/", org.villages, name="villages"),
    path(T + "villages/<int:pk>/", org.village_edit, name="village_edit"),
    path(T + "villages/<int:pk>/delete/", org.village_delete, name="village_delete"),
    path(T + "grids/", org.grids, name="grids"),
    path(T + "grids/<int:pk>/", org.grid_edit, name="grid_edit"),
    path(T + "grids/<int:pk>/delete/", org.grid_delete, name="grid_delete"),
    path(T + "boundaries/", boundaries.boundaries, name="boundaries"),
    path(T + "units/", org.units, name="units"),
    path(T + "units/<int:pk>/", org.unit_edit, name="unit_edit"),
    path(T + "units/<int:pk>/delete/", org.unit_delete, name="unit_delete"),
    path(T + "people/", people.people, name="people"),
    path(T + "people/new/", people.person_new, name="person_new"),
    path(T + "people/<int:pk>/", people.person, name="person"),
    path(T + "people/<int:pk>/password/", people.person_password, name="person_password"),
    path(T + "people/<int:pk>/active/", people.person_active, name="person_active"),
    path(T + "people/<int:pk>/roles/", people.role_add, name="role_add"),
    path(
        T + "people/<int:pk>/roles/<int:role_pk>/revoke/",
        people.role_revoke,
        name="role_revoke",
    ),
    path(T + "calendar/", calendar.calendar_page, name="calendar"),
    path(T + "calendar/<int:pk>/delete/", calendar.calendar_delete, name="calendar_delete"),
    path(T + "policy/", policy.policy_page, name="policy"),
    path(T + "policy/default/", policy.policy_default, name="policy_default"),
    path(T + "policy/<int:pk>/", policy.policy_version, name="policy_version"),
    path(T + "channels/", channels.channels, name="channels"),
    path(T + "channels/resend/", channels.resend_failed, name="resend_failed"),
    path(T + "channels/<int:pk>/", channels.channel_edit, name="channel_edit"),
    path(T + "channels/<int:pk>/delete/", channels.channel_delete, name="channel_delete"),
    path(T + "channels/<int:pk>/test/", channels.channel_test, name="channel_test"),
    path(T + "sign-in-failures/", signin.sign_in_failures, name="sign_in_failures"),
    path(T + "sign-in-failures/unlock/", signin.unlock, name="sign_in_unlock"),
    path(T + "audit/", audit.audit_log, name="audit"),
]
