"""The benefits work waiting for a user, on their home page."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.benefits.models import Application, PaymentBatch
from jisheng.benefits.models.workflow import State
from jisheng.benefits.selectors import pending_review_count
from jisheng.core.modules import HomePanel
from jisheng.core.roles import Capability


def home_panels(user: User) -> list[HomePanel]:
    if not user.has_capability(Capability.VIEW_PERSONAL):
        return []
    applications = Application.objects.visible_to(user)
    waiting: list[dict[str, object]] = []
    if user.has_capability(Capability.APPLY_BENEFITS):
        waiting.append(
            {
                "key": "to_check",
                "state": State.SUBMITTED,
                "count": applications.filter(state=State.SUBMITTED).count(),
            }
        )
        waiting.append(
            {
                "key": "returned",
                "state": State.RETURNED,
                "count": applications.filter(state=State.RETURNED).count(),
            }
        )
    if user.has_capability(Capability.REVIEW_BENEFITS):
        waiting.append(
            {
                "key": "to_review",
                "state": State.COMMUNITY_CHECKED,
                "count": applications.filter(state=State.COMMUNITY_CHECKED).count(),
            }
        )
    approver = user.has_capability(Capability.APPROVE_BENEFITS)
    if approver:
        notice_over = Q(notice__ends_on__lt=timezone.localdate())
        in_notice = applications.filter(state=State.IN_NOTICE)
        waiting.append(
            {
                "key": "to_approve",
                "state": State.IN_NOTICE,
                "count": in_notice.filter(notice_over).count(),
            }
        )
        waiting.append(
            {
                "key": "in_notice",
                "state": State.IN_NOTICE,
                "count": in_notice.exclude(notice_over).count(),
            }
        )
    if user.has_capability(Capability.REVIEW_BENEFITS):
        waiting.append({"key": "to_reverify", "count": pending_review_count(user)})
    batches = PaymentBatch.objects.visible_to(user)
    batch_counts = {
        "draft": batches.filter(state=PaymentBatch.State.DRAFT).count()
        if user.has_capability(Capability.REVIEW_BENEFITS)
        else 0,
        "reviewed": batches.filter(state=PaymentBatch.State.REVIEWED).count()
        if user.has_capability(Capability.APPROVE_BENEFITS)
        else 0,
    }
    nothing = not any(item["count"] for item in waiting) and not any(batch_counts.values())
    # An approver always sees the panel: "nothing awaits your approval" is an answer too.
    if nothing and not approver:
        return []
    return [
        HomePanel(
            "benefits/_home_panel.html",
            {"waiting": waiting, "batches": batch_counts, "approver": approver, "empty": nothing},
        )
    ]
