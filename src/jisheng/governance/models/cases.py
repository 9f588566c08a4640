"""两非 case files: a clue, its investigation, its handling (transfer) and its closure.

Only case officers and leaders read them (``VIEW_CASES``), each within their street. Who
reported a clue is stored apart from everything else shown: the ``informant`` (an outside
caller's name and contact) is encrypted and shown to nobody; ``reported_by`` (the user who
recorded the clue) is shown only to that user.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.fields import EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.governance.models.supervision import Dispensing, Inspection

CASE_RULE = ScopeRule(org_field="street", personal=False, capability=Capability.VIEW_CASES)


class ClueSource(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    REPORT = "report", _("Report by a citizen")
    INSPECTION = "inspection", _("Inspection")
    DISPENSING_REVIEW = "dispensing_review", _("Dispensing review list")
    TERMINATION_REVIEW = "termination_review", _("Termination review list")


class CaseStage(models.TextChoices):
    CLUE = "clue", _("Clue")
    INVESTIGATION = "investigation", _("Under investigation")
    HANDLING = "handling", _("Transferred for handling")
    CLOSED = "closed", _("Closed")


class TransferTo(models.TextChoices):
    HEALTH = "health", _("Health authority")
    POLICE = "police", _("Public security")


class CaseResult(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated and punished")
    UNSUBSTANTIATED = "unsubstantiated", _("Not substantiated")
    NO_JURISDICTION = "no_jurisdiction", _("Outside our jurisdiction")


class Case(models.Model):
    """One 两非 case file of a street; ``stage`` moves clue → investigation → handling →
    closed, each step with its own deadline (``due_on``)."""

    street = models.ForeignKey(
        OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("case number"), max_length=32, unique=True)
    source = models.CharField(_("source"), max_length=24, choices=ClueSource.choices)
    summary = models.TextField(_("summary"))
    received_on = models.DateField(_("received on"))
    stage = models.CharField(
        _("stage"), max_length=16, choices=CaseStage.choices, default=CaseStage.CLUE
    )
    due_on = models.DateField(_("due on"))
    # Never shown to anybody: an outside informant's name and contact, kept for the record.
    informant = EncryptedTextField(_("informant"))
    # Shown only to this user (the one who recorded the clue).
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispensing = models.ForeignKey(
        Dispensing, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_reference = models.CharField(_("source reference"), max_length=100, blank=True)
    investigation_started_on = models.DateField(_("investigation started"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    transfer_to = models.CharField(
        _("transferred to"), max_length=16, choices=TransferTo.choices, blank=True
    )
    receiving_unit = models.CharField(_("receiving unit"), max_length=100, blank=True)
    transfer_reference = models.CharField(_("transfer reference"), max_length=64, blank=True)
    transferred_on = models.DateField(_("transferred on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=24, choices=CaseResult.choices, blank=True)
    result_text = models.TextField(_("result"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Case"]()
    scope_rule = CASE_RULE

    class Meta:
        verbose_name = _("case file")
        ordering: ClassVar[list[str]] = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class CaseEvidence(models.Model):
    """One evidence file of a case (a scan or a photo)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    description = models.CharField(_("description"), max_length=200)
    file = models.FileField(_("file"), upload_to="governance/evidence/%Y/%m/")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["CaseEvidence"]()
    scope_rule = ScopeRule(
        org_field="case__street", personal=False, capability=Capability.VIEW_CASES
    )

    class Meta:
        verbose_name = _("evidence")
        ordering: ClassVar[list[str]] = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.description
