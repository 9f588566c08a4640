from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection
from jisheng.core.roles import Capability

SECTION = NavSection(
    _("Contraceptive supply"),
    (
        NavLink(_("Distribution points"), "contraceptives:index", Capability.MANAGE_STOCK),
        NavLink(_("User roster"), "contraceptives:roster_list", Capability.VIEW_HEALTH),
        NavLink(
            _("Consultations and materials"), "contraceptives:outreach", Capability.MANAGE_STOCK
        ),
        NavLink(
            _("Supply reports"),
            "contraceptives:report_issues",
            (Capability.MANAGE_STOCK, Capability.VIEW_AGGREGATES),
        ),
        NavLink(_("Products"), "contraceptives:product_list", Capability.MANAGE_STOCK),
    ),
)
