from django.urls import path

from jisheng.migrants.views import partners, records

app_name = "migrants"

urlpatterns = [
    path("inflow/", records.inflow_list, name="inflow_list"),
    path("inflow/new/", records.inflow_create, name="inflow_create"),
    path("outflow/", records.outflow_list, name="outflow_list"),
    path("outflow/new/", records.outflow_create, name="outflow_create"),
    path("stale/", records.stale_list, name="stale_list"),
    path("records/<int:record_id>/", records.record_detail, name="record_detail"),
    path("records/<int:record_id>/end/", records.record_end, name="record_end"),
    path("records/<int:record_id>/visit/", records.record_visit, name="record_visit"),
    path("complexes/", partners.complex_list, name="complex_list"),
    path("complexes/new/", partners.complex_create, name="complex_create"),
    path("partners/", partners.partner_list, name="partner_list"),
    path("partners/new/", partners.partner_create, name="partner_create"),
    path("worklist/", partners.worklist, name="worklist"),
    path("reports/<int:report_id>/", partners.report_detail, name="report_detail"),
    path("reports/<int:report_id>/confirm/", partners.report_confirm, name="report_confirm"),
    path("reports/<int:report_id>/reject/", partners.report_reject, name="report_reject"),
    path("my-reports/", partners.my_reports, name="my_reports"),
    path("my-reports/new/", partners.report_new, name="report_new"),
    path("my-reports/upload/", partners.report_upload, name="report_upload"),
    path("my-reports/template.xlsx", partners.report_template, name="report_template"),
]
