"""Every way stock changes: receipt, transfer, issue (named or anonymous), return, expired
write-off, loss, and the reversal of a wrong move. Each returns the moves it appended."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jisheng.contraceptives.models import (
    DistributionPoint,
    Lot,
    Method,
    MoveKind,
    Product,
    StockMove,
    StockTransfer,
)
from jisheng.contraceptives.models.ledger import TRANSFER_KINDS
from jisheng.contraceptives.selectors.stock import sending_transfer_ids, transfer_destinations
from jisheng.contraceptives.services.access import (
    check_date,
    check_quantity,
    check_text,
    point_in_service,
)
from jisheng.contraceptives.services.balances import Change, MoveFacts, append_move, apply_changes
from jisheng.contraceptives.services.roster import roster_ensure_for_issue, roster_undo_issue
from jisheng.contraceptives.services.sense import issue_warnings, require_confirmed
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.lookups import visible_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.spending import Spending, SpendingCategory, record_spending
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.selectors import lifetime

LOT_NUMBER_LENGTH = 40
MAX_UNIT_PRICE = Decimal("99999999.99")
RECEIPT_SOURCE = "contraceptives.receipt"


def check_unit_price(value: Decimal | str | None) -> Decimal | None:
    """A receipt's price per unit in yuan and fen, 0 or more; None or blank: supplied free."""
    if value is None or str(value).strip() == "":
        return None
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise JishengError(
            _("The unit price must be an amount in yuan."), code="unit_price"
        ) from None
    if not price.is_finite() or price < 0 or price > MAX_UNIT_PRICE:
        raise JishengError(
            _("The unit price must be between 0 and 99,999,999.99 yuan."), code="unit_price"
        )
    if price != price.quantize(Decimal("0.01")):
        raise JishengError(_("The unit price has at most two decimals (fen)."), code="unit_price")
    return price.quantize(Decimal("0.01"))


def _receipt_spending(receipt: StockMove, *, reverses: bool) -> list[Spending]:
    """A bought receipt's cost as the street's spending on contraceptives (a reversal: the
    same amount negated, on the receipt's day so that it nets out in the same year)."""
    cost = receipt.cost
    if not cost:
        return []
    return [
        Spending(
            source=RECEIPT_SOURCE,
            source_id=receipt.pk,
            amount=-cost if reverses else cost,
            day=receipt.occurred_on,
            category=SpendingCategory.CONTRACEPTIVES,
            level="street",
            org_unit_id=receipt.point.org_unit_id,
            description=f"{receipt.lot.product} × {receipt.quantity} {receipt.document_number}",
            reverses=reverses,
            record_view="contraceptives:stock_card",
            record_id=receipt.point_id,
        )
    ]


def lot_resolve(*, product: Product, number: str, expiry_date: dt.date) -> Lot:
    """The lot ``number`` of ``product``, created on first receipt; its expiry is fixed."""
    number = check_text(number, limit=LOT_NUMBER_LENGTH)
    if not number:
        raise JishengError(_("Give the lot number."), code="lot_number")
    lot, created = Lot.objects.get_or_create(
        product=product, number=number, defaults={"expiry_date": expiry_date}
    )
    if not created and lot.expiry_date != expiry_date:
        raise Conflict(
            _("Lot %(lot)s is recorded with the expiry date %(date)s.")
            % {"lot": lot.number, "date": lot.expiry_date.isoformat()},
            code="lot_expiry_mismatch",
        )
    return lot


def _usable(lot: Lot, on: dt.date) -> Lot:
    if lot.is_expired(on):
        raise Conflict(
            _("Lot %(lot)s expired on %(date)s: write it off instead.")
            % {"lot": lot.number, "date": lot.expiry_date.isoformat()},
            code="lot_expired",
        )
    return lot


def _single(
    actor: Actor,
    *,
    point: DistributionPoint,
    lot: Lot,
    kind: MoveKind,
    quantity: int,
    facts: MoveFacts,
    person: Person | None = None,
) -> StockMove:
    """One move at one point: positive quantities in, negative out."""
    change = Change(point=point, lot=lot, delta=quantity)
    apply_changes([change])
    return append_move(
        actor, point=point, lot=lot, kind=kind, quantity=quantity, facts=facts, person=person
    )


