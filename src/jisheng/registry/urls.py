from django.urls import path

from jisheng.registry import views
from jisheng.registry.family.urls import urlpatterns as family_urlpatterns
from jisheng.registry.imports.urls import urlpatterns as import_urlpatterns

app_name = "registry"
urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/register/", views.person_register, name="person_register"),
    path("persons/move-in/", views.person_move_in_new, name="person_move_in_new"),
    path("persons/<int:person_id>/", views.person_detail, name="person_detail"),
    path(
        "persons/<int:person_id>/data-report/",
        views.person_data_report,
        name="person_data_report",
    ),
    path("persons/<int:person_id>/birth/", views.person_birth, name="person_birth"),
    path("persons/<int:person_id>/death/", views.person_death, name="person_death"),
    path("persons/<int:person_id>/move-out/", views.person_move_out, name="person_move_out"),
    path("persons/<int:person_id>/move-in/", views.person_move_in, name="person_move_in"),
    path(
        "persons/<int:person_id>/household/",
        views.person_household_change,
        name="person_household_change",
    ),
    path("persons/<int:person_id>/marriage/", views.person_marriage, name="person_marriage"),
    path(
        "persons/<int:person_id>/marriages/<int:marriage_id>/divorce/",
        views.person_divorce,
        name="person_divorce",
    ),
    path("persons/<int:person_id>/correct/", views.person_correct, name="person_correct"),
    path(
        "persons/<int:person_id>/events/<int:event_id>/reverse/",
        views.event_reverse,
        name="event_reverse",
    ),
    path("persons/pick/", views.person_pick, name="person_pick"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:flag_id>/dismiss/", views.duplicate_dismiss, name="duplicate_dismiss"),
    path("duplicates/<int:flag_id>/merge/", views.duplicate_merge, name="duplicate_merge"),
    *import_urlpatterns,
    *family_urlpatterns,
]
