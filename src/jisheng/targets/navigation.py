from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection
from jisheng.core.roles import Capability

SECTION = NavSection(
    _("Target responsibility"),
    (
        NavLink(_("Leaders' overview"), "targets:overview", Capability.VIEW_TARGETS),
        NavLink(_("Target books"), "targets:book_list", Capability.VIEW_TARGETS),
        NavLink(_("Meetings"), "targets:meeting_list", Capability.MANAGE_TARGETS),
        NavLink(_("Departments"), "targets:department_list", Capability.MANAGE_TARGETS),
        NavLink(_("Veto items"), "targets:veto_item_list", Capability.MANAGE_TARGETS),
        NavLink(_("Bonus bands"), "targets:bonus_band_list", Capability.MANAGE_TARGETS),
    ),
)
