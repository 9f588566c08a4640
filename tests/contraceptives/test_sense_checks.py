"""Sense checks before supplying a person (issue 13): a product's data says for whom it is
meant (sex, minimum age); an issue that does not fit asks the worker to confirm — on the
form (a box to tick, input kept), in the API (409 ``confirmation_required`` until
``confirm``). A method a person cannot use at all is refused outright. Dates of issues
and of the roster lie within the person's life."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jisheng.contraceptives.demo import _products
from jisheng.contraceptives.models import (
    MoveKind,
    Product,
    ProductCategory,
    RosterEntry,
    StockMove,
)
from jisheng.contraceptives.models.catalogue import SENSE_CHECKS
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.catalogue import product_create
from jisheng.contraceptives.services.roster import (
    roster_enroll,
    roster_follow_up_record,
    roster_stop,
)
from jisheng.core.errors import JishengError, NeedsConfirmation
from jisheng.registry.models import Person
from jisheng.registry.services import events

APP = "contraceptives"


@pytest.fixture
def womens(db: None) -> Product:
    return Product.objects.create(
        name="去氧孕烯炔雌醇片",
        category=ProductCategory.ORAL,
        unit="盒",
        pack_size=21,
        for_sex="F",
        min_age=18,
    )


@pytest.fixture
def man(make_person) -> Person:
    return make_person(name="王建国", sex="M", birth_date=dt.date(1990, 5, 17))


@pytest.fixture
def woman(make_person) -> Person:
    return make_person(name="王春燕", sex="F", birth_date=dt.date(1992, 3, 1))


def issue(actor, point, lot, person, make_facts, **extra) -> list[StockMove]:
    return moves.stock_issue(
        actor=actor, point=point, lot=lot, quantity=1, person=person, facts=make_facts(), **extra
    )


# --- the service ------------------------------------------------------------------------------


def test_a_product_for_women_issued_to_a_man_asks_to_confirm(
    point, receive, worker_actor, womens, man, make_facts
) -> None:
    lot = receive(point, 5, product=womens).lot
    with translation.override("zh-hans"), pytest.raises(NeedsConfirmation) as asked:
        issue(worker_actor, point, lot, man, make_facts)
    assert (asked.value.code, asked.value.status) == ("confirmation_required", 409)
    assert asked.value.problems == [
        "去氧孕烯炔雌醇片适用于女性，王建国不符合。仅在代他人领取时确认：此时不列入花名册。"
    ]
    assert not StockMove.objects.filter(kind=MoveKind.ISSUE).exists()


def test_confirmed_it_is_issued_and_the_man_is_not_put_on_the_roster(
    point, receive, worker_actor, womens, man, make_facts
) -> None:
    lot = receive(point, 5, product=womens).lot
    [move] = issue(worker_actor, point, lot, man, make_facts, confirmed=True)
    assert (move.kind, move.quantity, move.person_id) == (MoveKind.ISSUE, -1, man.pk)
    assert not RosterEntry.objects.filter(person=man).exists()


def test_the_fitting_person_is_supplied_without_a_question(
    point, receive, worker_actor, womens, woman, make_facts
) -> None:
    lot = receive(point, 5, product=womens).lot
    issue(worker_actor, point, lot, woman, make_facts)
    assert RosterEntry.objects.get(person=woman).method == "oral"


def test_someone_below_the_minimum_age_asks_to_confirm(
    point, receive, worker_actor, womens, make_person, make_facts, today
) -> None:
    girl = make_person(name="李小红", sex="F", birth_date=today.replace(year=today.year - 16))
    lot = receive(point, 5, product=womens).lot
    with translation.override("en"), pytest.raises(NeedsConfirmation) as asked:
        issue(worker_actor, point, lot, girl, make_facts)
    assert asked.value.problems == [
        "去氧孕烯炔雌醇片 is meant for people aged 18 or over; 李小红 is 16."
    ]
    issue(worker_actor, point, lot, girl, make_facts, confirmed=True)
    assert RosterEntry.objects.filter(person=girl).exists()


def test_a_product_for_anyone_asks_nothing(
    point, receive, worker_actor, condom, man, make_facts
) -> None:
    lot = receive(point, 5, product=condom).lot
    issue(worker_actor, point, lot, man, make_facts)
    assert RosterEntry.objects.get(person=man).method == "condom"


def test_an_iud_for_a_man_is_refused_outright_on_the_roster(worker_actor, man, today) -> None:
    with pytest.raises(JishengError) as refused:
        roster_enroll(actor=worker_actor, person=man, method="iud", start_date=today)
    assert refused.value.code == "method_sex"
    assert not RosterEntry.objects.exists()


def test_a_switch_to_a_method_the_person_cannot_use_is_refused(worker_actor, woman, today) -> None:
    entry = roster_enroll(actor=worker_actor, person=woman, method="condom", start_date=today)
    with pytest.raises(JishengError) as refused:
        roster_follow_up_record(
            actor=worker_actor,
            entry=entry,
            date=today,
            satisfaction="satisfied",
            switch_to="male_sterilization",
        )
    assert refused.value.code == "method_sex"
    assert RosterEntry.objects.get(pk=entry.pk).stop_date is None


def test_a_new_product_carries_its_checks(street_actor) -> None:
    product = product_create(
        actor=street_actor,
        name="测试片",
        category=ProductCategory.ORAL,
        unit="盒",
        for_sex="F",
        min_age=18,
    )
    assert (product.for_sex, product.min_age) == ("F", 18)
    with pytest.raises(JishengError) as refused:
        product_create(actor=street_actor, name="另一片", category="oral", unit="盒", for_sex="X")
    assert refused.value.code == "for_sex"


def test_the_demo_catalogue_gets_the_checks_of_its_category(db: None) -> None:
    products = {p.category: (p.for_sex, p.min_age) for p in _products()}
    assert products[ProductCategory.ORAL] == ("F", 18)
    assert products[ProductCategory.CONDOM] == ("", None)
    assert products == {category: SENSE_CHECKS[category] for category in products}


# --- the migration ----------------------------------------------------------------------------


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def before_checks(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = _migrate([(APP, "0004_idempotency_in_core")])
    try:
        yield executor
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes(APP))


def test_the_migration_fills_the_checks_of_the_products_in_use(before_checks) -> None:
    old = before_checks.loader.project_state([(APP, "0004_idempotency_in_core")]).apps
    OldProduct = old.get_model(APP, "Product")
    for name, category in [("复方左炔诺孕酮片", "oral"), ("避孕套", "condom"), ("棒", "implant")]:
        OldProduct.objects.create(name=name, category=category, unit="盒", pack_size=1)

    _migrate([(APP, "0005_product_sense_checks")])

    found = dict(Product.objects.values_list("name", "for_sex"))
    ages = dict(Product.objects.values_list("name", "min_age"))
    assert found == {"复方左炔诺孕酮片": "F", "避孕套": "", "棒": "F"}
    assert ages == {"复方左炔诺孕酮片": 18, "避孕套": None, "棒": 18}


# --- dates within the person's life -----------------------------------------------------------


def test_an_issue_dated_before_the_persons_birth_is_refused(
    point, receive, worker_actor, make_person, make_facts, today
) -> None:
    baby = make_person(name="王小", sex="F", birth_date=today - dt.timedelta(days=3))
    lot = receive(point, 5, on=today - dt.timedelta(days=10)).lot
    with pytest.raises(JishengError) as refused:
        moves.stock_issue(
            actor=worker_actor,
            point=point,
            lot=lot,
            quantity=1,
            person=baby,
            facts=make_facts(occurred_on=today - dt.timedelta(days=5)),
        )
    assert refused.value.code == "date_before_birth"


def test_a_roster_entry_stopped_after_the_persons_death_is_refused(
    worker_actor, woman, today
) -> None:
    entry = roster_enroll(
        actor=worker_actor, person=woman, method="condom", start_date=today - dt.timedelta(days=9)
    )
    events.death_record(actor=worker_actor, person=woman, date=today - dt.timedelta(days=5))
    with pytest.raises(JishengError) as refused:
        roster_stop(actor=worker_actor, entry=entry, stop_date=today, reason="other")
    assert refused.value.code == "date_after_death"
    roster_stop(
        actor=worker_actor, entry=entry, stop_date=today - dt.timedelta(days=5), reason="other"
    )


def test_a_roster_start_before_the_birth_is_refused(worker_actor, make_person, today) -> None:
    baby = make_person(name="王小", sex="F", birth_date=today - dt.timedelta(days=3))
    with pytest.raises(JishengError) as refused:
        roster_enroll(
            actor=worker_actor,
            person=baby,
            method="condom",
            start_date=today - dt.timedelta(days=5),
        )
    assert refused.value.code == "date_before_birth"


# --- page and API -----------------------------------------------------------------------------


def _request_key(html: str) -> str:
    found = re.search(r'name="request_key" value="([^"]+)"', html)
    assert found is not None
    return found[1]


def test_the_issue_page_asks_to_confirm_keeping_the_input_then_issues(
    worker, client_for, point, receive, womens, man, today
) -> None:
    client: Client = client_for(worker)
    lot = receive(point, 5, product=womens).lot
    url = reverse("contraceptives:move_issue", args=[point.pk])
    first = client.get(url).content.decode()
    assert 'data-testid="confirm"' not in first  # the box appears with a warning only
    data = {
        "request_key": _request_key(first),
        "person": man.pk,
        "lot": lot.pk,
        "quantity": "2",
        "reason": "user_supply",
        "occurred_on": today.isoformat(),
    }
    asked = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert asked.status_code == 409
    page = asked.content.decode()
    assert "去氧孕烯炔雌醇片适用于女性，王建国不符合。" in page
    assert 'data-testid="confirm"' in page
    assert f'value="{man.pk}"' in page  # the resident stays chosen
    assert not StockMove.objects.filter(kind=MoveKind.ISSUE).exists()

    done = client.post(url, {**data, "confirm": "on"})
    assert done.status_code == 302
    assert StockMove.objects.filter(kind=MoveKind.ISSUE, person=man).count() == 1


def test_the_api_answers_409_until_confirmed(
    worker, client_for, point, receive, womens, man
) -> None:
    api = client_for(worker)
    lot = receive(point, 5, product=womens).lot
    body = {"kind": "issue", "point_id": point.pk, "person_id": man.pk, "lot_id": lot.pk}
    asked = api.post(
        "/api/contraceptives/moves", {**body, "quantity": 1}, content_type="application/json"
    )
    assert asked.status_code == 409
    assert asked.json()["code"] == "confirmation_required"
    assert asked.json()["message"]
    done = api.post(
        "/api/contraceptives/moves",
        {**body, "quantity": 1, "confirm": True},
        content_type="application/json",
    )
    assert done.status_code == 201, done.content
