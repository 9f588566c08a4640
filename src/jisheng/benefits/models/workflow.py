"""Application → community check → street review → public notice → approval → entitlement."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.benefits.models.programs import Program
from jisheng.core.fields import EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import Person


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    COMMUNITY_CHECKED = "community_checked", _("Checked by the community")
    STREET_REVIEWED = "street_reviewed", _("Reviewed by the street")
    IN_NOTICE = "in_notice", _("In public notice")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")
    REJECTED = "rejected", _("Rejected")


# States in which an application is still alive: one per program and person.
OPEN_STATES = (
    State.SUBMITTED,
    State.COMMUNITY_CHECKED,
    State.STREET_REVIEWED,
    State.IN_NOTICE,
    State.RETURNED,
)


class PublicNotice(models.Model):
    """公示: a list shown for ``days`` days before approval; objections are recorded against it."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="notices")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("from"))
    days = models.PositiveSmallIntegerField(_("days"))
    ends_on = models.DateField(_("until"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["PublicNotice"]()
    scope_rule = ScopeRule(org_field="org_unit")

    class Meta:
        verbose_name = _("public notice")
        ordering: ClassVar[list[str]] = ["-starts_on", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # The service also refuses a start before 1900 or more than 30 days ahead; those
            # bounds are not here, so an instance holding such an old mistake still migrates.
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="benefits_notice_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    """One request for one program for one beneficiary (a person, or a child for child programs)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # Who receives the money when the beneficiary is a child, or the couple's other spouse.
    payee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A couple program: the other spouse, when a marriage is recorded (one unit, one payment).
    spouse = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The beneficiary unit (``benefits.units.unit_key``): one open application per unit.
    unit_key = models.CharField(_("beneficiary unit"), max_length=48, blank=True)
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SUBMITTED
    )
    # The eligibility explanation when submitted: [{"text": ..., "ok": bool}, ...].
    explanation = models.JSONField(default=list, blank=True)
    bank_account = EncryptedTextField(_("bank account"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    notice = models.ForeignKey(
        PublicNotice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager["Application"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("application")
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=models.Q(state__in=OPEN_STATES),
                name="benefits_one_open_application",
            ),
            # One open application per couple or household, whichever member applied.
            models.UniqueConstraint(
                fields=["program", "unit_key"],
                condition=models.Q(state__in=OPEN_STATES) & ~models.Q(unit_key=""),
                name="benefits_one_open_application_per_unit",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The applications list's order (newest first), read backwards.
            models.Index(fields=["created_at", "id"], name="benefits_app_created"),
            models.Index(fields=["program", "state"], name="benefits_app_program_state"),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.person_id}"

    def get_absolute_url(self) -> str:
        return reverse("benefits:application_detail", kwargs={"application_id": self.pk})


class Transition(models.Model):
    """Who moved an application from one state to another, when, and why. Append-only."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="transitions"
    )
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Transition"]()
    scope_rule = ScopeRule(org_field="application__community")

    class Meta:
        verbose_name = _("transition")
        ordering: ClassVar[list[str]] = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class ApplicationDocument(models.Model):
    """A scan or photo attached to an application (ID card, certificates, proof)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=100)
    file = models.FileField(_("file"), upload_to="benefits/documents/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["ApplicationDocument"]()
    scope_rule = ScopeRule(org_field="application__community")

    class Meta:
        verbose_name = _("document")
        ordering: ClassVar[list[str]] = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Objection(models.Model):
    """An objection raised during a public notice, and how it was resolved."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("objection"))
    # Whoever objected may ask not to be named: their contact is kept encrypted.
    objector_contact = EncryptedTextField(_("objector's contact"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True)
    upheld = models.BooleanField(_("objection upheld"), null=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["Objection"]()
    scope_rule = ScopeRule(org_field="application__community")

    class Meta:
        verbose_name = _("objection")
        ordering: ClassVar[list[str]] = ["received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.application_id}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class Entitlement(models.Model):
    """An enrolled beneficiary of a program: paid in every batch until stopped."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        STOPPED = "stopped", _("Stopped")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="entitlements")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    payee = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spouse = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_key = models.CharField(_("beneficiary unit"), max_length=48, blank=True)
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="entitlement"
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    stop_reason = models.CharField(_("reason for stopping"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Entitlement"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("entitlement")
        ordering: ClassVar[list[str]] = ["program", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=models.Q(status="active"),
                name="benefits_one_active_entitlement",
            ),
            models.UniqueConstraint(
                fields=["program", "unit_key"],
                condition=models.Q(status="active") & ~models.Q(unit_key=""),
                name="benefits_one_active_entitlement_per_unit",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["program", "status"], name="benefits_ent_program_status"),
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.person_id}"
