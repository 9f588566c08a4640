from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection
from jisheng.core.roles import Capability

HEALTH = Capability.VIEW_HEALTH
SECTION = NavSection(
    _("Pre-pregnancy checks"),
    (
        NavLink(_("Target couples"), "prepregnancy:couple_list", HEALTH),
        NavLink(_("Follow-ups due"), "prepregnancy:followup_list", HEALTH),
        NavLink(_("Overdue work"), "prepregnancy:overdue", HEALTH),
        NavLink(_("Referrals"), "prepregnancy:referral_list", HEALTH),
        NavLink(_("Indicators"), "prepregnancy:indicators", (HEALTH, Capability.VIEW_AGGREGATES)),
        NavLink(_("Risk factors"), "prepregnancy:risk_factor_list", HEALTH),
    ),
)
