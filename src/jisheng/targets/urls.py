from django.urls import path

from jisheng.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("books/", views.book_list, name="book_list"),
    path("books/new/", views.book_new, name="book_new"),
    path("books/<int:book_id>/", views.book_detail, name="book_detail"),
    path("books/<int:book_id>/print/", views.book_print, name="book_print"),
    path("books/<int:book_id>/copy/", views.book_copy, name="book_copy"),
    path("books/<int:book_id>/line/", views.book_line, name="book_line"),
    path(
        "books/<int:book_id>/lines/<int:line_id>/remove/",
        views.book_line_remove,
        name="book_line_remove",
    ),
    path("books/<int:book_id>/vetoes/", views.book_vetoes, name="book_vetoes"),
    path("books/<int:book_id>/sign/", views.book_sign, name="book_sign"),
    path("books/<int:book_id>/assess/", views.assessment_run, name="assessment_run"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path(
        "assessments/<int:assessment_id>/lines/<int:line_id>/",
        views.assessment_line_records,
        name="assessment_line_records",
    ),
    path(
        "assessments/<int:assessment_id>/adjust/",
        views.assessment_adjust,
        name="assessment_adjust",
    ),
    path(
        "adjustments/<int:adjustment_id>/evidence/",
        views.adjustment_evidence,
        name="adjustment_evidence",
    ),
    path("assessments/<int:assessment_id>/veto/", views.assessment_veto, name="assessment_veto"),
    path(
        "assessments/<int:assessment_id>/approve/",
        views.assessment_approve,
        name="assessment_approve",
    ),
    path("staff/<int:user_id>/", views.staff_page, name="staff"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/tasks/new/", views.action_item_new, name="action_item_new"),
    path("tasks/<int:item_id>/done/", views.action_item_done, name="action_item_done"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_edit, name="department_new"),
    path("departments/<int:department_id>/", views.department_edit, name="department_edit"),
    path("veto-items/", views.veto_item_list, name="veto_item_list"),
    path("veto-items/new/", views.veto_item_edit, name="veto_item_new"),
    path("veto-items/<int:veto_item_id>/", views.veto_item_edit, name="veto_item_edit"),
    path("bonus-bands/", views.bonus_band_list, name="bonus_band_list"),
    path("bonus-bands/new/", views.bonus_band_edit, name="bonus_band_new"),
    path("bonus-bands/<int:band_id>/", views.bonus_band_edit, name="bonus_band_edit"),
]
