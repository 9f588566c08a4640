from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection
from jisheng.core.roles import Capability

SECTIONS = (
    NavSection(
        _("Administration"),
        (
            NavLink(_("Users"), "accounts:user_list", Capability.MANAGE_USERS),
            NavLink(_("Org units"), "accounts:org_units", Capability.MANAGE_USERS),
            NavLink(_("Working-day calendar"), "accounts:calendar", Capability.MANAGE_CALENDAR),
            NavLink(_("Roles"), "accounts:role_list", Capability.MANAGE_ROLES),
            NavLink(_("Audit trail"), "audit:search", Capability.VIEW_AUDIT),
        ),
    ),
    NavSection(
        _("My account"),
        (
            NavLink(_("Change password"), "accounts:password_change", None),
            NavLink(_("Two-factor sign-in"), "accounts:two_factor", None),
            NavLink(_("API tokens"), "accounts:token_list", None),
            NavLink(_("API documentation"), "api-1.0.0:openapi-view", None),
        ),
    ),
)
