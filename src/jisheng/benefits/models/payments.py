"""Payment batches and lines: a beneficiary is paid at most once per program and period."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.benefits.models.programs import Program, period_label
from jisheng.benefits.models.workflow import Entitlement
from jisheng.core.models import OrgUnit
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import Person

# ``TaskProgress.kind`` of a background batch build: ``benefits_batch_build:<program id>:<period>``.
BATCH_BUILD_KIND = "benefits_batch_build"


class PaymentBatch(models.Model):
    """The payments of one program for one period in one street; locked once approved."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWED = "reviewed", _("Reviewed")
        APPROVED = "approved", _("Approved")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="batches")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    # "2026" for a yearly program, "2026-03" for a monthly one, "once" for one-off awards.
    period = models.CharField(_("period"), max_length=7)
    period_start = models.DateField()
    period_end = models.DateField()
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # Fixed at approval: the sum of the lines then, so later reversals stay visible.
    approved_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    approved_count = models.PositiveIntegerField(null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    built_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Non-empty on a correction batch: it pays again payments that were reversed (its lines
    # name them in ``Payment.corrects``), after the same review and approval as any batch.
    correction_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    # The background build that made the batch: its progress page lands here when done.
    build_progress = models.OneToOneField(
        "core.TaskProgress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A batch of payments made before this system kept them, imported from a file
    # (services/history.py): approved as it arrives, each line dated when it was paid.
    imported_history = models.BooleanField(_("imported history"), default=False)
    # The imported rows' fingerprint: the same file imported again finds this batch.
    import_digest = models.CharField(max_length=64, blank=True)
    import_file_name = models.CharField(_("imported file"), max_length=255, blank=True)

    objects = ScopedManager["PaymentBatch"]()
    scope_rule = ScopeRule(org_field="org_unit")

    class Meta:
        verbose_name = _("payment batch")
        ordering: ClassVar[list[str]] = ["-built_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["program", "import_digest"],
                condition=~models.Q(import_digest=""),
                name="benefits_history_imported_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.period_label} #{self.pk}"

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.APPROVED

    @property
    def is_correction(self) -> bool:
        return bool(self.correction_reason)


class Payment(models.Model):
    """One line of a batch. Money changes only by new lines: a reversal line cancels a paid one,
    a correction line (in a correction batch) pays a reversed one again."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REVERSAL = "reversal", _("Reversal")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", pgettext_lazy("payment status", "Failed")
        REVERSED = "reversed", _("Reversed")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="lines")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("period"), max_length=7)
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="payments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    payee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The beneficiary unit paid (the entitlement's): a couple is paid once, not per spouse.
    unit_key = models.CharField(_("beneficiary unit"), max_length=48, blank=True)
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PAYMENT)
    months = models.PositiveSmallIntegerField(_("months"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    failure_reason = models.CharField(_("reason"), max_length=300, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    # A correction line: it pays again this reversed payment (same program, person, period).
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["Payment"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("payment")
        ordering: ClassVar[list[str]] = ["batch", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # The database's own guarantee against paying anyone twice for one period;
            # a failed line frees the slot so a later batch can retry it.
            models.UniqueConstraint(
                fields=["program", "person", "period"],
                condition=models.Q(kind="payment", status__in=["pending", "paid"]),
                name="benefits_paid_once_per_period",
            ),
            # A reversal does not free the period for an ordinary build: only a correction
            # line (``corrects`` set) pays a reversed person again.
            models.UniqueConstraint(
                fields=["program", "person", "period"],
                condition=models.Q(
                    kind="payment",
                    corrects__isnull=True,
                    status__in=["pending", "paid", "reversed"],
                ),
                name="benefits_built_once_per_period",
            ),
            # The same two guarantees per beneficiary unit: one payment per couple or
            # household and period, whichever member's entitlement it came from.
            models.UniqueConstraint(
                fields=["program", "unit_key", "period"],
                condition=models.Q(kind="payment", status__in=["pending", "paid"])
                & ~models.Q(unit_key=""),
                name="benefits_unit_paid_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["program", "unit_key", "period"],
                condition=models.Q(
                    kind="payment",
                    corrects__isnull=True,
                    status__in=["pending", "paid", "reversed"],
                )
                & ~models.Q(unit_key=""),
                name="benefits_unit_built_once_per_period",
            ),
            # Each reversed payment is paid again at most once (a failed correction may retry).
            models.UniqueConstraint(
                fields=["corrects"],
                condition=models.Q(status__in=["pending", "paid", "reversed"]),
                name="benefits_corrected_once",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["batch", "status"], name="benefits_pay_batch_status"),
            models.Index(fields=["program", "period"], name="benefits_pay_program_period"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.period} · {self.person_id}"

    @property
    def period_label(self) -> str:
        return period_label(self.period)
