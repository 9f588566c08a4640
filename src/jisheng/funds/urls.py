from django.urls import path

from jisheng.funds import views

app_name = "funds"

urlpatterns = [
    path("", views.report, name="report"),
    path("report/print/", views.report_print, name="report_print"),
    path("report/export.xlsx", views.report_export, name="report_export"),
    path("budget/", views.budget, name="budget"),
    path("budget/new/", views.budget_new, name="budget_new"),
    path("budget/<int:budget_line_id>/", views.budget_edit, name="budget_edit"),
    path("entries/", views.entry_list, name="entry_list"),
    path("entries/<int:entry_id>/", views.entry_detail, name="entry_detail"),
    path("vouchers/", views.voucher_list, name="voucher_list"),
    path("vouchers/new/", views.voucher_new, name="voucher_new"),
    path("vouchers/<int:voucher_id>/", views.voucher_detail, name="voucher_detail"),
    path("vouchers/<int:voucher_id>/reverse/", views.voucher_reverse, name="voucher_reverse"),
    path(
        "vouchers/<int:voucher_id>/attachment/",
        views.voucher_attachment,
        name="voucher_attachment",
    ),
]
