from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection
from jisheng.core.roles import Capability

SECTION = NavSection(
    _("Funds"),
    (
        NavLink(_("Execution report"), "funds:report", Capability.VIEW_FUNDS),
        NavLink(_("Budget"), "funds:budget", Capability.VIEW_FUNDS),
        NavLink(_("Spending entries"), "funds:entry_list", Capability.VIEW_FUNDS),
        NavLink(_("Vouchers"), "funds:voucher_list", Capability.VIEW_FUNDS),
    ),
)
