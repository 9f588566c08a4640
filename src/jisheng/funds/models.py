"""The funds ledger: budget lines per year, level, category and unit; entries append-only.

Money spent elsewhere arrives through ``core.spending``; what has no record of its own is
entered as a voucher. Balances are derived from the entries, never stored.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.db import AppendOnlyRows
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopedQuerySet, ScopeRule

MAX_DIGITS = 12  # amounts below 10^10 yuan, in yuan and fen


class Level(models.TextChoices):
    """Who pays: the codes of the benefit programs' funding shares (两级分成负担: street and
    community share the office's part)."""

    CENTRAL = "central", _("Central government")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")


# The levels a street enters budgets for.
BUDGET_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)

_FUNDS = ScopeRule(org_field="org_unit", personal=False, capability=Capability.VIEW_FUNDS)


class Category(models.Model):
    """A spending category; ``code`` is the one sources name (core.spending.SpendingCategory)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager["Category"]()
    scope_rule = ScopeRule(org_field=None, personal=False)

    class Meta:
        verbose_name = _("spending category")
        verbose_name_plural = _("spending categories")
        ordering: ClassVar[list[str]] = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    """What one level plans to spend on one category in one unit in one year."""

    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("budget (yuan)"), max_digits=MAX_DIGITS, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager["BudgetLine"]()
    scope_rule = _FUNDS

    class Meta:
        verbose_name = _("budget line")
        ordering: ClassVar[list[str]] = ["-year", "category__order", "level", "org_unit__path"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["year", "level", "category", "org_unit"], name="funds_one_line_per_key"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="funds_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()} {self.category} {self.org_unit}"


class EntryQuerySet(AppendOnlyRows, ScopedQuerySet["Entry"]):
    refusal = "The funds ledger is append-only"


class EntryManager(ScopedManager["Entry"]):
    def get_queryset(self) -> EntryQuerySet:
        return EntryQuerySet(self.model, using=self._db)


class Entry(models.Model):
    """One amount spent (negative: a reversal) from one level, tied to the record that spent
    it. Never edited, never deleted; one per (source, source_id, level, reverses)."""

    source = models.CharField(_("source"), max_length=40)
    source_id = models.BigIntegerField()
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    description = models.CharField(_("description"), max_length=300, blank=True)
    reverses = models.BooleanField(_("reversal"), default=False)
    # The line found when it was recorded (the unit's, else the nearest enclosing unit's);
    # none: recorded all the same, flagged.
    budget_line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    # Whether the line's spending went beyond its budget with this entry, when recorded.
    over_budget = models.BooleanField(_("beyond the budget"), default=False)
    # The page of the record that spent it (a view name taking one id), when it has one.
    record_view = models.CharField(max_length=60, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = EntryManager()
    scope_rule = _FUNDS

    class Meta:
        verbose_name = _("funds entry")
        verbose_name_plural = _("funds entries")
        ordering: ClassVar[list[str]] = ["-day", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["source", "source_id", "level", "reverses"], name="funds_entry_once"
            ),
            models.CheckConstraint(
                condition=models.Q(reverses=True, amount__lte=0)
                | models.Q(reverses=False, amount__gte=0),
                name="funds_entry_sign",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["year", "category", "level"], name="funds_entry_report"),
        ]

    def __str__(self) -> str:
        return f"{self.source}#{self.source_id} {self.level} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not business logic: an entry is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise PermissionError("The funds ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The funds ledger is append-only")

    @property
    def no_budget_line(self) -> bool:
        return self.budget_line_id is None


class Voucher(models.Model):
    """Money spent that has no record of its own (凭证); reversed, never edited."""

    day = models.DateField(_("date"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=MAX_DIGITS, decimal_places=2)
    description = models.CharField(_("description"), max_length=300)
    attachment = models.FileField(_("attachment"), upload_to="funds/vouchers/%Y/", blank=True)
    # A summary voucher stands for spending kept elsewhere (the demo's history, a year's
    # totals carried over from paper books).
    summary = models.BooleanField(_("summary voucher"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reversed_reason = models.CharField(_("reason for the reversal"), max_length=300, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["Voucher"]()
    scope_rule = _FUNDS

    class Meta:
        verbose_name = _("voucher")
        ordering: ClassVar[list[str]] = ["-day", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="funds_voucher_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category} {self.amount}"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None
