from django.utils.translation import gettext_lazy as _

from jisheng.accounts.roles import Capability
from jisheng.core.navigation import NavLink, NavSection

SECTION = NavSection(
    _("Pre-pregnancy checks"),
    (NavLink(_("Target couples"), "prepregnancy:index", Capability.VIEW_HEALTH),),
)
