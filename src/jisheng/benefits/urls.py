from django.urls import path

from jisheng.benefits.care.urls import urlpatterns as care_urlpatterns
from jisheng.benefits.views import (
    applications,
    history,
    notices,
    payments,
    programs,
    reports,
    reverification,
)

app_name = "benefits"
urlpatterns = [
    path("", programs.program_list, name="index"),
    path("programs/new/", programs.program_edit, name="program_new"),
    path("programs/<slug:code>/", programs.program_detail, name="program_detail"),
    path("programs/<slug:code>/edit/", programs.program_edit, name="program_edit"),
    path("programs/<slug:code>/eligible/", programs.find_eligible, name="find_eligible"),
    path(
        "programs/<slug:code>/eligible/refresh/",
        programs.eligible_refresh,
        name="eligible_refresh",
    ),
    path(
        "eligible-snapshots/<int:snapshot_id>/",
        programs.eligible_snapshot,
        name="eligible_snapshot",
    ),
    path(
        "programs/<slug:code>/eligible/apply/", programs.apply_for_selected, name="apply_selected"
    ),
    path("programs/<slug:code>/apply/", applications.application_new, name="application_new"),
    path("programs/<slug:code>/notice/", notices.notice_new, name="notice_new"),
    path("programs/<slug:code>/batch/", payments.batch_new, name="batch_new"),
    path("persons/<int:person_id>/", programs.person_benefits, name="person_benefits"),
    path("persons/<int:person_id>/disability/", programs.disability_new, name="disability_new"),
    path("applications/", applications.application_list, name="application_list"),
    path(
        "applications/<int:application_id>/",
        applications.application_detail,
        name="application_detail",
    ),
    path(
        "applications/<int:application_id>/act/",
        applications.application_act,
        name="application_act",
    ),
    path(
        "applications/<int:application_id>/documents/",
        applications.document_upload,
        name="document_upload",
    ),
    path(
        "applications/<int:application_id>/objections/",
        applications.application_objection,
        name="application_objection",
    ),
    path(
        "applications/<int:application_id>/form/", applications.approval_form, name="approval_form"
    ),
    path("documents/<int:document_id>/", applications.document_download, name="document_download"),
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/<int:notice_id>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:notice_id>/objections/", notices.objection_new, name="objection_new"),
    path(
        "objections/<int:objection_id>/resolve/", notices.objection_settle, name="objection_resolve"
    ),
    path("batches/", payments.batch_list, name="batch_list"),
    path("batches/history/", history.history_import, name="history_import"),
    path("batches/history/template/", history.history_template, name="history_template"),
    path("batches/builds/<int:progress_id>/", payments.batch_build, name="batch_build"),
    path("batches/<int:batch_id>/", payments.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/review/", payments.batch_review, name="batch_review"),
    path("batches/<int:batch_id>/approve/", payments.batch_approve, name="batch_approve"),
    path("batches/<int:batch_id>/discard/", payments.batch_discard, name="batch_discard"),
    path("batches/<int:batch_id>/settle/", payments.batch_settle, name="batch_settle"),
    path("batches/<int:batch_id>/export/", payments.batch_export, name="batch_export"),
    path(
        "batches/<int:batch_id>/lines/<int:payment_id>/remove/",
        payments.batch_line_remove,
        name="batch_line_remove",
    ),
    path("payments/<int:payment_id>/reverse/", payments.payment_reverse, name="payment_reverse"),
    path("payments/<int:payment_id>/correct/", payments.payment_correct, name="payment_correct"),
    path("reports/", reports.year_totals, name="year_totals"),
    *care_urlpatterns,
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
