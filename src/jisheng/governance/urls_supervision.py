"""Routes of leading groups, supervision and case files (included by ``governance.urls``)."""

from django.urls import path

from jisheng.governance.views import cases, supervision

urlpatterns = [
    path("groups/", supervision.group_list, name="group_list"),
    path("groups/<int:unit_id>/", supervision.group_page, name="group_page"),
    path("groups/<int:unit_id>/edit/", supervision.group_edit, name="group_edit"),
    path("groups/<int:unit_id>/members/new/", supervision.member_new, name="member_new"),
    path("groups/<int:unit_id>/duties/", supervision.duty_set, name="duty_set"),
    path("members/<int:member_id>/end/", supervision.member_end, name="member_end"),
    path("devices/", supervision.device_list, name="device_list"),
    path("devices/new/", supervision.device_new, name="device_new"),
    path("devices/overdue/", supervision.device_overdue, name="device_overdue"),
    path("devices/<int:device_id>/", supervision.device_detail, name="device_detail"),
    path("devices/<int:device_id>/edit/", supervision.device_edit, name="device_edit"),
    path("devices/<int:device_id>/status/", supervision.device_status, name="device_status"),
    path("devices/<int:device_id>/inspect/", supervision.inspection_new, name="inspection_new"),
    path(
        "inspections/<int:inspection_id>/rectified/",
        supervision.rectification_done,
        name="rectification_done",
    ),
    path("operators/", supervision.operator_list, name="operator_list"),
    path("operators/new/", supervision.operator_new, name="operator_new"),
    path("operators/<int:operator_id>/", supervision.operator_detail, name="operator_detail"),
    path("operators/<int:operator_id>/pledge/", supervision.pledge_new, name="pledge_new"),
    path("pledges/<int:pledge_id>/scan/", supervision.pledge_scan, name="pledge_scan"),
    path("outlets/", supervision.outlet_list, name="outlet_list"),
    path("outlets/new/", supervision.outlet_new, name="outlet_new"),
    path("outlets/<int:outlet_id>/", supervision.outlet_detail, name="outlet_detail"),
    path("outlets/<int:outlet_id>/edit/", supervision.outlet_edit, name="outlet_edit"),
    path("outlets/<int:outlet_id>/dispense/", supervision.dispensing_new, name="dispensing_new"),
    path(
        "outlets/<int:outlet_id>/import/",
        supervision.dispensing_upload,
        name="dispensing_upload",
    ),
    path(
        "dispensings/template.xlsx",
        supervision.dispensing_template,
        name="dispensing_template",
    ),
    path("dispensings/review/", supervision.review_list, name="dispensing_review"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", cases.case_new, name="case_new"),
    path("cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("cases/<int:case_id>/investigate/", cases.case_investigate, name="case_investigate"),
    path("cases/<int:case_id>/transfer/", cases.case_transfer, name="case_transfer"),
    path("cases/<int:case_id>/close/", cases.case_close, name="case_close"),
    path("cases/<int:case_id>/evidence/", cases.evidence_new, name="evidence_new"),
    path("evidence/<int:evidence_id>/", cases.evidence_file, name="evidence_file"),
]
