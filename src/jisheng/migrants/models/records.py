"""Inflow and outflow records: a registry person who lives here but is registered elsewhere,
or is registered here but lives elsewhere. Not a second person table: every record points at
a registry ``Person``."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.fields import EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import LifeEvent, Person


class MoveKind(models.TextChoices):
    INFLOW = "inflow", _("Inflow")  # lives here, registered elsewhere (流入)
    OUTFLOW = "outflow", _("Outflow")  # registered here, lives elsewhere (流出)


class MigrantRecord(models.Model):
    """One person's stay away from their place of registration, seen from this street.

    ``region_code`` is the other place: the origin of an inflow, the destination of an
    outflow (a GB/T 2260 division code). The record is open until ``ended_on``.
    """

    kind = models.CharField(_("kind"), max_length=8, choices=MoveKind.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    # The community that serves the record: where an inflow lives, where an outflow is
    # registered. Scope is read from it directly, never through the person.
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("region code"), max_length=6)
    moved_on = models.DateField(_("date of move"))
    # Where the person lives now: the local address of an inflow, the address elsewhere of
    # an outflow. Contact details are personal data, so both are encrypted.
    address = EncryptedTextField(_("address"))
    contact = EncryptedTextField(_("contact"))
    # The registry event (move in / move out) the record was created with, when there is one.
    move_event = models.OneToOneField(
        LifeEvent,
        verbose_name=_("registry event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_verified_on = models.DateField(_("last verified on"), db_index=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # Inflow only: where and for whom the person lives and works here (blank for an outflow).
    complex = models.ForeignKey(
        "migrants.ResidentialComplex",
        verbose_name=_("residential complex"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    landlord = models.ForeignKey(
        "migrants.Partner",
        verbose_name=_("landlord"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    # The registry event that ended the record (the inflow moving on, the outflow coming back).
    end_event = models.OneToOneField(
        LifeEvent,
        verbose_name=_("ending event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager["MigrantRecord"]()
    scope_rule = ScopeRule(org_field="community", capability=Capability.VIEW_PERSONAL)

    class Meta:
        verbose_name = _("floating population record")
        verbose_name_plural = _("floating population records")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(ended_on__isnull=True),
                name="migrants_one_open_record_per_kind",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "kind", "ended_on"], name="migrants_record_open"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id}"


class Verification(models.Model):
    """A verification visit (核查): when, by whom, and what it found changed (field → [old, new]).

    ``changes`` names fields only and keeps no personal values in clear (address and contact
    are marked changed, not copied)."""

    record = models.ForeignKey(
        MigrantRecord, verbose_name=_("record"), on_delete=models.PROTECT, related_name="visits"
    )
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("date of visit"))
    changes = models.JSONField(_("changes"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Verification"]()
    scope_rule = ScopeRule(org_field="community", capability=Capability.VIEW_PERSONAL)

    class Meta:
        verbose_name = _("verification visit")
        verbose_name_plural = _("verification visits")
        ordering = ("-visited_on", "-pk")

    def __str__(self) -> str:
        return f"{self.record_id} {self.visited_on}"
