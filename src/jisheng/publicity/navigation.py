from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection
from jisheng.core.roles import Capability

RECORD = Capability.RECORD_PUBLICITY
MANAGE = Capability.MANAGE_PUBLICITY
SECTION = NavSection(
    _("Publicity"),
    (
        NavLink(_("Activities"), "publicity:activity_list", RECORD),
        NavLink(_("Publicity assets"), "publicity:asset_list", RECORD),
        NavLink(_("Trainings"), "publicity:training_list", MANAGE),
        NavLink(
            _("Publicity coverage"), "publicity:coverage", (RECORD, Capability.VIEW_AGGREGATES)
        ),
    ),
)
