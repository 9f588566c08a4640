from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection
from jisheng.core.roles import Capability

VIEW = Capability.VIEW_PERSONAL
EDIT = Capability.EDIT_REGISTRY
PARTNER = Capability.REPORT_AS_PARTNER
SECTIONS = (
    NavSection(
        _("Floating population"),
        (
            NavLink(_("Inflow"), "migrants:inflow_list", VIEW),
            NavLink(_("Outflow"), "migrants:outflow_list", VIEW),
            NavLink(_("Not verified lately"), "migrants:stale_list", VIEW),
            NavLink(_("Partner reports to confirm"), "migrants:worklist", EDIT),
            NavLink(_("Residential complexes"), "migrants:complex_list", VIEW),
            NavLink(_("Partners"), "migrants:partner_list", VIEW),
            # The exchange's pages: its tabs lead on to notices sent and queries.
            NavLink(_("Notices received"), "migrants_exchange:received", VIEW),
            NavLink(_("Two-way assessment"), "migrants_exchange:assessment", VIEW),
            NavLink(_("Exchange peers"), "migrants_exchange:peers", VIEW),
        ),
    ),
    # A partner reporter's whole menu: its own reporting pages and nothing else.
    NavSection(
        _("Reporting"),
        (
            NavLink(_("My reports"), "migrants:my_reports", PARTNER),
            NavLink(_("Report a move"), "migrants:report_new", PARTNER),
            NavLink(_("Report from a workbook"), "migrants:report_upload", PARTNER),
        ),
    ),
)
