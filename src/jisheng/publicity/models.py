"""Publicity (宣传服务社会化): the "五个一" assets, activities, trainings, their photos and the
costs they hand to the funds ledger. Counts and names of staff only: no residents' data."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.db import AppendOnlyRows
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopedQuerySet, ScopeRule


class AssetKind(models.TextChoices):
    POPULATION_SCHOOL = "population_school", _("Population school")
    CULTURE_YARD = "culture_yard", _("Population culture yard")
    CULTURE_STREET = "culture_street", _("Childbearing culture street")
    TROUPE = "troupe", _("Arts troupe / village theatre")
    TV_COLUMN = "tv_column", _("TV column")
    WEB_COLUMN = "web_column", _("Web column")


# The yearly "五个一" checklist: five items, the last met by a column on TV or on the web.
FIVE_ONES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("population_school", (AssetKind.POPULATION_SCHOOL,)),
    ("culture_yard", (AssetKind.CULTURE_YARD,)),
    ("culture_street", (AssetKind.CULTURE_STREET,)),
    ("troupe", (AssetKind.TROUPE,)),
    ("column", (AssetKind.TV_COLUMN, AssetKind.WEB_COLUMN)),
)


class Asset(models.Model):
    """One of the "五个一" of a community (or of the street, e.g. a TV column)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_USE = "in_use", _("In use")
        CLOSED = "closed", _("Closed")

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.IN_USE
    )
    opened_on = models.DateField(_("in use since"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Asset"]()
    scope_rule = ScopeRule(
        org_field="org_unit", personal=False, capability=Capability.RECORD_PUBLICITY
    )

    class Meta:
        verbose_name = _("publicity asset")
        ordering: ClassVar[list[str]] = ["org_unit__code", "kind", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="publicity_asset_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    SQUARE_PERFORMANCE = "square_performance", _("Square performance")
    PUBLICITY_VEHICLE = "publicity_vehicle", _("Publicity vehicle tour")
    LECTURE = "lecture", _("Lecture")
    ARTS_TO_VILLAGES = "arts_to_villages", _("Arts to the villages")
    CARE_FOR_GIRLS = "care_for_girls", _("Care for girls campaign")
    LAW_EDUCATION = "law_education", _("Laws and regulations")
    OTHER = "other", _("Other")


class Activity(models.Model):
    """A publicity activity of a community (or street-wide); its cost goes to the funds ledger
    through :class:`CostEntry` rows (``cost`` is their sum)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=24, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    organiser = models.CharField(_("organiser"), max_length=100)
    # 多部门联合: the departments that joined, one per line.
    partners = models.TextField(_("partner departments"), blank=True)
    audience = models.PositiveIntegerField(_("audience"), default=0)
    # Copies handed out by the organisers themselves; handouts of the distribution points that
    # name this activity (core.occasions) are listed beside them, not added here.
    materials = models.PositiveIntegerField(_("materials handed out (copies)"), default=0)
    materials_note = models.CharField(_("which materials"), max_length=200, blank=True)
    cost = models.DecimalField(_("cost (yuan)"), default=0, max_digits=12, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Activity"]()
    scope_rule = ScopeRule(
        org_field="org_unit", personal=False, capability=Capability.RECORD_PUBLICITY
    )

    class Meta:
        verbose_name = _("publicity activity")
        ordering: ClassVar[list[str]] = ["-date", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="publicity_activity_cost"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["org_unit", "date"], name="publicity_activity_unit_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"

    @property
    def partner_list(self) -> list[str]:
        return [line for line in self.partners.splitlines() if line.strip()]


class Training(models.Model):
    """A training course (培训班) for staff; attendees are staff accounts."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    cost = models.DecimalField(_("cost (yuan)"), default=0, max_digits=12, decimal_places=2)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), related_name="+", blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Training"]()
    scope_rule = ScopeRule(
        org_field="org_unit", personal=False, capability=Capability.MANAGE_PUBLICITY
    )

    class Meta:
        verbose_name = _("training")
        ordering: ClassVar[list[str]] = ["-start_date", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="publicity_training_cost"),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="publicity_training_dates"
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=1000), name="publicity_training_hours"
            ),
        ]

    def __str__(self) -> str:
        return self.topic


class Photo(models.Model):
    """A checked photo (no metadata) with its thumbnail, of an activity or of an asset."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("photo"), upload_to="publicity/%Y/%m/")
    thumbnail = models.FileField(upload_to="publicity/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Photo"]()
    scope_rule = ScopeRule(
        org_field="org_unit", personal=False, capability=Capability.RECORD_PUBLICITY
    )

    class Meta:
        verbose_name = _("photo")
        ordering: ClassVar[list[str]] = ["uploaded_at", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(activity__isnull=True, asset__isnull=False)
                | Q(activity__isnull=False, asset__isnull=True),
                name="publicity_photo_of_one",
            ),
        ]

    def __str__(self) -> str:
        return self.caption or str(self.pk)


class CostEntryQuerySet(AppendOnlyRows, ScopedQuerySet["CostEntry"]):
    refusal = "publicity cost entries are append-only"


class CostEntryManager(ScopedManager["CostEntry"]):
    def get_queryset(self) -> CostEntryQuerySet:
        return CostEntryQuerySet(self.model, using=self._db)


class CostEntry(models.Model):
    """One amount handed to the funds ledger for an activity or a training (append-only).

    A corrected cost is a reversal of the amount standing (negative) plus the new amount, so
    the entries of a record always sum to its ``cost``. The entry's id is the ``source_id``
    the ledger receives: each entry is handed exactly once.
    """

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="cost_entries"
    )
    training = models.ForeignKey(
        Training, null=True, blank=True, on_delete=models.PROTECT, related_name="cost_entries"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    day = models.DateField()
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CostEntryManager()
    scope_rule = ScopeRule(
        org_field="org_unit", personal=False, capability=Capability.RECORD_PUBLICITY
    )

    class Meta:
        verbose_name = _("cost entry")
        ordering: ClassVar[list[str]] = ["pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(activity__isnull=True, training__isnull=False)
                | Q(activity__isnull=False, training__isnull=True),
                name="publicity_cost_of_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.amount}"
