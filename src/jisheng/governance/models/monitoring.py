"""Monitoring records: terminations at 14 weeks or more (中期以上引产) and the hospital lists
they are imported from. Pregnancies themselves are pre-pregnancy's ``Pregnancy`` (extended)."""

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
from jisheng.prepregnancy.fields import EncryptedDateField
from jisheng.prepregnancy.models import Pregnancy
from jisheng.registry.models import Person

# 中期以上引产: a termination at this gestation or later is recorded and, without a medical
# reason, reviewed by the street.
TERMINATION_REVIEW_WEEKS = 14


class TerminationSource(models.TextChoices):
    OUTCOME = "outcome", _("Pregnancy outcome")
    HOSPITAL_LIST = "hospital", _("Hospital list")


class ReviewState(models.TextChoices):
    NOT_NEEDED = "", _("Not needed")
    PENDING = "pending", _("Awaiting street review")
    REVIEWED = "reviewed", _("Reviewed")


class TerminationImport(models.Model):
    """One hospital's monthly list, imported whole; the same file again is the same import."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("imported for"), on_delete=models.PROTECT, related_name="+"
    )
    institution = models.CharField(_("institution"), max_length=100)
    file_name = models.CharField(_("file"), max_length=255)
    digest = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["TerminationImport"]()
    scope_rule = ScopeRule(org_field="unit", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("hospital termination list")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["unit", "digest"], name="governance_termination_import_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.created_at:%Y-%m-%d}"


class Termination(models.Model):
    """An induced termination at 14 weeks or more, as the medical certificate states it.

    The date, weeks and medical reason are encrypted; ``review`` stays plain because the
    street's review list ("no medical reason") is a query."""

    woman = models.ForeignKey(
        Person, verbose_name=_("woman"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    pregnancy = models.OneToOneField(
        Pregnancy,
        verbose_name=_("pregnancy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    performed_on = EncryptedDateField(_("date of termination"))
    weeks = EncryptedTextField(_("weeks of pregnancy"))
    medical_reason = EncryptedTextField(_("medical reason"))
    institution = models.CharField(_("certifying institution"), max_length=100)
    certificate = models.CharField(_("certificate reference"), max_length=50)
    source = models.CharField(_("source"), max_length=10, choices=TerminationSource.choices)
    imported_in = models.ForeignKey(
        TerminationImport, null=True, blank=True, on_delete=models.PROTECT, related_name="rows"
    )
    review = models.CharField(
        _("review"), max_length=8, choices=ReviewState.choices, blank=True, default=""
    )
    review_note = EncryptedTextField(_("review note"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Termination"]()
    scope_rule = ScopeRule(org_field="community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("termination at 14 weeks or more")
        verbose_name_plural = _("terminations at 14 weeks or more")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # One certificate is one termination, whichever way it reached us.
            models.UniqueConstraint(
                fields=["institution", "certificate"], name="governance_termination_certificate"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["review"],
                condition=Q(review="pending"),
                name="governance_termination_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.certificate}"
