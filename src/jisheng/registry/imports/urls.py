"""Routes of resident import and export (kept apart from the registry's other pages)."""

from django.urls import URLPattern, path

from jisheng.registry.imports import views

urlpatterns: list[URLPattern] = [
    path("persons/import/", views.person_import_new, name="person_import_new"),
    path(
        "persons/import/template.xlsx",
        views.person_import_template,
        name="person_import_template",
    ),
    path(
        "persons/import/<int:import_id>/",
        views.person_import_detail,
        name="person_import_detail",
    ),
    path(
        "persons/import/<int:import_id>/bad-rows.xlsx",
        views.person_import_bad_rows,
        name="person_import_bad_rows",
    ),
    path("persons/export.xlsx", views.person_export_xlsx, name="person_export_xlsx"),
    path("persons/export.csv", views.person_export_csv, name="person_export_csv"),
]
