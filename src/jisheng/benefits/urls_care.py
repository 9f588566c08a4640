"""Routes of visits, certifications and annual re-verification."""

from django.urls import URLPattern, path

from jisheng.benefits.views import care, reverification

urlpatterns: list[URLPattern] = [
    path("visits/", care.visit_list, name="visit_list"),
    path("visits/new/", care.visit_create, name="visit_create"),
    path("visits/print/", care.visit_print, name="visit_print"),
    path("visits/export.xlsx", care.visit_export, name="visit_export"),
    path("visits/<int:visit_id>/", care.visit_detail, name="visit_detail"),
    path("visits/<int:visit_id>/photos/", care.visit_photo_add, name="visit_photo_add"),
    path("visits/photos/<int:visit_photo_id>/", care.visit_photo, name="visit_photo"),
    path("certifications/", care.certification_list, name="certification_list"),
    path("certifications/new/", care.certification_create, name="certification_create"),
    path("certifications/verify/", care.certification_verify, name="certification_verify"),
    path(
        "certifications/<int:certification_id>/",
        care.certification_detail,
        name="certification_detail",
    ),
    path(
        "certifications/<int:certification_id>/print/",
        care.certification_print,
        name="certification_print",
    ),
    path(
        "certifications/<int:certification_id>/revoke/",
        care.certification_revoke,
        name="certification_revoke",
    ),
    path("campaigns/", reverification.campaign_list, name="campaign_list"),
    path("campaigns/new/", reverification.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", reverification.campaign_detail, name="campaign_detail"),
    path(
        "campaigns/<int:campaign_id>/confirm-unflagged/",
        reverification.campaign_confirm_unflagged,
        name="campaign_confirm_unflagged",
    ),
    path(
        "campaigns/items/<int:review_item_id>/decide/",
        reverification.review_item_decide,
        name="review_item_decide",
    ),
]
