"""What is handed out (products and their lots) and where (distribution points)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import Sex


class ProductCategory(models.TextChoices):
    ORAL = "oral", _("Oral contraceptive")
    CONDOM = "condom", _("Condom")
    EXTERNAL = "external", _("External contraceptive")
    EMERGENCY = "emergency", _("Emergency contraceptive")
    IUD = "iud", _("IUD")
    IMPLANT = "implant", _("Implant")


class Method(models.TextChoices):
    """A contraceptive method a person uses (the roster's key); broader than the catalogue."""

    ORAL = "oral", _("Oral contraceptive")
    CONDOM = "condom", _("Condom")
    EXTERNAL = "external", _("External contraceptive")
    EMERGENCY = "emergency", _("Emergency contraceptive")
    IUD = "iud", _("IUD")
    IMPLANT = "implant", _("Implant")
    INJECTION = "injection", _("Injectable")
    FEMALE_STERILIZATION = "female_sterilization", _("Female sterilization")
    MALE_STERILIZATION = "male_sterilization", _("Male sterilization")
    OTHER = "other", _("Other method")

    @classmethod
    def for_category(cls, category: str) -> Method:
        """The method a person uses when supplied with a product of ``category``."""
        return cls(category)

    @classmethod
    def categories(cls, method: str) -> list[str]:
        """The product categories that supply ``method`` (none for e.g. sterilization)."""
        return [c for c in ProductCategory.values if cls.for_category(c) == method]

    @classmethod
    def only_for(cls, method: str) -> str | None:
        """The one sex that can use ``method`` at all (an IUD, a sterilization), else None."""
        return _METHOD_SEX.get(method)


# Methods a person of the other sex cannot use: enrolling them is impossible, not unusual.
_METHOD_SEX: dict[str, str] = {
    Method.IUD: Sex.FEMALE,
    Method.FEMALE_STERILIZATION: Sex.FEMALE,
    Method.MALE_STERILIZATION: Sex.MALE,
}


# What a product of each category is usually meant for (sex, minimum age): the values
# new products start from and the demo catalogue gets.
SENSE_CHECKS: dict[str, tuple[str, int | None]] = {
    ProductCategory.ORAL: (Sex.FEMALE, 18),
    ProductCategory.EXTERNAL: (Sex.FEMALE, 18),
    ProductCategory.EMERGENCY: (Sex.FEMALE, 16),
    ProductCategory.IUD: (Sex.FEMALE, 18),
    ProductCategory.IMPLANT: (Sex.FEMALE, 18),
    ProductCategory.CONDOM: ("", None),
}


class PointKind(models.TextChoices):
    STORE = "store", _("Street store")
    COMMUNITY = "community", _("Community point")
    MACHINE = "machine", _("Self-service machine")


class Product(models.Model):
    """One contraceptive product of the catalogue; quantities are counted in ``unit``."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=ProductCategory.choices)
    unit = models.CharField(_("unit"), max_length=10, help_text=_("What one counts: box, piece…"))
    pack_size = models.PositiveIntegerField(
        _("pack size"), default=1, help_text=_("Doses or pieces in one unit.")
    )
    code = models.CharField(_("product code"), max_length=30, blank=True)
    # Sense checks when the product is issued to a named person: a warning the worker
    # confirms (someone may collect for a spouse), never a hard refusal.
    for_sex = models.CharField(
        _("meant for"),
        max_length=1,
        choices=Sex.choices,
        blank=True,
        help_text=_("Empty: for anyone."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, help_text=_("Empty: no minimum age.")
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Product"]()
    scope_rule = ScopeRule(org_field=None, personal=False, capability=Capability.MANAGE_STOCK)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering: ClassVar[list[str]] = ["category", "name", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["name"], name="contraceptives_product_unique_name"),
            models.CheckConstraint(
                condition=Q(pack_size__gte=1), name="contraceptives_product_pack_size"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    """A manufacturing lot of a product; it is usable up to and including its expiry date."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="lots"
    )
    number = models.CharField(_("lot number"), max_length=40)
    expiry_date = models.DateField(_("expiry date"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Lot"]()
    scope_rule = ScopeRule(org_field=None, personal=False, capability=Capability.MANAGE_STOCK)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering: ClassVar[list[str]] = ["expiry_date", "number", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["product", "number"], name="contraceptives_lot_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.expiry_date:%Y-%m-%d})"

    def is_expired(self, on: dt.date) -> bool:
        """Expired on day ``on``: the expiry date itself is still a usable day."""
        return self.expiry_date < on


class DistributionPoint(models.Model):
    """A place that holds stock: the street's store, a community point or a machine.

    It belongs to an org unit (the street for the store, a community otherwise), which
    decides who sees and manages it; the keeper is the person who answers for its stock.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=PointKind.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("keeper"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("in service"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["DistributionPoint"]()
    scope_rule = ScopeRule(org_field="org_unit", personal=False, capability=Capability.MANAGE_STOCK)

    class Meta:
        verbose_name = _("distribution point")
        verbose_name_plural = _("distribution points")
        ordering: ClassVar[list[str]] = ["org_unit__path", "kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class StockThreshold(models.Model):
    """Low-stock level of one product at one point: at or below it, the keeper is alerted."""

    point = models.ForeignKey(
        DistributionPoint, on_delete=models.CASCADE, related_name="thresholds"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    minimum = models.PositiveIntegerField(_("low-stock level"))

    objects = ScopedManager["StockThreshold"]()
    scope_rule = ScopeRule(
        org_field="point__org_unit", personal=False, capability=Capability.MANAGE_STOCK
    )

    class Meta:
        verbose_name = _("low-stock level")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["point", "product"], name="contraceptives_threshold_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id}:{self.product_id}≤{self.minimum}"
