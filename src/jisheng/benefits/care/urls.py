"""Routes of hardship visits and certifications (included by ``benefits.urls``)."""

from django.urls import URLPattern, path

from jisheng.benefits.care import views

urlpatterns: list[URLPattern] = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/print/", views.visit_print, name="visit_print"),
    path("visits/export.xlsx", views.visit_export, name="visit_export"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:visit_id>/photos/", views.visit_photo_add, name="visit_photo_add"),
    path("visits/photos/<int:visit_photo_id>/", views.visit_photo, name="visit_photo"),
    path("certifications/", views.certification_list, name="certification_list"),
    path("certifications/new/", views.certification_create, name="certification_create"),
    path("certifications/verify/", views.certification_verify, name="certification_verify"),
    path(
        "certifications/<int:certification_id>/",
        views.certification_detail,
        name="certification_detail",
    ),
    path(
        "certifications/<int:certification_id>/print/",
        views.certification_print,
        name="certification_print",
    ),
    path(
        "certifications/<int:certification_id>/revoke/",
        views.certification_revoke,
        name="certification_revoke",
    ),
]
