from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection, PersonLink
from jisheng.core.roles import Capability

SECTION = NavSection(
    _("Benefits"),
    (
        NavLink(_("Programs"), "benefits:index", Capability.VIEW_PERSONAL),
        NavLink(_("Applications"), "benefits:application_list", Capability.VIEW_PERSONAL),
        NavLink(_("Public notices"), "benefits:notice_list", Capability.VIEW_PERSONAL),
        NavLink(_("Payment batches"), "benefits:batch_list", Capability.APPROVE_BENEFITS),
        NavLink(_("Re-verification"), "benefits:campaign_list", Capability.REVIEW_BENEFITS),
        NavLink(_("Visits"), "benefits:visit_list", Capability.VIEW_PERSONAL),
        NavLink(_("Certifications"), "benefits:certification_list", Capability.VIEW_PERSONAL),
        NavLink(_("Yearly totals"), "benefits:year_totals", Capability.VIEW_PERSONAL),
    ),
)

PERSON_LINKS = (PersonLink(_("Benefits"), "benefits:person_benefits", Capability.APPLY_BENEFITS),)
