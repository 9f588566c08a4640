"""What this module adds to the home page of a user: stock alerts of the points they keep."""

from __future__ import annotations

from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.contraceptives.selectors.alerts import points_watched_by, stock_alerts
from jisheng.core.modules import HomePanel


def home_panels(user: User) -> list[HomePanel]:
    """Low stock, expiring and expired lots at the user's points; nothing for other roles."""
    points = points_watched_by(user)
    if not points.exists():
        return []
    alerts = stock_alerts(points, today=timezone.localdate())
    return [HomePanel("contraceptives/_home_alerts.html", {"alerts": alerts})]
