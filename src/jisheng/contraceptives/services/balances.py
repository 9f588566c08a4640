"""The two primitives every stock change is built from: lock and change balances, append moves.

Callers hold a transaction. Balances are locked in one fixed order (point, then lot), so
two posts touching the same balances queue instead of deadlocking; a change that would
take a balance below zero is refused before anything is written, and the database's
``quantity >= 0`` check refuses it again should a path ever miss the first check.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.contraceptives.models import (
    ALLOWED_REASONS,
    DistributionPoint,
    IssueMonth,
    Lot,
    MoveKind,
    StockBalance,
    StockMove,
)
from jisheng.contraceptives.models.ledger import ISSUE_KINDS
from jisheng.contraceptives.services.access import DOCUMENT_LENGTH, check_date, check_text
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError

Key = tuple[int, int]  # (point id, lot id)


@dataclass(frozen=True)
class MoveFacts:
    """What a move states besides its lot and quantity: when, why, on which document."""

    occurred_on: dt.date
    reason: str = ""
    note: str = ""
    document_number: str = ""

    def checked(self, kind: str) -> MoveFacts:
        """These facts made valid for ``kind``: allowed reason (default the first), lengths."""
        allowed = ALLOWED_REASONS[kind]
        reason = self.reason or allowed[0]
        if reason not in allowed:
            raise JishengError(_("This reason does not fit this kind of move."), code="reason")
        return MoveFacts(
            occurred_on=check_date(self.occurred_on),
            reason=reason,
            note=check_text(self.note),
            document_number=check_text(self.document_number, limit=DOCUMENT_LENGTH),
        )


@dataclass(frozen=True)
class Change:
    point: DistributionPoint
    lot: Lot
    delta: int


def lock_balances(keys: Iterable[Key]) -> dict[Key, StockBalance]:
    """The balances of ``keys``, created at zero if new, locked until the transaction ends."""
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    StockBalance.objects.bulk_create(
        [StockBalance(point_id=point_id, lot_id=lot_id) for point_id, lot_id in ordered],
        ignore_conflicts=True,
    )
    match = Q()
    for point_id, lot_id in ordered:
        match |= Q(point_id=point_id, lot_id=lot_id)
    locked = StockBalance.objects.select_for_update().filter(match).order_by("point_id", "lot_id")
    return {(b.point_id, b.lot_id): b for b in locked}


def apply_changes(changes: list[Change]) -> dict[Key, StockBalance]:
    """Lock, check and apply: every balance stays at or above zero, or nothing changes."""
    totals: dict[Key, int] = defaultdict(int)
    named: dict[Key, Change] = {}
    for change in changes:
        key = (change.point.pk, change.lot.pk)
        totals[key] += change.delta
        named[key] = change
    balances = lock_balances(totals)
    for key, delta in totals.items():
        if balances[key].quantity + delta < 0:
            raise not_enough(named[key], available=balances[key].quantity, needed=-delta)
    now = timezone.now()
    for key, delta in totals.items():
        if delta == 0:
            continue
        try:
            with transaction.atomic():
                StockBalance.objects.filter(pk=balances[key].pk).update(
                    quantity=F("quantity") + delta, updated_at=now
                )
        except IntegrityError as exc:  # the database's own non-negative check
            raise not_enough(named[key], available=0, needed=-delta) from exc
        balances[key].quantity += delta
    return balances


def not_enough(change: Change, *, available: int, needed: int) -> Conflict:
    return Conflict(
        _("Not enough stock of lot %(lot)s at %(point)s: %(available)d on hand, %(needed)d needed.")
        % {
            "lot": change.lot.number,
            "point": change.point.name,
            "available": available,
            "needed": needed,
        },
        code="insufficient_stock",
    )


def append_move(
    actor: Actor,
    *,
    point: DistributionPoint,
    lot: Lot,
    kind: str,
    quantity: int,
    facts: MoveFacts,
    **links: Any,
) -> StockMove:
    """Append one move (its balance already applied by the caller) and audit it."""
    move = StockMove.objects.create(
        point=point,
        lot=lot,
        kind=kind,
        quantity=quantity,
        reason=facts.reason,
        note=facts.note,
        document_number=facts.document_number,
        occurred_on=facts.occurred_on,
        recorded_by=actor.user,
        **links,
    )
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=move,
        detail={"kind": kind, "quantity": quantity, "point": point.pk, "lot": lot.pk},
    )
    _keep_issue_month(move)
    return move


def _keep_issue_month(move: StockMove) -> None:
    """Keep :class:`IssueMonth` with the move: an issue adds its units to its month, the
    reversal of one takes them back out of the issue's month (whenever it is dated)."""
    issue = move.reverses if move.kind == MoveKind.REVERSAL else move
    if issue is None or issue.kind not in ISSUE_KINDS:
        return
    units = -issue.quantity if move is issue else issue.quantity
    key = {
        "point_id": issue.point_id,
        "product_id": issue.lot.product_id,
        "month": issue.occurred_on.replace(day=1),
    }
    IssueMonth.objects.bulk_create([IssueMonth(**key)], ignore_conflicts=True)
    IssueMonth.objects.filter(**key).update(quantity=F("quantity") + units)


MonthKey = tuple[int, int, dt.date]  # (point id, product id, first day of the month)


def issue_month_cells() -> dict[MonthKey, int]:
    """The issue months counted from the moves themselves, ``(point, product, month) ->
    units``: what :class:`IssueMonth` must hold (months at zero left out)."""
    moves = StockMove.objects.filter(kind__in=sorted(ISSUE_KINDS), reversed_by__isnull=True)
    grouped = (
        moves.values_list(
            "point_id", "lot__product_id", ExtractYear("occurred_on"), ExtractMonth("occurred_on")
        )
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return {
        (point, product, dt.date(int(year), int(month), 1)): -int(units)
        for point, product, year, month, units in grouped
        if units
    }


def issue_months_differences() -> dict[MonthKey, tuple[int, int]]:
    """Where :class:`IssueMonth` and the moves disagree: key -> (kept, counted)."""
    kept = {
        (point, product, month): quantity
        for point, product, month, quantity in IssueMonth.objects.exclude(quantity=0).values_list(
            "point_id", "product_id", "month", "quantity"
        )
    }
    counted = issue_month_cells()
    return {
        key: (kept.get(key, 0), counted.get(key, 0))
        for key in kept.keys() | counted.keys()
        if kept.get(key, 0) != counted.get(key, 0)
    }


def issue_months_rebuild() -> int:
    """Fill :class:`IssueMonth` from the moves (a seeder's bulk ledger); the cells made."""
    IssueMonth.objects.all().delete()
    made = IssueMonth.objects.bulk_create(
        [
            IssueMonth(point_id=point, product_id=product, month=month, quantity=units)
            for (point, product, month), units in issue_month_cells().items()
        ],
        batch_size=1000,
    )
    return len(made)
