"""The stock ledger: moves are only ever appended; balances are their cached sum.

Stock at a point changes only by a :class:`StockMove`. A wrong move is cancelled by a
reversing move that names it. :class:`StockBalance` holds the running total per point
and lot, updated under a row lock in the transaction that appends the move; the database
refuses a negative balance and any rewrite of a move. :class:`IssueMonth` holds the units
handed out per point, product and month, kept in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.contraceptives.models.catalogue import DistributionPoint, Lot, Product
from jisheng.core.db import AppendOnlyRows
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopedQuerySet, ScopeRule
from jisheng.registry.models import Person


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ISSUE = "issue", _("Issue to a person")
    ANONYMOUS_ISSUE = "anonymous_issue", _("Anonymous issue")
    RETURN = "return", _("Return to the district")
    WRITE_OFF = "write_off", _("Expired write-off")
    LOSS = "loss", _("Loss or damage")
    ADJUSTMENT = "adjustment", _("Stocktake adjustment")
    REVERSAL = "reversal", _("Reversal")


INCOMING_KINDS = frozenset({MoveKind.RECEIPT, MoveKind.TRANSFER_IN})
OUTGOING_KINDS = frozenset(
    {
        MoveKind.TRANSFER_OUT,
        MoveKind.ISSUE,
        MoveKind.ANONYMOUS_ISSUE,
        MoveKind.RETURN,
        MoveKind.WRITE_OFF,
        MoveKind.LOSS,
    }
)
TRANSFER_KINDS = frozenset({MoveKind.TRANSFER_OUT, MoveKind.TRANSFER_IN})
ISSUE_KINDS = frozenset({MoveKind.ISSUE, MoveKind.ANONYMOUS_ISSUE})


class MoveReason(models.TextChoices):
    DISTRICT_SUPPLY = "district_supply", _("Supply from the district")
    REDISTRIBUTION = "redistribution", _("Redistribution between points")
    MACHINE_REFILL = "machine_refill", _("Self-service machine refill")
    USER_SUPPLY = "user_supply", _("Regular supply to a user")
    FIRST_SUPPLY = "first_supply", _("First supply to a new user")
    MACHINE_DISPENSED = "machine_dispensed", _("Dispensed by a self-service machine")
    OUTREACH = "outreach", _("Handed out at an outreach event")
    NEAR_EXPIRY = "near_expiry", _("Near expiry")
    QUALITY = "quality", _("Quality problem")
    SURPLUS = "surplus", _("Surplus stock")
    EXPIRED = "expired", _("Expired")
    DAMAGED = "damaged", _("Damaged")
    LOST = "lost", _("Lost")
    FOUND = "found", _("Found during the count")
    RECORDING_ERROR = "recording_error", _("Earlier recording error")
    ENTRY_ERROR = "entry_error", _("Entered by mistake")
    OTHER = "other", _("Other")


# The reasons each kind of move may give; the first is the default.
ALLOWED_REASONS: dict[str, tuple[MoveReason, ...]] = {
    MoveKind.RECEIPT: (MoveReason.DISTRICT_SUPPLY, MoveReason.OTHER),
    MoveKind.TRANSFER_OUT: (
        MoveReason.REDISTRIBUTION,
        MoveReason.MACHINE_REFILL,
        MoveReason.NEAR_EXPIRY,
        MoveReason.OTHER,
    ),
    MoveKind.ISSUE: (MoveReason.USER_SUPPLY, MoveReason.FIRST_SUPPLY, MoveReason.OTHER),
    MoveKind.ANONYMOUS_ISSUE: (
        MoveReason.MACHINE_DISPENSED,
        MoveReason.OUTREACH,
        MoveReason.OTHER,
    ),
    MoveKind.RETURN: (
        MoveReason.NEAR_EXPIRY,
        MoveReason.QUALITY,
        MoveReason.SURPLUS,
        MoveReason.OTHER,
    ),
    MoveKind.WRITE_OFF: (MoveReason.EXPIRED,),
    MoveKind.LOSS: (MoveReason.DAMAGED, MoveReason.LOST, MoveReason.QUALITY, MoveReason.OTHER),
    MoveKind.ADJUSTMENT: (
        MoveReason.LOST,
        MoveReason.DAMAGED,
        MoveReason.FOUND,
        MoveReason.RECORDING_ERROR,
        MoveReason.OTHER,
    ),
    MoveKind.REVERSAL: (MoveReason.ENTRY_ERROR, MoveReason.OTHER),
}
ALLOWED_REASONS[MoveKind.TRANSFER_IN] = ALLOWED_REASONS[MoveKind.TRANSFER_OUT]


class StockTransfer(models.Model):
    """One transfer document: it produces an out-move at the source and an in-move at the
    destination, in the same transaction."""

    source = models.ForeignKey(
        DistributionPoint,
        verbose_name=_("from point"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    destination = models.ForeignKey(
        DistributionPoint,
        verbose_name=_("to point"),
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    document_number = models.CharField(_("document number"), max_length=50, blank=True)
    occurred_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["StockTransfer"]()
    scope_rule = ScopeRule(
        org_field="source__org_unit", personal=False, capability=Capability.MANAGE_STOCK
    )

    class Meta:
        verbose_name = _("transfer")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~Q(source=models.F("destination")),
                name="contraceptives_transfer_two_points",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}→{self.destination_id} {self.occurred_on}"


class StockCount(models.Model):
    """A physical count (盘点) at one point: drafted line by line, then posted as adjustments."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    point = models.ForeignKey(
        DistributionPoint,
        verbose_name=_("distribution point"),
        on_delete=models.PROTECT,
        related_name="counts",
    )
    count_date = models.DateField(_("count date"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["StockCount"]()
    scope_rule = ScopeRule(
        org_field="point__org_unit", personal=False, capability=Capability.MANAGE_STOCK
    )

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["point"],
                condition=Q(state="draft"),
                name="contraceptives_count_one_draft_per_point",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.count_date} {self.state}"


class StockCountLine(models.Model):
    """One lot of a count: what was counted, and what the card said when it was counted.

    The difference ``counted - on_card`` is what posting books: moves recorded between
    counting and posting changed shelf and card alike, so they do not change it.
    """

    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    counted = models.IntegerField(_("counted"), null=True, blank=True)
    # The card's balance when ``counted`` was entered (empty while not counted).
    on_card = models.IntegerField(_("on the card"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=MoveReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("count line")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["count", "lot"], name="contraceptives_count_line_lot"),
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0),
                name="contraceptives_count_line_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count_id}:{self.lot_id}={self.counted}"

    @property
    def difference(self) -> int | None:
        if self.counted is None or self.on_card is None:
            return None
        return self.counted - self.on_card


class AppendOnlyQuerySet(AppendOnlyRows, ScopedQuerySet["StockMove"]):
    refusal = "The stock ledger is append-only"


class StockMoveManager(ScopedManager["StockMove"]):
    def get_queryset(self) -> AppendOnlyQuerySet:
        return AppendOnlyQuerySet(self.model, using=self._db)


class StockMove(models.Model):
    """One change of stock of one lot at one point. Never edited, never deleted.

    ``quantity`` is signed: positive into the point, negative out of it. A move that was
    wrong is cancelled by a ``reversal`` move naming it in ``reverses`` (once only).
    """

    point = models.ForeignKey(
        DistributionPoint,
        verbose_name=_("distribution point"),
        on_delete=models.PROTECT,
        related_name="moves",
    )
    lot = models.ForeignKey(Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=MoveKind.choices)
    quantity = models.IntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=20, choices=MoveReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    document_number = models.CharField(_("document number"), max_length=50, blank=True)
    occurred_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transfer = models.ForeignKey(
        StockTransfer, null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    stock_count = models.ForeignKey(
        StockCount, null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    # A receipt's price per counting unit, when it was bought: its cost (price × quantity)
    # is spending on contraceptives (core.spending). None: supplied free. Checked by the
    # service, not by a constraint: adding one makes SQLite rebuild the table, which drops
    # the append-only trigger.
    unit_price = models.DecimalField(
        _("unit price (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reversed move"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    objects = StockMoveManager()
    scope_rule = ScopeRule(
        org_field="point__org_unit", personal=False, capability=Capability.MANAGE_STOCK
    )

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["point", "lot", "id"], name="contraceptives_move_card"),
            models.Index(fields=["kind", "occurred_on"], name="contraceptives_move_kind_date"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=sorted(INCOMING_KINDS), quantity__gt=0)
                    | Q(kind__in=sorted(OUTGOING_KINDS), quantity__lt=0)
                    | (Q(kind__in=[MoveKind.ADJUSTMENT, MoveKind.REVERSAL]) & ~Q(quantity=0))
                ),
                name="contraceptives_move_sign",
            ),
            models.CheckConstraint(
                condition=Q(kind=MoveKind.ISSUE, person__isnull=False)
                | (~Q(kind=MoveKind.ISSUE) & Q(person__isnull=True)),
                name="contraceptives_move_person_iff_issue",
            ),
            models.CheckConstraint(
                condition=Q(kind=MoveKind.REVERSAL, reverses__isnull=False)
                | (~Q(kind=MoveKind.REVERSAL) & Q(reverses__isnull=True)),
                name="contraceptives_move_reverses_iff_reversal",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(TRANSFER_KINDS), transfer__isnull=False)
                | (~Q(kind__in=sorted(TRANSFER_KINDS)) & Q(transfer__isnull=True)),
                name="contraceptives_move_transfer_legs",
            ),
            models.CheckConstraint(
                condition=Q(kind=MoveKind.ADJUSTMENT, stock_count__isnull=False)
                | (~Q(kind=MoveKind.ADJUSTMENT) & Q(stock_count__isnull=True)),
                name="contraceptives_move_count_iff_adjustment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} lot {self.lot_id} at {self.point_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not business logic: an appended move is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise PermissionError("The stock ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The stock ledger is append-only")

    @property
    def cost(self) -> Decimal | None:
        """What a bought receipt cost: unit price × quantity (None: no price given)."""
        if self.unit_price is None:
            return None
        return (self.unit_price * self.quantity).quantize(Decimal("0.01"))

    @property
    def quantity_in(self) -> int:
        return self.quantity if self.quantity > 0 else 0

    @property
    def quantity_out(self) -> int:
        return -self.quantity if self.quantity < 0 else 0


class StockBalance(models.Model):
    """Cached sum of the moves of one lot at one point; never below zero (the database
    refuses it). Changed only by the ledger services, under a row lock, with ``F()``."""

    point = models.ForeignKey(DistributionPoint, on_delete=models.PROTECT, related_name="balances")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="balances")
    quantity = models.IntegerField(_("on hand"), default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["StockBalance"]()
    scope_rule = ScopeRule(
        org_field="point__org_unit", personal=False, capability=Capability.MANAGE_STOCK
    )

    class Meta:
        verbose_name = _("stock balance")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["point", "lot"], name="contraceptives_balance_key"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="contraceptives_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id}:{self.lot_id}={self.quantity}"


class IssueMonth(models.Model):
    """Units handed out (named and anonymous) at one point, of one product, in one month,
    net of reversed issues: the issues report's cells, kept with the ledger.

    ``append_move`` adds an issue's units in the transaction that appends it, and takes a
    reversed issue's units back out of the month of the issue; the ledger is append-only, so
    nothing else changes them. The migration that made the table filled it from the moves;
    ``services.balances.issue_months_differences`` compares it with a count of the moves."""

    point = models.ForeignKey(DistributionPoint, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # its first day
    quantity = models.IntegerField(default=0)

    objects = ScopedManager["IssueMonth"]()
    scope_rule = ScopeRule(
        org_field="point__org_unit", personal=False, capability=Capability.MANAGE_STOCK
    )

    class Meta:
        verbose_name = _("units handed out in a month")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["point", "month", "product"], name="contraceptives_issue_month_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id}:{self.product_id}:{self.month:%Y-%m}={self.quantity}"
