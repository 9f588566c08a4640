"""Target responsibility (强化领导保障): yearly target books signed with communities, liaison
cadres and departments; their quarterly and yearly assessments; meetings and action items.

Books name indicators by key (``core.indicators``); the figures come from the modules' live
records, and an approved assessment keeps the values it had then.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule


class Department(models.Model):
    """A department of the street that signs a book (data: each street lists its own)."""

    street = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("in use"), default=True)

    objects = ScopedManager["Department"]()
    scope_rule = ScopeRule(org_field="street", personal=False)

    class Meta:
        verbose_name = _("department")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["street", "name"], name="targets_department_unique")
        ]

    def __str__(self) -> str:
        return self.name


class VetoItem(models.Model):
    """一票否决: a failing that sets an assessment's total to zero (data, e.g. a data leak)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    objects = ScopedManager["VetoItem"]()
    scope_rule = ScopeRule(org_field=None, personal=False)

    class Meta:
        verbose_name = _("veto item")
        ordering: ClassVar[list[str]] = ["pk"]

    def __str__(self) -> str:
        return self.name


class PartyKind(models.TextChoices):
    COMMUNITY = "community", _("Community")
    CADRE = "cadre", _("Liaison cadre")
    DEPARTMENT = "department", _("Department")


class BookState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class TargetBook(models.Model):
    """目标管理责任书: one year's agreement between the street and one party.

    ``owner_unit`` decides who reads it (the community for its own book; the street for
    books with cadres and departments); ``measured_unit`` is where its indicators are
    computed (the community a cadre answers for; the whole street for a department).
    """

    year = models.PositiveSmallIntegerField(_("year"))
    street = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("party"), max_length=16, choices=PartyKind.choices)
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison cadre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="books",
    )
    owner_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    measured_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=8, choices=BookState.choices, default=BookState.DRAFT
    )
    veto_items = models.ManyToManyField(VetoItem, verbose_name=_("veto items"), blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    street_signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party_signatory = models.CharField(_("signed for the party by"), max_length=50, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["TargetBook"]()
    scope_rule = ScopeRule(
        org_field="owner_unit", personal=False, capability=Capability.VIEW_TARGETS
    )

    class Meta:
        verbose_name = _("target book")
        ordering: ClassVar[list[str]] = ["-year", "kind", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["year", "community"],
                condition=Q(kind="community"),
                name="targets_book_one_per_community",
            ),
            models.UniqueConstraint(
                fields=["year", "cadre"],
                condition=Q(kind="cadre"),
                name="targets_book_one_per_cadre",
            ),
            models.UniqueConstraint(
                fields=["year", "department"],
                condition=Q(kind="department"),
                name="targets_book_one_per_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.party_name}"

    @property
    def party_name(self) -> str:
        if self.kind == PartyKind.CADRE and self.cadre is not None:
            return f"{self.cadre} ({self.community})"
        if self.kind == PartyKind.DEPARTMENT and self.department is not None:
            return str(self.department)
        return str(self.community)

    @property
    def is_signed(self) -> bool:
        return self.state == BookState.SIGNED


class Scoring(models.TextChoices):
    LINEAR = "linear", _("Linear between floor and target")
    STEP = "step", _("Full points when the target is met")


class BookLine(models.Model):
    """One indicator of a book: its target, floor, scoring, weight and who answers for it."""

    book = models.ForeignKey(TargetBook, on_delete=models.CASCADE, related_name="lines")
    indicator = models.CharField(_("indicator"), max_length=64)
    target = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    floor = models.DecimalField(_("floor"), max_digits=12, decimal_places=2)
    scoring = models.CharField(_("scoring"), max_length=8, choices=Scoring.choices)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=2)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedManager["BookLine"]()
    scope_rule = ScopeRule(
        org_field="book__owner_unit", personal=False, capability=Capability.VIEW_TARGETS
    )

    class Meta:
        verbose_name = _("book line")
        ordering: ClassVar[list[str]] = ["pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["book", "indicator"], name="targets_line_unique"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="targets_line_weight"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book_id}:{self.indicator}"


class BonusBand(models.Model):
    """与工资奖励挂钩: totals from ``min_score`` up get ``coefficient`` (data; the list goes
    to payroll, the platform computes no pay)."""

    street = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    min_score = models.DecimalField(_("from score"), max_digits=7, decimal_places=2)
    coefficient = models.DecimalField(_("bonus coefficient"), max_digits=4, decimal_places=2)

    objects = ScopedManager["BonusBand"]()
    scope_rule = ScopeRule(org_field="street", personal=False)

    class Meta:
        verbose_name = _("bonus band")
        ordering: ClassVar[list[str]] = ["-min_score"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["street", "min_score"], name="targets_band_unique")
        ]

    def __str__(self) -> str:
        return f"≥{self.min_score}: {self.coefficient}"


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Assessment(models.Model):
    """One book scored over a quarter (``quarter`` 1–4) or the whole year (``quarter`` 0).

    While a draft it is recomputed from live data; approval freezes it: its lines, total and
    coefficient are kept as they were, whatever the records do afterwards.
    """

    book = models.ForeignKey(TargetBook, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), default=0)
    state = models.CharField(
        _("state"), max_length=8, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    line_points = models.DecimalField(
        _("points from indicators"), default=0, max_digits=7, decimal_places=2
    )
    adjustment_points = models.DecimalField(
        _("adjustments"), default=0, max_digits=7, decimal_places=2
    )
    vetoed = models.BooleanField(_("vetoed"), default=False)
    total = models.DecimalField(_("total"), default=0, max_digits=7, decimal_places=2)
    bonus_coefficient = models.DecimalField(
        _("bonus coefficient"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager["Assessment"]()
    scope_rule = ScopeRule(
        org_field="book__owner_unit", personal=False, capability=Capability.VIEW_TARGETS
    )

    class Meta:
        verbose_name = _("assessment")
        ordering: ClassVar[list[str]] = ["-year", "-quarter", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["book", "year", "quarter"], name="targets_assessment_unique"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=0) & Q(quarter__lte=4), name="targets_assessment_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book} · {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{self.year}" if not self.quarter else f"{self.year} Q{self.quarter}"

    @property
    def is_approved(self) -> bool:
        return self.state == AssessmentState.APPROVED


class AssessmentLine(models.Model):
    """One indicator's value and points, with the book line's terms copied as they were."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="lines")
    book_line = models.ForeignKey(BookLine, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(_("indicator"), max_length=64)
    target = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    floor = models.DecimalField(_("floor"), max_digits=12, decimal_places=2)
    scoring = models.CharField(_("scoring"), max_length=8, choices=Scoring.choices)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=2)
    value = models.DecimalField(_("value"), null=True, blank=True, max_digits=12, decimal_places=2)
    points = models.DecimalField(_("points"), null=True, blank=True, max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("assessment line")
        ordering: ClassVar[list[str]] = ["pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.indicator}={self.value}"


class Adjustment(models.Model):
    """A manual change of points, with the reason and the evidence behind it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="adjustments")
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    evidence = models.FileField(_("evidence"), upload_to="targets/evidence/%Y/%m/")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Adjustment"]()
    scope_rule = ScopeRule(
        org_field="assessment__book__owner_unit",
        personal=False,
        capability=Capability.VIEW_TARGETS,
    )

    class Meta:
        verbose_name = _("adjustment")
        ordering: ClassVar[list[str]] = ["pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.points}"


class VetoFinding(models.Model):
    """A veto item found to apply to an assessment: its total becomes zero."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="vetoes")
    veto_item = models.ForeignKey(VetoItem, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("veto finding")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["assessment", "veto_item"], name="targets_veto_finding_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.veto_item_id}"


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("Party and government joint meeting")
    WEEKLY = "weekly", _("Family planning weekly meeting")
    COORDINATION = "coordination", _("Coordination meeting")


class Meeting(models.Model):
    """A meeting of a unit: who chaired and attended, what was discussed and decided.

    One model for every kind (``kind``): the governance module's coordination meetings
    are meetings too.
    """

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="+"
    )
    other_attendees = models.CharField(_("other attendees"), max_length=500, blank=True)
    topics = models.TextField(_("topics"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Meeting"]()
    scope_rule = ScopeRule(org_field="org_unit", personal=False)

    class Meta:
        verbose_name = _("meeting")
        ordering: ClassVar[list[str]] = ["-date", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["org_unit", "kind", "date"], name="targets_meeting_kind_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class ActionState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class ActionItem(models.Model):
    """A task a meeting gave one person, due by a date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    description = models.CharField(_("task"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionState.choices, default=ActionState.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = ScopedManager["ActionItem"]()
    scope_rule = ScopeRule(org_field="meeting__org_unit", personal=False)

    class Meta:
        verbose_name = _("action item")
        ordering: ClassVar[list[str]] = ["due_on", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["owner", "status", "due_on"], name="targets_action_owner")
        ]

    def __str__(self) -> str:
        return self.description
