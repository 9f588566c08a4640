"""What this module adds to the home page of a user."""

from __future__ import annotations

from jisheng.accounts.models import User
from jisheng.reports.panels import HomePanel


def home_panels(user: User) -> list[HomePanel]:
    return []
