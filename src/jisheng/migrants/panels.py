"""Home panels: a partner's own recent reports; a community worker's reports to confirm and
records not verified lately."""

from __future__ import annotations

from jisheng.accounts.models import User
from jisheng.core.modules import HomePanel
from jisheng.core.roles import Capability
from jisheng.migrants.selectors import partners, records

RECENT = 5


def _own_reports(user: User) -> dict[str, object]:
    """The partner's latest reports: their own, read on every visit."""
    return {"reports": list(partners.reports(user)[:RECENT])}


def home_panels(user: User) -> list[HomePanel]:
    panels: list[HomePanel] = []
    if user.has_capability(Capability.REPORT_AS_PARTNER):
        panels.append(HomePanel("migrants/_partner_panel.html", own=_own_reports))
    if user.has_capability(Capability.EDIT_REGISTRY):
        pending = partners.worklist(user).count()
        stale = records.stale(user).count()
        if pending or stale:
            panels.append(
                HomePanel("migrants/_worker_panel.html", {"pending": pending, "stale": stale})
            )
    return panels
