from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection
from jisheng.core.roles import Capability

SECTION = NavSection(
    _("Overview"),
    (
        NavLink(_("Home"), "reports:home", None),
        NavLink(
            _("Dashboard"),
            "reports:dashboard",
            (Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES, Capability.MANAGE_STOCK),
        ),
        NavLink(
            _("Standard forms"),
            "reports:form_index",
            (Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES),
        ),
        NavLink(
            _("Pivot table"),
            "reports:pivot",
            (Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES),
        ),
    ),
)
