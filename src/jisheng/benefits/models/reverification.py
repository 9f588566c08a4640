"""年审: each year every beneficiary is confirmed or stopped, with registry changes pre-flagged."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisheng.benefits.models.programs import Program
from jisheng.benefits.models.workflow import Entitlement
from jisheng.core.models import OrgUnit
from jisheng.core.scope import ScopedManager, ScopeRule

# What a review item can be flagged for (``ReviewItem.flags[*].kind``). Each kind appears at
# most once per item, so a filter need test only this many positions.
FLAG_KINDS: dict[str, Promise] = {
    "death": _("Died"),
    "move_out": _("Moved out"),
    "rule": _("No longer qualifies"),
    "marriage": _("Married"),
    "divorce": _("Divorced"),
    "payee_death": _("Payee died"),
    "payee_move_out": _("Payee moved out"),
}


class ReviewCampaign(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="campaigns")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["ReviewCampaign"]()
    scope_rule = ScopeRule(org_field="org_unit")

    class Meta:
        verbose_name = _("annual re-verification")
        ordering: ClassVar[list[str]] = ["-year", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["program", "org_unit", "year"], name="benefits_one_campaign_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.year}"


class ReviewItem(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("To decide")
        CONFIRM = "confirm", _("Confirmed")
        STOP = "stop", _("Stopped")

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.PROTECT, related_name="items")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    # Registry changes since last year: [{"kind": "death", "date": "2026-03-01", "text": ...}].
    flags = models.JSONField(default=list, blank=True)
    decision = models.CharField(
        _("decision"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["ReviewItem"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("re-verification item")
        ordering: ClassVar[list[str]] = ["campaign", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["campaign", "entitlement"], name="benefits_review_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.entitlement_id}"
