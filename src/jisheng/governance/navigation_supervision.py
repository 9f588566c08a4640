"""Menu links of leading groups, supervision and case files (in the governance section)."""

from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink
from jisheng.core.roles import Capability

# Leading groups are public duties: every business role reads its own unit's.
GROUP_READERS = (
    Capability.VIEW_SUPERVISION,
    Capability.MANAGE_LEADING_GROUPS,
    Capability.VIEW_TARGETS,
)

LINKS = (
    NavLink(_("Leading groups"), "governance:group_list", GROUP_READERS),
    NavLink(_("B-ultrasound devices"), "governance:device_list", Capability.VIEW_SUPERVISION),
    NavLink(_("Pharmacies and clinics"), "governance:outlet_list", Capability.VIEW_SUPERVISION),
    NavLink(
        _("Dispensings to review"), "governance:dispensing_review", Capability.VIEW_SUPERVISION
    ),
    NavLink(_("Case files"), "governance:case_list", Capability.VIEW_CASES),
)
