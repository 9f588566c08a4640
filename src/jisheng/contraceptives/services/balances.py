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
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.contraceptives.models import (
    ALLOWED_REASONS,
    DistributionPoint,
    Lot,
    StockBalance,
    StockMove,
)
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
    return move
