from django.utils.translation import gettext_lazy as _

from jisheng.accounts.roles import Capability
from jisheng.core.navigation import NavLink, NavSection

SECTION = NavSection(
    _("Benefits"),
    (NavLink(_("Programs"), "benefits:index", Capability.VIEW_PERSONAL),),
)
