"""Every kind of move: what it appends, what it does to the balance, what it refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.audit.models import AuditEvent
from jisheng.contraceptives.models import (
    Lot,
    MoveKind,
    PointKind,
    RosterEntry,
    StockBalance,
    StockMove,
    StockTransfer,
)
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.catalogue import point_create
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.roles import Role
from jisheng.registry.models import Person, ResidentStatus


def balance(point, lot) -> int:
    found = StockBalance.objects.filter(point=point, lot=lot).first()
    return found.quantity if found else 0


def test_receipt_creates_the_lot_and_adds_to_the_balance(store, receive, today) -> None:
    move = receive(store, 100, lot_number="A2026", expiry=today + dt.timedelta(days=500))
    assert move.kind == MoveKind.RECEIPT
    assert move.quantity == 100
    assert move.document_number == "区配-2026-01"
    assert move.reason == "district_supply"
    assert Lot.objects.get(number="A2026").expiry_date == today + dt.timedelta(days=500)
    assert balance(store, move.lot) == 100
    assert AuditEvent.objects.filter(
        object_type="contraceptives.stockmove", object_id=str(move.pk), action="create"
    ).exists()


def test_second_receipt_of_a_lot_with_another_expiry_is_refused(store, receive, today) -> None:
    receive(store, 10, lot_number="A1", expiry=today + dt.timedelta(days=300))
    with pytest.raises(Conflict) as refused:
        receive(store, 10, lot_number="A1", expiry=today + dt.timedelta(days=301))
    assert refused.value.code == "lot_expiry_mismatch"


def test_receipt_of_an_expired_lot_is_refused(store, receive, today) -> None:
    with pytest.raises(Conflict) as refused:
        receive(store, 10, expiry=today - dt.timedelta(days=1))
    assert refused.value.code == "lot_expired"


def test_transfer_appends_both_legs_in_one_document(
    store, point, receive, street_actor, make_facts
) -> None:
    lot = receive(store, 50).lot
    out_leg, in_leg = moves.stock_transfer(
        actor=street_actor,
        source=store,
        destination=point,
        lot=lot,
        quantity=20,
        facts=make_facts(document_number="调-01"),
    )
    assert (out_leg.kind, out_leg.quantity, out_leg.point) == (MoveKind.TRANSFER_OUT, -20, store)
    assert (in_leg.kind, in_leg.quantity, in_leg.point) == (MoveKind.TRANSFER_IN, 20, point)
    assert out_leg.transfer_id == in_leg.transfer_id
    transfer = StockTransfer.objects.get()
    assert (transfer.source, transfer.destination, transfer.document_number) == (
        store,
        point,
        "调-01",
    )
    assert (balance(store, lot), balance(point, lot)) == (30, 20)


def test_transfer_of_more_than_held_changes_neither_point(
    store, point, receive, street_actor, make_facts
) -> None:
    lot = receive(store, 5).lot
    with pytest.raises(Conflict) as refused:
        moves.stock_transfer(
            actor=street_actor,
            source=store,
            destination=point,
            lot=lot,
            quantity=6,
            facts=make_facts(),
        )
    assert refused.value.code == "insufficient_stock"
    assert (balance(store, lot), balance(point, lot)) == (5, 0)
    assert not StockTransfer.objects.exists()


def test_community_worker_may_send_stock_back_to_the_store_only(
    org, store, point, receive, worker_actor, street_actor, make_facts
) -> None:
    other = point_create(
        actor=street_actor, name="二社区点", kind=PointKind.COMMUNITY, org_unit=org.c2
    )
    lot = receive(point, 10).lot
    moves.stock_transfer(
        actor=worker_actor, source=point, destination=store, lot=lot, quantity=3, facts=make_facts()
    )
    assert balance(store, lot) == 3
    with pytest.raises(JishengError) as refused:
        moves.stock_transfer(
            actor=worker_actor,
            source=point,
            destination=other,
            lot=lot,
            quantity=1,
            facts=make_facts(),
        )
    assert refused.value.code == "destination"


def test_issue_to_a_person_puts_them_on_the_roster_once(
    point, receive, worker_actor, make_person, make_facts, today
) -> None:
    woman = make_person(name="王春燕", sex="F", birth_date=dt.date(1992, 3, 1))
    lot = receive(point, 30).lot
    first = moves.stock_issue(
        actor=worker_actor, point=point, lot=lot, quantity=3, person=woman, facts=make_facts()
    )[0]
    moves.stock_issue(
        actor=worker_actor, point=point, lot=lot, quantity=3, person=woman, facts=make_facts()
    )
    assert (first.kind, first.quantity, first.person) == (MoveKind.ISSUE, -3, woman)
    assert balance(point, lot) == 24
    entry = RosterEntry.objects.get(person=woman)
    assert (entry.method, entry.start_date, entry.point) == ("oral", today, point)


def test_issue_to_a_resident_outside_the_area_is_not_found(
    org, point, receive, worker_actor, make_person, make_facts
) -> None:
    stranger = make_person(org.c2, name="赵秋菊", sex="F")
    lot = receive(point, 10).lot
    with pytest.raises(NotFound):
        moves.stock_issue(
            actor=worker_actor,
            point=point,
            lot=lot,
            quantity=1,
            person=stranger,
            facts=make_facts(),
        )
    assert balance(point, lot) == 10


def test_issue_to_someone_who_moved_out_is_refused(
    point, receive, worker_actor, make_person, make_facts
) -> None:
    person = make_person(sex="F")
    Person.objects.filter(pk=person.pk).update(status=ResidentStatus.MOVED_OUT)
    lot = receive(point, 10).lot
    with pytest.raises(Conflict) as refused:
        moves.stock_issue(
            actor=worker_actor, point=point, lot=lot, quantity=1, person=person, facts=make_facts()
        )
    assert refused.value.code == "not_living"


def test_expired_lot_cannot_be_issued_but_can_be_written_off(
    point, receive, worker_actor, make_person, make_facts, today
) -> None:
    lot = receive(point, 8, expiry=today, on=today - dt.timedelta(days=3)).lot
    Lot.objects.filter(pk=lot.pk).update(expiry_date=today - dt.timedelta(days=1))
    lot.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        moves.stock_issue_anonymous(
            actor=worker_actor, point=point, lot=lot, quantity=1, facts=make_facts()
        )
    assert refused.value.code == "lot_expired"
    written_off = moves.stock_write_off(
        actor=worker_actor, point=point, lot=lot, quantity=8, facts=make_facts()
    )[0]
    assert (written_off.kind, written_off.quantity, written_off.reason) == (
        MoveKind.WRITE_OFF,
        -8,
        "expired",
    )
    assert balance(point, lot) == 0


def test_write_off_of_a_lot_still_usable_today_is_refused(
    point, receive, worker_actor, make_facts, today
) -> None:
    lot = receive(point, 8, expiry=today).lot
    with pytest.raises(Conflict) as refused:
        moves.stock_write_off(
            actor=worker_actor, point=point, lot=lot, quantity=1, facts=make_facts()
        )
    assert refused.value.code == "lot_not_expired"


@pytest.mark.parametrize(
    ("service", "kind", "reason"),
    [
        (moves.stock_issue_anonymous, MoveKind.ANONYMOUS_ISSUE, "machine_dispensed"),
        (moves.stock_return, MoveKind.RETURN, "quality"),
        (moves.stock_loss, MoveKind.LOSS, "damaged"),
    ],
)
def test_outgoing_moves_take_stock_out_with_their_reason(
    service, kind, reason, point, receive, worker_actor, make_facts
) -> None:
    lot = receive(point, 10).lot
    move = service(
        actor=worker_actor, point=point, lot=lot, quantity=4, facts=make_facts(reason=reason)
    )[0]
    assert (move.kind, move.quantity, move.reason) == (kind, -4, reason)
    assert balance(point, lot) == 6


def test_a_reason_of_another_kind_of_move_is_refused(
    point, receive, worker_actor, make_facts
) -> None:
    lot = receive(point, 10).lot
    with pytest.raises(JishengError) as refused:
        moves.stock_loss(
            actor=worker_actor, point=point, lot=lot, quantity=1, facts=make_facts(reason="expired")
        )
    assert refused.value.code == "reason"


@pytest.mark.parametrize("quantity", [0, -3, 2_000_000])
def test_implausible_quantities_are_refused(
    quantity, point, receive, worker_actor, make_facts
) -> None:
    lot = receive(point, 10).lot
    with pytest.raises(JishengError) as refused:
        moves.stock_loss(
            actor=worker_actor, point=point, lot=lot, quantity=quantity, facts=make_facts()
        )
    assert refused.value.code == "quantity"


def test_a_move_dated_tomorrow_is_refused(point, receive, worker_actor, make_facts, today) -> None:
    lot = receive(point, 10).lot
    with pytest.raises(JishengError) as refused:
        moves.stock_loss(
            actor=worker_actor,
            point=point,
            lot=lot,
            quantity=1,
            facts=make_facts(occurred_on=today + dt.timedelta(days=1)),
        )
    assert refused.value.code == "date_future"


def test_taking_out_more_than_held_is_refused_and_nothing_is_written(
    point, receive, worker_actor, make_facts
) -> None:
    lot = receive(point, 2).lot
    before = StockMove.objects.count()
    with pytest.raises(Conflict) as refused:
        moves.stock_loss(actor=worker_actor, point=point, lot=lot, quantity=3, facts=make_facts())
    assert refused.value.code == "insufficient_stock"
    assert "2" in str(refused.value.message)
    assert StockMove.objects.count() == before
    assert balance(point, lot) == 2


def test_a_point_of_another_community_is_not_found(
    org, receive, street_actor, make_user, make_facts
) -> None:
    other = point_create(
        actor=street_actor, name="二社区点", kind=PointKind.COMMUNITY, org_unit=org.c2
    )
    lot = receive(other, 5).lot
    outsider = Actor(user=make_user(Role.COMMUNITY_WORKER))
    with pytest.raises(NotFound):
        moves.stock_loss(actor=outsider, point=other, lot=lot, quantity=1, facts=make_facts())


def test_a_role_without_the_stock_duty_is_forbidden(point, receive, make_user, make_facts) -> None:
    lot = receive(point, 5).lot
    leader = Actor(user=make_user(Role.LEADER))
    with pytest.raises(Forbidden):
        moves.stock_loss(actor=leader, point=point, lot=lot, quantity=1, facts=make_facts())


def test_a_point_out_of_service_takes_no_moves(point, receive, worker_actor, make_facts) -> None:
    lot = receive(point, 5).lot
    type(point).objects.filter(pk=point.pk).update(is_active=False)
    with pytest.raises(Conflict) as refused:
        moves.stock_loss(actor=worker_actor, point=point, lot=lot, quantity=1, facts=make_facts())
    assert refused.value.code == "point_inactive"
