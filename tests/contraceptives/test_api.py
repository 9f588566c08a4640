"""The contraceptive API: points, moves with idempotency keys, stock cards, the roster."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jisheng.audit.models import AuditEvent
from jisheng.contraceptives.models import MoveKind, RosterEntry, StockBalance, StockMove
from jisheng.core.roles import ROLE_CAPABILITIES, Capability, Role

API = "/api/contraceptives"


@pytest.fixture
def api(worker, client_for) -> Client:
    return client_for(worker)


def post_move(api: Client, body: dict[str, object], key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"{API}/moves", body, content_type="application/json", headers=headers)


def test_points_list_and_detail_show_balances(api, point, store, receive) -> None:
    lot = receive(point, 12).lot
    listed = api.get(f"{API}/points").json()
    assert [p["id"] for p in listed] == [point.pk]  # the street's store is not the worker's
    detail = api.get(f"{API}/points/{point.pk}").json()
    assert detail["balances"] == [
        {
            "lot_id": lot.pk,
            "lot_number": lot.number,
            "expiry_date": lot.expiry_date.isoformat(),
            "product_id": lot.product_id,
            "product_name": lot.product.name,
            "quantity": 12,
        }
    ]


def test_receipt_by_api_then_the_same_key_returns_the_first_result(api, point, pill, today) -> None:
    body = {
        "kind": "receipt",
        "point_id": point.pk,
        "product_id": pill.pk,
        "lot_number": "API-1",
        "expiry_date": (today + dt.timedelta(days=730)).isoformat(),
        "quantity": 40,
        "document_number": "区配-API",
    }
    first = post_move(api, body, key="7e0b1c2d")
    assert first.status_code == 201, first.content
    assert first.json()["replayed"] is False
    again = post_move(api, body, key="7e0b1c2d")
    assert again.status_code == 201
    assert again.json() == {**first.json(), "replayed": True}
    assert again["Idempotent-Replayed"] == "true"
    assert StockMove.objects.filter(kind=MoveKind.RECEIPT).count() == 1
    assert StockBalance.objects.get(point=point).quantity == 40


def test_a_key_reused_for_another_request_is_a_409(api, point, receive) -> None:
    lot = receive(point, 10).lot
    body = {"kind": "loss", "point_id": point.pk, "lot_id": lot.pk, "quantity": 1}
    assert post_move(api, body, key="k-1").status_code == 201
    clash = post_move(api, {**body, "quantity": 2}, key="k-1")
    assert clash.status_code == 409
    assert clash.json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_user(api, point, receive, street_user, client_for) -> None:
    lot = receive(point, 10).lot
    body = {"kind": "loss", "point_id": point.pk, "lot_id": lot.pk, "quantity": 1}
    assert post_move(api, body, key="shared").status_code == 201
    other = post_move(client_for(street_user), body, key="shared")
    assert other.json()["replayed"] is False
    assert StockMove.objects.filter(kind=MoveKind.LOSS).count() == 2


def test_every_kind_of_move_by_api(api, point, store, receive, make_person, today) -> None:
    lot = receive(point, 50).lot
    expired = receive(point, 3, expiry=today)
    StockBalance.objects.filter(lot=expired.lot)  # held: 3
    woman = make_person(sex="F")
    bodies = [
        {"kind": "transfer", "to_point_id": store.pk, "lot_id": lot.pk, "quantity": 5},
        {"kind": "issue", "person_id": woman.pk, "lot_id": lot.pk, "quantity": 2},
        {"kind": "anonymous_issue", "lot_id": lot.pk, "quantity": 3, "reason": "outreach"},
        {"kind": "return", "lot_id": lot.pk, "quantity": 1, "reason": "near_expiry"},
        {"kind": "loss", "lot_id": lot.pk, "quantity": 1},
    ]
    for body in bodies:
        response = post_move(api, {**body, "point_id": point.pk})
        assert response.status_code == 201, (body, response.content)
    kinds = [m["kind"] for m in api.get(f"{API}/moves?point_id={point.pk}").json()["items"]]
    assert set(kinds) >= {"transfer_out", "issue", "anonymous_issue", "return", "loss", "receipt"}
    assert StockBalance.objects.get(point=point, lot=lot).quantity == 38
    assert RosterEntry.objects.filter(person=woman).exists()
    write_off = post_move(
        api, {"kind": "write_off", "point_id": point.pk, "lot_id": expired.lot.pk, "quantity": 3}
    )
    assert write_off.status_code == 409
    assert write_off.json()["code"] == "lot_not_expired"


def test_reversal_by_api(api, point, receive) -> None:
    lot = receive(point, 5).lot
    loss = post_move(api, {"kind": "loss", "point_id": point.pk, "lot_id": lot.pk, "quantity": 2})
    loss_id = loss.json()["moves"][0]["id"]
    reversal = post_move(api, {"kind": "reversal", "reverses_id": loss_id, "note": "录错"})
    assert reversal.status_code == 201
    assert reversal.json()["moves"][0]["reverses_id"] == loss_id
    assert post_move(api, {"kind": "reversal", "reverses_id": loss_id}).status_code == 409
    assert StockBalance.objects.get(point=point, lot=lot).quantity == 5


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"kind": "loss", "lot_id": 1, "quantity": 1}, 400),  # no point
        ({"kind": "loss", "point_id": 999_999, "lot_id": 1, "quantity": 1}, 404),
        ({"kind": "loss", "point_id": 0, "lot_id": 1, "quantity": 1}, 422),
        ({"kind": "loss", "point_id": 10**24, "lot_id": 1, "quantity": 1}, 422),
        ({"kind": "issue", "point_id": 1, "person_id": 10**24, "lot_id": 1, "quantity": 1}, 422),
        ({"kind": "reversal", "reverses_id": 10**24}, 422),
        ({"kind": "loss", "quantity": 0}, 422),
        ({"kind": "teleport"}, 422),
        ({"kind": "reversal"}, 400),
    ],
)
def test_bad_posts_are_clear_4xx(api, point, body, status) -> None:
    response = post_move(api, body)
    assert response.status_code == status, response.content
    assert "code" in response.json()


def test_not_enough_stock_is_a_409_with_a_code(api, point, receive) -> None:
    lot = receive(point, 1).lot
    response = post_move(
        api, {"kind": "loss", "point_id": point.pk, "lot_id": lot.pk, "quantity": 2}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"


def test_stock_card_by_api_has_running_balances(
    api, point, receive, worker_actor, make_facts
) -> None:
    from jisheng.contraceptives.services import moves

    lot = receive(point, 10).lot
    moves.stock_loss(actor=worker_actor, point=point, lot=lot, quantity=4, facts=make_facts())
    card = api.get(f"{API}/points/{point.pk}/card?product_id={lot.product_id}").json()
    assert [row["balance"] for row in card["rows"]] == [10, 6]
    assert card["balance"] == 6
    assert api.get(f"{API}/points/{point.pk}/card").status_code == 400
    assert (
        api.get(
            f"{API}/points/{point.pk}/card?product_id={lot.product_id}&lot_id=999999"
        ).status_code
        == 404
    )


def test_roster_by_api_is_audited(
    api, point, receive, worker_actor, make_person, make_facts
) -> None:
    from jisheng.contraceptives.services import moves

    woman = make_person(sex="F")
    moves.stock_issue(
        actor=worker_actor,
        point=point,
        lot=receive(point, 5).lot,
        quantity=1,
        person=woman,
        facts=make_facts(),
    )
    listed = api.get(f"{API}/roster").json()["items"]
    assert [item["person_id"] for item in listed] == [woman.pk]
    detail = api.get(f"{API}/roster/{listed[0]['id']}").json()
    assert [m["quantity"] for m in detail["supplies"]] == [-1]
    assert AuditEvent.objects.filter(
        action="search", object_type="contraceptives.rosterentry"
    ).exists()
    assert AuditEvent.objects.filter(
        action="view", object_type="contraceptives.rosterentry", object_id=str(listed[0]["id"])
    ).exists()


def test_roles_without_the_duty_are_forbidden(make_user, client_for, point) -> None:
    leader = client_for(make_user(Role.LEADER))
    assert leader.get(f"{API}/points").status_code == 403
    assert leader.get(f"{API}/roster").status_code == 403
    assert leader.get(f"{API}/points/{point.pk}").json()["code"] == "forbidden"


def _routes(supplied: StockMove) -> dict[str, list[tuple[str, str]]]:
    """Every route of the API by the duty it needs, with real ids in its path."""
    entry = RosterEntry.objects.get(first_supply=supplied)
    point, product = supplied.point_id, supplied.lot.product_id
    return {
        "stock": [
            ("get", f"{API}/products"),
            ("get", f"{API}/points"),
            ("get", f"{API}/points/{point}"),
            ("get", f"{API}/points/{point}/card?product_id={product}"),
            ("get", f"{API}/moves"),
            ("get", f"{API}/moves/{supplied.pk}"),
            ("post", f"{API}/moves"),
        ],
        "health": [("get", f"{API}/roster"), ("get", f"{API}/roster/{entry.pk}")],
    }


def _call(client: Client, method: str, url: str, point_id: int) -> int:
    if method == "get":
        return client.get(url).status_code
    # An unusable key and a valid move: the missing duty is refused before either is looked at.
    body = {"kind": "loss", "point_id": point_id, "lot_id": 1, "quantity": 1}
    headers = {"Idempotency-Key": "x" * 101}
    return client.post(url, body, content_type="application/json", headers=headers).status_code


def test_every_route_refuses_a_role_without_its_duty(
    monkeypatch, make_user, client_for, worker, supplied
) -> None:
    leader = client_for(make_user(Role.LEADER))
    routes = _routes(supplied)
    for method, url in routes["stock"] + routes["health"]:
        assert _call(leader, method, url, supplied.point_id) == 403, url
    # One duty without the other (the worker's role, narrowed for this test).
    health_only = ROLE_CAPABILITIES[Role.COMMUNITY_WORKER] - {Capability.MANAGE_STOCK}
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.COMMUNITY_WORKER, health_only)
    health_worker = client_for(worker)
    for method, url in routes["stock"]:
        assert _call(health_worker, method, url, supplied.point_id) == 403, url
    for _method, url in routes["health"]:
        assert health_worker.get(url).status_code == 200, url


def test_the_catalogue_lists_products_with_their_lots(api, point, receive, pill) -> None:
    lot = receive(point, 1).lot
    (product,) = api.get(f"{API}/products").json()
    assert (product["id"], product["unit"], product["pack_size"]) == (pill.pk, "板", 22)
    assert product["lots"] == [
        {"id": lot.pk, "number": lot.number, "expiry_date": lot.expiry_date.isoformat()}
    ]


BIG = "1" * 25


@pytest.mark.parametrize(
    "path",
    [
        "/moves?point_id={x}",
        "/moves/{x}",
        "/points/{x}",
        "/points/{point}/card?product_id={x}",
        "/points/{point}/card?product_id={product}&lot_id={x}",
        "/points/{point}/card?product_id={product}&year={x}",
        "/roster?community_id={x}",
        "/roster/{x}",
    ],
)
@pytest.mark.parametrize("bad", ["²", BIG])
def test_a_malformed_or_overflowing_number_is_a_4xx_never_a_500(
    api, point, receive, path, bad
) -> None:
    lot = receive(point, 2).lot
    url = API + path.format(x=bad, point=point.pk, product=lot.product_id)
    response = api.get(url)
    assert response.status_code == 422, (url, response.content)
    assert response.json()["code"] == "invalid_input"


@pytest.fixture
def supplied(point, receive, worker_actor, make_person, make_facts):
    """An issue to a resident at the worker's point."""
    from jisheng.contraceptives.services import moves

    woman = make_person(sex="F")
    issue = moves.stock_issue(
        actor=worker_actor,
        point=point,
        lot=receive(point, 5).lot,
        quantity=1,
        person=woman,
        facts=make_facts(),
    )[0]
    return issue


