"""Programs are data: category, rule, benefit, funding shares and status, edited on pages."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import Person


class Category(models.TextChoices):
    """六位一体."""

    REWARD = "reward", _("Reward (奖励)")
    PRIORITY = "priority", _("Priority (优先)")
    PREFERENTIAL = "preferential", _("Preferential (优惠)")
    SUPPORT = "support", _("Support (扶持)")
    RELIEF = "relief", _("Relief (救助)")
    GUARANTEE = "guarantee", _("Guarantee (保障)")


class Unit(models.TextChoices):
    PERSON = "person", _("Person")
    COUPLE = "couple", _("Couple")
    HOUSEHOLD = "household", _("Household")
    CHILD = "child", _("Child")


class BenefitKind(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")
    SERVICE = "service", _("Service or certification")


class Cycle(models.TextChoices):
    """How often a cash program pays: the period a payment batch covers."""

    YEAR = "year", _("Per year")
    MONTH = "month", _("Per month")
    ONCE = "once", _("Once")


class FundingLevel(models.TextChoices):
    """The government levels a program's money comes from (``Program.funding_shares`` keys)."""

    CENTRAL = "central", _("Central government")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")


def period_label(key: str) -> str:
    """A payment period as people say it: "2026", "2026-03", or "one-off" for ``once``."""
    return str(Cycle.ONCE.label) if key == Cycle.ONCE else key


class Proration(models.TextChoices):
    # FULL: the whole amount when the rule holds at the end of at least one month of the period.
    FULL = "full", _("Whole amount")
    # MONTHS: amount x eligible months / months of the cycle.
    MONTHS = "months", _("By eligible months")


class Program(models.Model):
    """One benefit program. Not personal data: every staff role may read the catalogue."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("program status", "Open")
        CLOSED = "closed", _("Closed to new applicants")
        ENDED = "ended", _("Ended")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    policy_document = models.CharField(_("policy document"), max_length=300)
    source_note = models.TextField(_("source and notes"), blank=True)
    verify_locally = models.BooleanField(
        _("verify against the local document before use"), default=True
    )
    unit = models.CharField(_("beneficiary unit"), max_length=16, choices=Unit.choices)
    rule = models.JSONField(_("eligibility rule"), default=dict, blank=True)
    benefit_kind = models.CharField(_("benefit"), max_length=16, choices=BenefitKind.choices)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # The amount is per month, per year or once; ``cycle`` is the period one batch pays.
    amount_per = models.CharField(
        _("amount per"), max_length=8, choices=Cycle.choices, default=Cycle.YEAR
    )
    # Amounts that replace ``amount`` when their rule holds, first match wins:
    # [{"label": "城镇 独生子女死亡", "rule": {...}, "amount": "340.00"}, ...]
    amount_tiers = models.JSONField(_("amount tiers"), default=list, blank=True)
    cycle = models.CharField(_("paid"), max_length=8, choices=Cycle.choices, default=Cycle.YEAR)
    proration = models.CharField(
        _("proration"), max_length=8, choices=Proration.choices, default=Proration.FULL
    )
    in_kind_description = models.CharField(_("goods or service"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Percent per level, e.g. {"district": 50, "street": 30, "community": 20}; sums to 100.
    funding_shares = models.JSONField(_("funding shares"), default=dict, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("public notice days"), default=7)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager["Program"]()

    scope_rule = ScopeRule(org_field=None, personal=False)

    class Meta:
        verbose_name = _("program")
        ordering: ClassVar[list[str]] = ["status", "category", "name"]

    def __str__(self) -> str:
        return self.name

    def application_refusal(self, today: dt.date | None = None) -> str:
        """Why no application can be taken for this program on ``today`` ("" when one can):
        it is closed or ended, or its validity is over. Entitlements already granted are
        still paid (batches go on for the periods the program ran)."""
        today = today or timezone.localdate()
        if self.status != self.Status.OPEN or (self.valid_to and self.valid_to < today):
            return str(_("This program takes no new applications."))
        return ""

    def eligible_search_refusal(self) -> str:
        """Why nobody can be found eligible for this program now ("" when they can): it takes
        no new applicants, or it has no rule (an empty rule would list every resident)."""
        if self.status != self.Status.OPEN:
            return str(
                _("This program takes no new applicants, so eligible residents are not listed.")
            )
        if not self.rule:
            return str(
                _(
                    "This program has no eligibility rule, so eligible residents cannot be "
                    "listed. Write its rule on the program's page first."
                )
            )
        return ""

    @property
    def pays_cash(self) -> bool:
        return self.benefit_kind == BenefitKind.CASH and self.amount is not None

    @property
    def funding_shares_shown(self) -> str:
        """``{"central": 90, "province": 5}`` as "中央 90% · 省级 5%"."""
        labels = dict(FundingLevel.choices)
        return " · ".join(
            f"{labels.get(level, level)} {share}%" for level, share in self.funding_shares.items()
        )


class DisabilityRecord(models.Model):
    """A resident's disability certificate grade (1 most severe to 4), a fact for eligibility."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disabilities")
    grade = models.PositiveSmallIntegerField(_("disability grade"))
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager["DisabilityRecord"]()
    scope_rule = ScopeRule(org_field="person__community")

    class Meta:
        verbose_name = _("disability record")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=4), name="benefits_disability_grade"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.grade}"
