from django.urls import path

from jisheng.prepregnancy.views import checkups, couples, followups, indicators

app_name = "prepregnancy"
urlpatterns = [
    path("", couples.couple_list, name="index"),
    path("couples/", couples.couple_list, name="couple_list"),
    path("couples/refresh/", couples.couple_refresh, name="couple_refresh"),
    path("couples/planning/", couples.couple_planning, name="couple_planning"),
    path("couples/export.xlsx", couples.couple_export_xlsx, name="couple_export_xlsx"),
    path("couples/<int:couple_id>/", couples.couple_detail, name="couple_detail"),
    path("couples/<int:couple_id>/sms/", couples.couple_sms, name="couple_sms"),
    path(
        "couples/<int:couple_id>/sms-opt-out/",
        couples.couple_sms_opt_out,
        name="couple_sms_opt_out",
    ),
    path("couples/<int:couple_id>/letter/", couples.couple_letter, name="couple_letter"),
    path("couples/<int:couple_id>/checkup/", checkups.checkup_new, name="checkup_new"),
    path("couples/<int:couple_id>/pregnancy/", followups.pregnancy_new, name="pregnancy_new"),
    path("letters/", couples.letters, name="letters"),
    path("letters/delivered/", couples.letters_delivered, name="letters_delivered"),
    path("checkups/<int:checkup_id>/", checkups.checkup_detail, name="checkup_detail"),
    path("referrals/", checkups.referral_list, name="referral_list"),
    path(
        "referrals/<int:checkup_referral_id>/complete/",
        checkups.referral_complete,
        name="referral_complete",
    ),
    path("risk-factors/", checkups.risk_factor_list, name="risk_factor_list"),
    path(
        "risk-factors/<int:risk_factor_id>/active/",
        checkups.risk_factor_active,
        name="risk_factor_active",
    ),
    path("followups/", followups.followup_list, name="followup_list"),
    path(
        "followups/<int:pregnancy_followup_id>/",
        followups.followup_record,
        name="followup_record",
    ),
    path(
        "pregnancies/<int:pregnancy_id>/birth/",
        followups.pregnancy_birth_link,
        name="pregnancy_birth_link",
    ),
    path("overdue/", followups.overdue, name="overdue"),
    path("indicators/", indicators.indicator_table, name="indicators"),
    path("indicators/list/", indicators.indicator_list, name="indicator_list"),
]
