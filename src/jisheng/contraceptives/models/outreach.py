"""Consultations given and leaflets handed out at the points (counts, no personal data)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.contraceptives.models.catalogue import DistributionPoint
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule


class ConsultationTopic(models.TextChoices):
    CHOOSING_METHOD = "choosing_method", _("Choosing a method")
    SIDE_EFFECTS = "side_effects", _("Side effects")
    EMERGENCY = "emergency", _("Emergency contraception")
    PRE_PREGNANCY = "pre_pregnancy", _("Pre-pregnancy care")
    REPRODUCTIVE_HEALTH = "reproductive_health", _("Reproductive health")
    STI_PREVENTION = "sti_prevention", _("STI and HIV prevention")
    OTHER = "other", _("Other")


class Consultation(models.Model):
    """A consultation session at a point: topic and how many people were advised."""

    point = models.ForeignKey(
        DistributionPoint,
        verbose_name=_("distribution point"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=24, choices=ConsultationTopic.choices)
    people = models.PositiveIntegerField(_("people"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["Consultation"]()
    scope_rule = ScopeRule(
        org_field="point__org_unit", personal=False, capability=Capability.MANAGE_STOCK
    )

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(people__gte=1), name="contraceptives_consultation_people"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["point", "date"], name="contraceptives_consult_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.topic} ×{self.people}"


class MaterialHandout(models.Model):
    """Leaflets or other materials handed out at a point on one day."""

    point = models.ForeignKey(
        DistributionPoint,
        verbose_name=_("distribution point"),
        on_delete=models.PROTECT,
        related_name="handouts",
    )
    date = models.DateField(_("date"))
    material = models.CharField(_("material"), max_length=100)
    quantity = models.PositiveIntegerField(_("copies"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The event it was handed out at, e.g. a publicity activity: an occasion of another app
    # (core.occasions), kept as kind and id because domain apps do not import each other.
    occasion_kind = models.CharField(max_length=40, blank=True)
    occasion_id = models.PositiveBigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["MaterialHandout"]()
    scope_rule = ScopeRule(
        org_field="point__org_unit", personal=False, capability=Capability.MANAGE_STOCK
    )

    class Meta:
        verbose_name = _("material handout")
        verbose_name_plural = _("material handouts")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="contraceptives_handout_quantity"
            ),
            models.CheckConstraint(
                condition=Q(occasion_kind="", occasion_id__isnull=True)
                | (~Q(occasion_kind="") & Q(occasion_id__isnull=False)),
                name="contraceptives_handout_occasion",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["point", "date"], name="contraceptives_handout_date"),
            models.Index(fields=["occasion_kind", "occasion_id"], name="contraceptives_handout_at"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.material} ×{self.quantity}"