def _issue_reads() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="contraceptives.stockmove", action__in=["view", "search"]
        ).order_by("pk")
    )


def test_the_health_duty_sees_who_was_supplied_and_the_read_is_audited(api, supplied) -> None:
    point_id, product_id = supplied.point_id, supplied.lot.product_id
    listed = api.get(f"{API}/moves?point_id={point_id}").json()["items"]
    assert supplied.person_id in [m["person_id"] for m in listed]
    assert api.get(f"{API}/moves/{supplied.pk}").json()["person_id"] == supplied.person_id
    card = api.get(f"{API}/points/{point_id}/card?product_id={product_id}").json()
    assert [row["person_id"] for row in card["rows"]] == [None, supplied.person_id]
    reads = _issue_reads()
    assert [(e.action, e.object_id) for e in reads] == [
        ("search", ""),
        ("view", str(supplied.pk)),
        ("search", ""),
    ]
    assert reads[0].detail == {"point": point_id}
    assert reads[1].detail == {"person": supplied.person_id}
    assert reads[2].detail == {"point": point_id, "product": product_id, "persons": 1}


def test_without_the_health_duty_moves_do_not_name_the_person(monkeypatch, api, supplied) -> None:
    stock_only = ROLE_CAPABILITIES[Role.COMMUNITY_WORKER] - {Capability.VIEW_HEALTH}
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.COMMUNITY_WORKER, stock_only)
    point_id, product_id = supplied.point_id, supplied.lot.product_id
    listed = api.get(f"{API}/moves?point_id={point_id}").json()["items"]
    assert {m["kind"] for m in listed} == {"receipt", "issue"}
    assert [m["person_id"] for m in listed] == [None, None]
    assert api.get(f"{API}/moves/{supplied.pk}").json()["person_id"] is None
    card = api.get(f"{API}/points/{point_id}/card?product_id={product_id}").json()
    assert [row["person_id"] for row in card["rows"]] == [None, None]
    assert _issue_reads() == []
