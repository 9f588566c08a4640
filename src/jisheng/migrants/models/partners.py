"""Residential complexes, the partners that report moves (landlords, employers, property
companies, police stations) and their reports, which the community confirms or rejects.

"六位一体": the community office works with those who see people arrive first. A partner's
account (the partner reporter role) sees only the reports it made itself.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.core.fields import EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.migrants.models.records import MigrantRecord


class PartnerKind(models.TextChoices):
    LANDLORD = "landlord", _("Landlord")
    EMPLOYER = "employer", _("Employer")
    PROPERTY = "property", _("Property company")
    POLICE = "police", _("Police station")


class Partner(models.Model):
    """Someone outside the office who reports moves to one community (its account, if any)."""

    kind = models.CharField(_("kind"), max_length=10, choices=PartnerKind.choices)
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    # The complex a landlord lets in, or a property company manages (one it is counted under).
    complex = models.ForeignKey(
        "migrants.ResidentialComplex",
        verbose_name=_("residential complex"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners",
    )
    contact = EncryptedTextField(_("contact"), blank=True)
    # The partner reporter account that reports for this partner; one account, one partner.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="migrant_partner",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Partner"]()
    # Staff see their area's partners; a partner's account sees its own partner only.
    scope_rule = ScopeRule(org_field="community", reporter_field="account", personal=False)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name


class ResidentialComplex(models.Model):
    """A residential complex (小区) in one community, with its property company if any."""

    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    property_company = models.ForeignKey(
        Partner,
        verbose_name=_("property company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": PartnerKind.PROPERTY},
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["ResidentialComplex"]()
    scope_rule = ScopeRule(org_field="community", personal=False)

    class Meta:
        verbose_name = _("residential complex")
        verbose_name_plural = _("residential complexes")
        ordering = ("name", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["community", "name"], name="migrants_complex_name_per_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReportKind(models.TextChoices):
    MOVE_IN = "move_in", _("Moved in")
    MOVE_OUT = "move_out", _("Moved out")


class ReportState(models.TextChoices):
    PENDING = "pending", _("Waiting for the community")
    CONFIRMED = "confirmed", pgettext_lazy("partner report", "Confirmed")
    REJECTED = "rejected", _("Rejected")


class PartnerReport(models.Model):
    """A partner's report that a tenant or employee moved in or out, until the community
    confirms it (then ``record`` is the inflow record it opened or ended) or rejects it with
    a ``reason`` the partner reads."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="reports"
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    complex = models.ForeignKey(
        ResidentialComplex,
        verbose_name=_("residential complex"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.PENDING
    )
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = EncryptedTextField(_("ID number"))
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    phone = EncryptedTextField(_("phone"), blank=True)
    hukou_type = models.CharField(_("hukou type"), max_length=8, blank=True)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    moved_on = models.DateField(_("date of move"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    record = models.ForeignKey(
        MigrantRecord,
        verbose_name=_("record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedManager["PartnerReport"]()
    # Staff see their area's reports; a partner's account sees what it reported, nothing else.
    scope_rule = ScopeRule(org_field="community", reporter_field="reported_by")

    class Meta:
        verbose_name = _("partner report")
        verbose_name_plural = _("partner reports")
        ordering = ("-reported_at", "-pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(reason=""),
                name="migrants_rejection_has_reason",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "state"], name="migrants_report_worklist"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"
