"""Checkups of each spouse, the maintained list of risk factors, referrals of high-risk results."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.fields import EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.prepregnancy.models.couples import TargetCouple
from jisheng.registry.models import Person


class Spouse(models.TextChoices):
    WIFE = "wife", _("Wife")
    HUSBAND = "husband", _("Husband")


class RiskLevel(models.TextChoices):
    GENERAL = "general", _("General population")
    HIGH = "high", _("High risk")


class RiskFactor(models.Model):
    """One entry of the risk-factor list that assessments choose from; retired, never deleted
    (old assessments keep naming it)."""

    class Category(models.TextChoices):
        GENETIC = "genetic", _("Genetic and family history")
        REPRODUCTIVE = "reproductive", _("Reproductive history")
        DISEASE = "disease", _("Chronic disease")
        INFECTION = "infection", _("Infection")
        MEDICATION = "medication", _("Medication")
        LIFESTYLE = "lifestyle", _("Lifestyle")
        ENVIRONMENT = "environment", _("Environment and occupation")
        OTHER = "other", _("Other")

    class AppliesTo(models.TextChoices):
        BOTH = "both", _("Both spouses")
        WIFE = "wife", _("Wife")
        HUSBAND = "husband", _("Husband")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    applies_to = models.CharField(
        _("applies to"), max_length=8, choices=AppliesTo.choices, default=AppliesTo.BOTH
    )
    active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    # Reference data: everyone may read the list; it holds no personal data.
    objects = ScopedManager["RiskFactor"]()
    scope_rule = ScopeRule(org_field=None, personal=False)

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")
        ordering: ClassVar[list[str]] = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Checkup(models.Model):
    """The result of one spouse's pre-pregnancy checkup, with its risk assessment.

    Results, reproductive history, the chosen risk factors and the advice are health data:
    stored encrypted (JSON inside). The risk level stays plain so that rates can be counted.
    """

    couple = models.ForeignKey(TargetCouple, on_delete=models.PROTECT, related_name="checkups")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    spouse = models.CharField(_("spouse"), max_length=8, choices=Spouse.choices)
    institution = models.CharField(_("institution"), max_length=100)
    date = models.DateField(_("date of checkup"))
    items = models.JSONField(_("service items"), default=list, blank=True)
    results = EncryptedTextField(_("laboratory and ultrasound results"))
    reproductive_history = EncryptedTextField(_("reproductive history"))
    risk_level = models.CharField(_("risk assessment"), max_length=8, choices=RiskLevel.choices)
    risk_factors = EncryptedTextField(_("risk factors"))
    advice = EncryptedTextField(_("advice"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Checkup"]()
    scope_rule = ScopeRule(org_field="couple__community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("checkup")
        verbose_name_plural = _("checkups")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["couple", "spouse"], name="prepregnancy_checkup_one_per_spouse"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.couple_id} {self.spouse} {self.date}"


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class Referral(models.Model):
    """A task raised by a high-risk assessment: refer the spouse to a specialist by a due date."""

    checkup = models.OneToOneField(Checkup, on_delete=models.PROTECT, related_name="referral")
    couple = models.ForeignKey(TargetCouple, on_delete=models.PROTECT, related_name="referrals")
    # The couple's community, copied (``Referral.of``) and moved with the couple
    # (``services.couples``): the scope and a worker's own counts read it without joining the
    # couples of the whole area.
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"), db_index=True)
    state = models.CharField(
        _("state"), max_length=8, choices=TaskState.choices, default=TaskState.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible worker"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = EncryptedTextField(_("referral result"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Referral"]()
    scope_rule = ScopeRule(org_field="community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["state", "due_date"], name="prepregnancy_referral_due"),
            # A worker's own open tasks by due date, with their scope: the home page counts
            # them on every visit from this index alone.
            models.Index(
                fields=["assignee", "state", "due_date", "community"],
                name="prepregnancy_referral_own",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkup_id} {self.due_date}"

    @classmethod
    def of(cls, checkup: Checkup, **fields: object) -> Referral:
        """A new referral raised by ``checkup`` (unsaved), in its couple's community."""
        couple = checkup.couple
        return cls(checkup=checkup, couple=couple, community_id=couple.community_id, **fields)
