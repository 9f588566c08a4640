"""What this module adds to a user's home page: their overdue tasks from meetings, and the
book lines they answer for."""

from __future__ import annotations

from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.core.modules import HomePanel
from jisheng.targets import selectors


def home_panels(user: User) -> list[HomePanel]:
    """Overdue action items owned by the user; nothing when there are none."""
    overdue = selectors.own_overdue_items(user, today=timezone.localdate())
    if not overdue:
        return []
    return [HomePanel("targets/_home_overdue.html", {"overdue": overdue})]
