"""Hardship visits (走访慰问) and certifications (升学加分核实, 光荣证 reissue)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.benefits.models.programs import Program
from jisheng.core.models import OrgUnit
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import Household, Person


class Visit(models.Model):
    """A visit to a family in hardship; its cost counts as spending of its relief program."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="visits")
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    visitors = models.CharField(_("visitors"), max_length=200)
    given = models.CharField(_("what was given"), max_length=300, blank=True)
    cost = models.DecimalField(_("cost (yuan)"), max_digits=12, decimal_places=2, default=0)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Visit"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("visit")
        ordering: ClassVar[list[str]] = ["-date", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            # A unit's visits by date: the list's page of ids, the year filter and its
            # choices (care.selectors.visit_list, visit_years).
            models.Index(fields=["community", "date", "id"], name="benefits_visit_list"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="benefits_visit_cost")
        ]

    def __str__(self) -> str:
        return f"{self.date} · {self.person_id}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("photo"), upload_to="benefits/visits/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["VisitPhoto"]()
    scope_rule = ScopeRule(org_field="visit__community")

    def __str__(self) -> str:
        return f"{self.visit_id} · {self.pk}"


class Certification(models.Model):
    """A certificate issued to a resident, checkable later by its verification number."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="certifications")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("verification number"), max_length=32, unique=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.VALID
    )
    revoked_reason = models.CharField(_("reason"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["Certification"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("certification")
        ordering: ClassVar[list[str]] = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.number
