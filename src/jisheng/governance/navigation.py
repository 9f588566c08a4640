from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection
from jisheng.core.roles import Capability
from jisheng.governance.navigation_supervision import LINKS as SUPERVISION_LINKS

SECTION = NavSection(
    _("Governance"),
    (
        NavLink(_("Pregnancy follow-up"), "governance:pregnancy_list", Capability.VIEW_HEALTH),
        NavLink(_("Overdue pregnancies"), "governance:overdue_list", Capability.VIEW_HEALTH),
        NavLink(
            _("Births without a pregnancy record"),
            "governance:unmatched_births",
            Capability.VIEW_HEALTH,
        ),
        NavLink(
            _("Terminations (14+ weeks)"), "governance:termination_list", Capability.VIEW_HEALTH
        ),
        NavLink(
            _("Sex ratio at birth"),
            "governance:srb",
            (Capability.VIEW_HEALTH, Capability.VIEW_AGGREGATES),
        ),
        *SUPERVISION_LINKS,
    ),
)
