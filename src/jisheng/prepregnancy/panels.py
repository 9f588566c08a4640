"""What this module adds to the home page of a user."""

from __future__ import annotations

from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.core.modules import HomePanel
from jisheng.core.roles import Capability
from jisheng.prepregnancy.models import CoupleState
from jisheng.prepregnancy.selectors.couples import couple_count
from jisheng.prepregnancy.selectors.worklists import DUE_SOON_DAYS, my_due_counts


def _own_due(user: User) -> dict[str, object]:
    """The worker's own follow-ups and referrals overdue or due soon, read on every visit."""
    due = my_due_counts(user=user, today=timezone.localdate())
    return {"overdue": due.overdue, "due_soon": due.due_soon}


def home_panels(user: User) -> list[HomePanel]:
    """A worker's pre-pregnancy work: couples to notify, own follow-ups overdue or due soon."""
    if not user.has_capability(Capability.VIEW_HEALTH):
        return []
    to_notify = couple_count(user=user, state=CoupleState.TO_NOTIFY)
    return [
        HomePanel(
            "prepregnancy/_home_panel.html",
            {"to_notify": to_notify, "soon_days": DUE_SOON_DAYS},
            own=_own_due,
        )
    ]