def stock_receive(
    *,
    actor: Actor,
    point: DistributionPoint,
    product: Product,
    lot_number: str,
    expiry_date: dt.date,
    quantity: int,
    facts: MoveFacts,
    unit_price: Decimal | str | None = None,
) -> list[StockMove]:
    """A delivery into a point; the lot is created on its first receipt. A receipt with a
    unit price was bought: its cost goes to the funds ledger in the same transaction."""
    require(actor, Capability.MANAGE_STOCK)
    facts = facts.checked(MoveKind.RECEIPT)
    check_quantity(quantity)
    price = check_unit_price(unit_price)
    with transaction.atomic():
        point = point_in_service(actor, point)
        if not product.is_active:
            raise Conflict(_("This product is no longer in use."), code="product_inactive")
        lot = _usable(
            lot_resolve(product=product, number=lot_number, expiry_date=expiry_date),
            facts.occurred_on,
        )
        change = Change(point=point, lot=lot, delta=quantity)
        apply_changes([change])
        receipt = append_move(
            actor,
            point=point,
            lot=lot,
            kind=MoveKind.RECEIPT,
            quantity=quantity,
            facts=facts,
            unit_price=price,
        )
        record_spending(_receipt_spending(receipt, reverses=False), actor=actor.user)
        return [receipt]


def stock_transfer(
    *,
    actor: Actor,
    source: DistributionPoint,
    destination: DistributionPoint,
    lot: Lot,
    quantity: int,
    facts: MoveFacts,
) -> list[StockMove]:
    """One transfer document: out of ``source`` and into ``destination`` together, or neither."""
    require(actor, Capability.MANAGE_STOCK)
    facts = facts.checked(MoveKind.TRANSFER_OUT)
    check_quantity(quantity)
    with transaction.atomic():
        source = point_in_service(actor, source)
        target = transfer_destinations(actor.user, source).filter(pk=destination.pk).first()
        if target is None:
            raise JishengError(
                _("Stock can go only to another point in service that you may supply."),
                code="destination",
            )
        _usable(lot, facts.occurred_on)
        apply_changes(
            [
                Change(point=source, lot=lot, delta=-quantity),
                Change(point=target, lot=lot, delta=quantity),
            ]
        )
        transfer = StockTransfer.objects.create(
            source=source,
            destination=target,
            document_number=facts.document_number,
            occurred_on=facts.occurred_on,
            recorded_by=actor.user,
        )
        return [
            append_move(
                actor,
                point=source,
                lot=lot,
                kind=MoveKind.TRANSFER_OUT,
                quantity=-quantity,
                facts=facts,
                transfer=transfer,
            ),
            append_move(
                actor,
                point=target,
                lot=lot,
                kind=MoveKind.TRANSFER_IN,
                quantity=quantity,
                facts=facts,
                transfer=transfer,
            ),
        ]


def stock_issue(
    *,
    actor: Actor,
    point: DistributionPoint,
    lot: Lot,
    quantity: int,
    person: Person,
    facts: MoveFacts,
    confirmed: bool = False,
) -> list[StockMove]:
    """Supply to a registered resident, who is put on the roster for the product's method
    if not already there. What looks like a mistake (the product's sense checks) is
    refused until ``confirmed``; a product meant for the other sex was collected for
    someone else, so it puts nobody on the roster."""
    require(actor, Capability.MANAGE_STOCK)
    # Naming who was supplied is health data.
    require(actor, Capability.VIEW_HEALTH)
    facts = facts.checked(MoveKind.ISSUE)
    check_quantity(quantity)
    with transaction.atomic():
        point = point_in_service(actor, point)
        found = visible_or_404(Person, user=actor.user, pk=person.pk)
        if found.status != ResidentStatus.LIVING:
            raise Conflict(
                _("Only a resident living here can be supplied by name."), code="not_living"
            )
        check_date(facts.occurred_on, lifetime(found))
        _usable(lot, facts.occurred_on)
        product = lot.product
        require_confirmed(issue_warnings(product, found, facts.occurred_on), confirmed=confirmed)
        move = _single(
            actor,
            point=point,
            lot=lot,
            kind=MoveKind.ISSUE,
            quantity=-quantity,
            facts=facts,
            person=found,
        )
        if not product.for_sex or product.for_sex == found.sex:
            roster_ensure_for_issue(
                actor=actor,
                person=found,
                method=Method.for_category(product.category),
                start_date=facts.occurred_on,
                point=point,
                issue=move,
            )
        return [move]


def _outgoing(
    actor: Actor,
    *,
    kind: MoveKind,
    point: DistributionPoint,
    lot: Lot,
    quantity: int,
    facts: MoveFacts,
) -> list[StockMove]:
    require(actor, Capability.MANAGE_STOCK)
    facts = facts.checked(kind)
    check_quantity(quantity)
    with transaction.atomic():
        point = point_in_service(actor, point)
        if kind == MoveKind.ANONYMOUS_ISSUE:
            _usable(lot, facts.occurred_on)
        if kind == MoveKind.WRITE_OFF and not lot.is_expired(facts.occurred_on):
            raise Conflict(
                _("Lot %(lot)s has not expired: record a loss or a return instead.")
                % {"lot": lot.number},
                code="lot_not_expired",
            )
        return [_single(actor, point=point, lot=lot, kind=kind, quantity=-quantity, facts=facts)]


