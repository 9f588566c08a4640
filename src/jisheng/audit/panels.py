"""The security administrator's home page: recent bursts of refused requests."""

from __future__ import annotations

from jisheng.accounts.models import User
from jisheng.audit.selectors import security_alerts
from jisheng.core.modules import HomePanel
from jisheng.core.roles import Capability


def home_panels(user: User) -> list[HomePanel]:
    if not user.has_capability(Capability.MANAGE_ROLES):
        return []
    alerts = list(security_alerts(actor=user)[:20])
    return [HomePanel("audit/_alerts_panel.html", {"alerts": alerts})]
