"""Home panels for roles whose work no installed module serves yet."""

from __future__ import annotations

from jisheng.accounts.models import User
from jisheng.core import modules
from jisheng.core.modules import HomePanel
from jisheng.core.roles import Capability


def home_panels(user: User) -> list[HomePanel]:
    """A partner reporter's page says what it will do once the floating-population module
    (which declares ``serves = ("report_as_partner",)``) is installed, not a dead end."""
    if user.has_capability(Capability.REPORT_AS_PARTNER) and not modules.served(
        Capability.REPORT_AS_PARTNER
    ):
        return [HomePanel("accounts/_partner_coming.html")]
    return []