def stock_issue_anonymous(
    *, actor: Actor, point: DistributionPoint, lot: Lot, quantity: int, facts: MoveFacts
) -> list[StockMove]:
    """Handed out without a name: a machine's dispensed count at refill, an outreach event."""
    return _outgoing(
        actor, kind=MoveKind.ANONYMOUS_ISSUE, point=point, lot=lot, quantity=quantity, facts=facts
    )


def stock_return(
    *, actor: Actor, point: DistributionPoint, lot: Lot, quantity: int, facts: MoveFacts
) -> list[StockMove]:
    """Stock sent back to the district (near expiry, quality problem, surplus)."""
    return _outgoing(
        actor, kind=MoveKind.RETURN, point=point, lot=lot, quantity=quantity, facts=facts
    )


def stock_write_off(
    *, actor: Actor, point: DistributionPoint, lot: Lot, quantity: int, facts: MoveFacts
) -> list[StockMove]:
    """Expired stock taken off the books; refused for a lot that has not expired."""
    return _outgoing(
        actor, kind=MoveKind.WRITE_OFF, point=point, lot=lot, quantity=quantity, facts=facts
    )


def stock_loss(
    *, actor: Actor, point: DistributionPoint, lot: Lot, quantity: int, facts: MoveFacts
) -> list[StockMove]:
    """Stock lost or damaged."""
    return _outgoing(
        actor, kind=MoveKind.LOSS, point=point, lot=lot, quantity=quantity, facts=facts
    )


def reversal_refusal(
    move: StockMove, *, already_reversed: bool, sends_transfer: bool
) -> JishengError | None:
    """The one rule of what may be reversed, for the service and for the pages that offer
    "Reverse": the error a reversal of ``move`` meets, or None. A reversal is not itself
    reversed, a transfer is reversed only by its sending side, and a move only once."""
    if move.kind == MoveKind.REVERSAL:
        return Conflict(
            _("A reversal cannot itself be reversed; record the move again."),
            code="reversal_of_reversal",
        )
    if move.transfer_id is not None and not sends_transfer:
        return Forbidden(_("Only the sending point can reverse a transfer."))
    if already_reversed:
        return Conflict(_("This move has already been reversed."), code="already_reversed")
    return None


def move_reverse(*, actor: Actor, move: StockMove, facts: MoveFacts) -> list[StockMove]:
    """Cancel a wrong move by appending its opposite, naming it. A transfer is reversed
    whole (both legs) and only by the sending side. A move is reversed at most once. A
    reversed issue that put the person on the roster takes the entry off it again."""
    require(actor, Capability.MANAGE_STOCK)
    facts = facts.checked(MoveKind.REVERSAL)
    with transaction.atomic():
        original = visible_or_404(
            StockMove.objects.select_related("point", "lot", "transfer"),
            user=actor.user,
            pk=move.pk,
        )
        legs = [original]
        if original.transfer_id is not None:
            legs = list(
                StockMove.objects.select_related("point", "lot")
                .filter(transfer_id=original.transfer_id, kind__in=sorted(TRANSFER_KINDS))
                .order_by("pk")
            )
        refusal = reversal_refusal(
            original,
            already_reversed=StockMove.objects.filter(reverses__in=legs).exists(),
            sends_transfer=original.transfer_id
            in sending_transfer_ids(actor.user, [original.transfer_id]),
        )
        if refusal is not None:
            raise refusal
        apply_changes([Change(point=leg.point, lot=leg.lot, delta=-leg.quantity) for leg in legs])
        try:
            with transaction.atomic():
                reversals = [
                    append_move(
                        actor,
                        point=leg.point,
                        lot=leg.lot,
                        kind=MoveKind.REVERSAL,
                        quantity=-leg.quantity,
                        facts=MoveFacts(
                            occurred_on=facts.occurred_on,
                            reason=facts.reason,
                            note=facts.note,
                            document_number=facts.document_number or leg.document_number,
                        ),
                        reverses=leg,
                    )
                    for leg in legs
                ]
        except IntegrityError as exc:  # a parallel reversal of the same move won
            raise Conflict(
                _("This move has already been reversed."), code="already_reversed"
            ) from exc
        if original.kind == MoveKind.ISSUE:
            roster_undo_issue(actor=actor, issue=original)
        if original.kind == MoveKind.RECEIPT:
            record_spending(_receipt_spending(original, reverses=True), actor=actor.user)
        return reversals
