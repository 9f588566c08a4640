from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection, PersonLink
from jisheng.core.roles import Capability

SECTION = NavSection(
    _("Population registry"),
    (
        NavLink(_("Residents"), "registry:person_list", Capability.VIEW_PERSONAL),
        NavLink(_("Households"), "registry:household_list", Capability.VIEW_PERSONAL),
        NavLink(_("Possible duplicates"), "registry:duplicate_list", Capability.EDIT_REGISTRY),
    ),
)

# Everything held on the resident, across modules (PIPL Art. 45).
PERSON_LINKS = (
    PersonLink(_("Personal data report"), "registry:person_data_report", Capability.VIEW_PERSONAL),
)
