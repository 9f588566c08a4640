from django.urls import path

from jisheng.governance import urls_supervision
from jisheng.governance.views import monitoring

app_name = "governance"

urlpatterns = [
    path("pregnancies/", monitoring.pregnancy_list, name="pregnancy_list"),
    path("pregnancies/new/", monitoring.pregnancy_new, name="pregnancy_new"),
    path("pregnancies/overdue/", monitoring.overdue_list, name="overdue_list"),
    path("pregnancies/<int:pregnancy_id>/", monitoring.pregnancy_detail, name="pregnancy_detail"),
    path(
        "pregnancies/<int:pregnancy_id>/outcome/",
        monitoring.outcome_record,
        name="outcome_record",
    ),
    path("births/unmatched/", monitoring.unmatched_births, name="unmatched_births"),
    path("terminations/", monitoring.termination_list, name="termination_list"),
    path("terminations/import/", monitoring.termination_import, name="termination_import"),
    path(
        "terminations/template.xlsx",
        monitoring.termination_template,
        name="termination_template",
    ),
    path(
        "terminations/<int:termination_id>/review/",
        monitoring.termination_review,
        name="termination_review",
    ),
    path("srb/", monitoring.srb_monitor, name="srb"),
    path("srb/births/", monitoring.srb_births, name="srb_births"),
    *urls_supervision.urlpatterns,
]
