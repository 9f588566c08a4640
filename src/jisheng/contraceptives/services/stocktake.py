"""Physical counts (盘点): a draft of counted lines, each compared with the card as it stood
when the line was counted, then posted as adjustment moves so that card and shelf agree
(帐卡物相符) even when stock moved between counting and posting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.contraceptives.models import (
    ALLOWED_REASONS,
    DistributionPoint,
    Lot,
    MoveKind,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
)
from jisheng.contraceptives.services.access import (
    MAX_QUANTITY,
    check_date,
    check_text,
    point_in_service,
)
from jisheng.contraceptives.services.balances import (
    Change,
    MoveFacts,
    append_move,
    apply_changes,
    lock_balances,
)
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.lookups import locked_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability

State = StockCount.State


@dataclass(frozen=True)
class LineEntry:
    """What was typed for one line: the counted quantity (None: not yet counted)."""

    line_id: int
    counted: int | None
    reason: str = ""
    note: str = ""


def stock_count_start(*, actor: Actor, point: DistributionPoint, count_date: dt.date) -> StockCount:
    """A draft count with one line per lot the card holds at the point (one draft at a time)."""
    require(actor, Capability.MANAGE_STOCK)
    check_date(count_date)
    with transaction.atomic():
        point = point_in_service(actor, point)
        try:
            with transaction.atomic():
                count = StockCount.objects.create(
                    point=point, count_date=count_date, created_by=actor.user
                )
        except IntegrityError as exc:
            raise Conflict(
                _("A count of this point is already in progress."), code="count_in_progress"
            ) from exc
        lot_ids = (
            StockBalance.objects.filter(point=point, quantity__gt=0)
            .order_by("lot__product__name", "lot__expiry_date", "lot_id")
            .values_list("lot_id", flat=True)
        )
        StockCountLine.objects.bulk_create(
            [StockCountLine(count=count, lot_id=lot_id) for lot_id in lot_ids]
        )
        audit.record(action=Action.CREATE, actor=actor, obj=count, detail={"point": point.pk})
        return count


def _draft(actor: Actor, count: StockCount) -> StockCount:
    """Re-read and lock a count inside the actor's scope; it must still be a draft."""
    found = locked_or_404(StockCount.objects.select_related("point"), user=actor.user, pk=count.pk)
    if found.state != State.DRAFT:
        raise Conflict(_("This count has already been closed."), code="count_closed")
    return found


def _save(count: StockCount, entries: Iterable[LineEntry]) -> None:
    """Keep the typed values. A line whose count is new or changed takes the card's
    balance of this moment as what it was counted against; unchanged lines keep theirs."""
    lines = {line.pk: line for line in count.lines.all()}
    allowed = ALLOWED_REASONS[MoveKind.ADJUSTMENT]
    entries = list(entries)
    for entry in entries:
        if entry.line_id not in lines:
            raise JishengError(_("A line does not belong to this count."), code="line")
        if entry.counted is not None and not 0 <= entry.counted <= MAX_QUANTITY:
            raise JishengError(_("A counted quantity is not plausible."), code="counted")
        if entry.reason and entry.reason not in allowed:
            raise JishengError(_("This reason does not fit this kind of move."), code="reason")
    on_card = _card_now(count, [lines[entry.line_id].lot_id for entry in entries])
    for entry in entries:
        line = lines[entry.line_id]
        if entry.counted is None:
            line.on_card = None
        elif entry.counted != line.counted or line.on_card is None:
            line.on_card = on_card.get(line.lot_id, 0)
        line.counted = entry.counted
        line.reason = entry.reason
        line.note = check_text(entry.note)
        line.save(update_fields=["counted", "on_card", "reason", "note"])


def _card_now(count: StockCount, lot_ids: list[int]) -> dict[int, int]:
    """The card's balance of these lots at the count's point now (absent: zero)."""
    return dict(
        StockBalance.objects.filter(point_id=count.point_id, lot_id__in=lot_ids).values_list(
            "lot_id", "quantity"
        )
    )


def stock_count_save(
    *, actor: Actor, count: StockCount, entries: Iterable[LineEntry]
) -> StockCount:
    """Keep what was counted so far; the draft can be continued later."""
    require(actor, Capability.MANAGE_STOCK)
    with transaction.atomic():
        found = _draft(actor, count)
        _save(found, entries)
        return found


def stock_count_add_lot(*, actor: Actor, count: StockCount, lot: Lot) -> StockCountLine:
    """A line for stock found that the card does not list at this point."""
    require(actor, Capability.MANAGE_STOCK)
    with transaction.atomic():
        found = _draft(actor, count)
        try:
            with transaction.atomic():
                line = StockCountLine.objects.create(count=found, lot=lot)
        except IntegrityError as exc:
            raise Conflict(_("This lot is already on the count."), code="line_exists") from exc
        return line


def stock_count_cancel(*, actor: Actor, count: StockCount) -> StockCount:
    require(actor, Capability.MANAGE_STOCK)
    with transaction.atomic():
        found = _draft(actor, count)
        found.state = State.CANCELLED
        found.save(update_fields=["state"])
        audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"state": found.state})
        return found


def stock_count_post(
    *, actor: Actor, count: StockCount, entries: Iterable[LineEntry] = ()
) -> list[StockMove]:
    """Save ``entries``, then book every line's difference between what was counted and
    what the card said when it was counted, as an adjustment move with its reason. Every
    line must be counted and every difference explained. Moves recorded since a line was
    counted changed shelf and card alike, so afterwards the card equals the count plus
    those moves — and, with none, the count."""
    require(actor, Capability.MANAGE_STOCK)
    with transaction.atomic():
        found = _draft(actor, count)
        point = point_in_service(actor, found.point)
        _save(found, entries)
        lines = list(found.lines.select_related("lot").order_by("pk"))
        if any(line.counted is None for line in lines):
            raise JishengError(_("Enter a count for every line."), code="uncounted")
        balances = lock_balances((point.pk, line.lot_id) for line in lines)
        unexplained = []
        changes = []
        for line in lines:
            if line.on_card is None:  # counted before snapshots were kept: the card now
                line.on_card = balances[(point.pk, line.lot_id)].quantity
                line.save(update_fields=["on_card"])
            difference = line.difference or 0
            if difference and not line.reason:
                unexplained.append(line.lot.number)
            if difference:
                changes.append((line, Change(point=point, lot=line.lot, delta=difference)))
        if unexplained:
            raise JishengError(
                _("Give the reason for each difference (lots %(lots)s).")
                % {"lots": "、".join(unexplained)},
                code="unexplained",
            )
        apply_changes([change for _line, change in changes])
        document = f"PD{found.count_date:%Y%m%d}-{found.pk}"
        moves = [
            append_move(
                actor,
                point=point,
                lot=line.lot,
                kind=MoveKind.ADJUSTMENT,
                quantity=change.delta,
                facts=MoveFacts(
                    occurred_on=found.count_date,
                    reason=line.reason,
                    note=line.note,
                    document_number=document,
                ),
                stock_count=found,
            )
            for line, change in changes
        ]
        found.state = State.POSTED
        found.posted_by = actor.user
        found.posted_at = timezone.now()
        found.save(update_fields=["state", "posted_by", "posted_at"])
        audit.record(
            action=Action.UPDATE,
            actor=actor,
            obj=found,
            detail={"state": found.state, "adjustments": len(moves)},
        )
        return moves
