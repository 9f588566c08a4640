from django.utils.translation import gettext_lazy as _

from jisheng.accounts.roles import Capability
from jisheng.core.navigation import NavLink, NavSection

SECTION = NavSection(
    _("Contraceptive supply"),
    (NavLink(_("Distribution points"), "contraceptives:index", Capability.MANAGE_STOCK),),
)
