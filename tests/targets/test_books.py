"""Target books: drafting, weights summing to 100, signing by both parties, copying last
year's book, and what a signed book refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.roles import Role
from jisheng.targets import services
from jisheng.targets.models import BookState, PartyKind, Scoring


def test_weights_over_100_are_refused_line_by_line(org, staff, make_book) -> None:
    book = make_book(org.c1, sign=False)
    with pytest.raises(JishengError) as refused:
        services.book_line_set(
            actor=staff,
            book=book,
            indicator="benefits.decided_in_time",
            target=Decimal(95),
            floor=Decimal(70),
            scoring=Scoring.LINEAR,
            weight=Decimal("0.01"),
        )
    assert refused.value.code == "weights"


def test_signing_is_refused_unless_the_weights_sum_to_100(org, staff, make_book) -> None:
    lines = (
        ("targets.joint_meetings_monthly", Decimal(100), Decimal(0), Scoring.LINEAR, Decimal(60)),
    )
    book = make_book(org.c1, lines=lines, sign=False)
    with pytest.raises(JishengError) as refused:
        services.book_sign(
            actor=staff, book=book, party_signatory="社居书记", signed_on=dt.date(book.year, 1, 5)
        )
    assert refused.value.code == "weights"
    book.refresh_from_db()
    assert book.state == BookState.DRAFT


def test_changing_a_line_replaces_its_weight_rather_than_adding_it(org, staff, make_book) -> None:
    book = make_book(org.c1, sign=False)
    services.book_line_set(
        actor=staff,
        book=book,
        indicator="targets.joint_meetings_monthly",
        target=Decimal(100),
        floor=Decimal(0),
        scoring=Scoring.STEP,
        weight=Decimal(50),
    )
    assert sorted(line.weight for line in book.lines.all()) == [Decimal(40), Decimal(50)]


def test_a_floor_on_the_wrong_side_of_the_target_is_refused(org, staff, make_book) -> None:
    book = make_book(org.c1, lines=(), sign=False)
    with pytest.raises(JishengError) as refused:
        # Lower is better for the variance: the floor must lie above the target.
        services.book_line_set(
            actor=staff,
            book=book,
            indicator="contraceptives.stocktake_variance",
            target=Decimal(5),
            floor=Decimal(1),
            scoring=Scoring.LINEAR,
            weight=Decimal(10),
        )
    assert refused.value.code == "invalid_floor"
    with pytest.raises(JishengError):
        services.book_line_set(
            actor=staff,
            book=book,
            indicator="no.such.indicator",
            target=Decimal(5),
            floor=Decimal(1),
            scoring=Scoring.STEP,
            weight=Decimal(10),
        )


def test_signing_records_both_parties_and_locks_the_lines(org, staff, make_book) -> None:
    book = make_book(org.c1)
    assert book.state == BookState.SIGNED
    assert book.street_signatory == staff.user
    assert book.party_signatory == "社居书记"
    assert book.signed_on == dt.date(book.year, 1, 15)
    with pytest.raises(Conflict):
        services.book_line_set(
            actor=staff,
            book=book,
            indicator="targets.joint_meetings_monthly",
            target=Decimal(90),
            floor=Decimal(0),
            scoring=Scoring.LINEAR,
            weight=Decimal(60),
        )
    with pytest.raises(Conflict):
        services.book_sign(
            actor=staff, book=book, party_signatory="又一人", signed_on=dt.date(book.year, 2, 1)
        )


def test_a_party_has_one_book_a_year(org, staff, make_book) -> None:
    book = make_book(org.c1)
    with pytest.raises(Conflict):
        services.book_create(
            actor=staff, year=book.year, kind=PartyKind.COMMUNITY, community=org.c1
        )


def test_copying_last_years_book_keeps_its_terms_as_a_draft(
    org, staff, make_book, make_user, last_year
) -> None:
    responsible = make_user(Role.COMMUNITY_WORKER)
    source = make_book(org.c1, sign=False)
    services.book_line_set(
        actor=staff,
        book=source,
        indicator="contraceptives.roster_followed_up",
        target=Decimal(80),
        floor=Decimal(40),
        scoring=Scoring.LINEAR,
        weight=Decimal(40),
        responsible=responsible,
    )
    source = services.book_sign(
        actor=staff, book=source, party_signatory="社居书记", signed_on=dt.date(last_year, 1, 9)
    )

    copy = services.book_copy(actor=staff, source=source, year=last_year + 1)

    assert copy.state == BookState.DRAFT
    assert (copy.year, copy.community, copy.copied_from) == (last_year + 1, org.c1, source)
    terms = lambda book: sorted(  # noqa: E731 - a one-line comparison key
        (line.indicator, line.target, line.floor, line.scoring, line.weight, line.responsible_id)
        for line in book.lines.all()
    )
    assert terms(copy) == terms(source)
    assert list(copy.veto_items.all()) == list(source.veto_items.all())
    assert copy.signed_on is None
    assert copy.party_signatory == ""
    with pytest.raises(Conflict):
        services.book_copy(actor=staff, source=source, year=last_year + 1)
    with pytest.raises(JishengError):
        services.book_copy(actor=staff, source=source, year=last_year)


def test_books_with_cadres_and_departments(org, staff, make_user, last_year) -> None:
    cadre = make_user(Role.STREET_STAFF)
    book = services.book_create(
        actor=staff, year=last_year, kind=PartyKind.CADRE, community=org.c1, cadre=cadre
    )
    assert (book.owner_unit, book.measured_unit) == (org.street, org.c1)
    department = services.department_create(actor=staff, name="社会事务办")
    book = services.book_create(
        actor=staff, year=last_year, kind=PartyKind.DEPARTMENT, department=department
    )
    assert (book.owner_unit, book.measured_unit) == (org.street, org.street)
    with pytest.raises(JishengError):  # a community worker is no cadre of the street office
        services.book_create(
            actor=staff,
            year=last_year,
            kind=PartyKind.CADRE,
            community=org.c2,
            cadre=make_user(Role.COMMUNITY_WORKER),
        )


def test_only_street_staff_draft_books(org, worker, leader, last_year) -> None:
    for actor in (Actor(user=worker), leader):
        with pytest.raises(Forbidden):
            services.book_create(
                actor=actor, year=last_year, kind=PartyKind.COMMUNITY, community=org.c1
            )


def test_a_community_worker_cannot_reach_a_book_to_copy(org, worker, make_book, last_year) -> None:
    book = make_book(org.c1)
    with pytest.raises((Forbidden, NotFound)):
        services.book_copy(actor=Actor(user=worker), source=book, year=last_year + 1)


def test_a_persons_page_names_what_they_answer_for_in_chinese(
    org, staff, make_book, make_user, client_for
) -> None:
    responsible = make_user(Role.COMMUNITY_WORKER)
    services.book_line_set(
        actor=staff,
        book=make_book(org.c1, sign=False),
        indicator="contraceptives.roster_followed_up",
        target=Decimal(80),
        floor=Decimal(40),
        scoring=Scoring.LINEAR,
        weight=Decimal(40),
        responsible=responsible,
    )
    page = client_for(staff.user).get(
        f"/targets/staff/{responsible.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "contraceptives.roster_followed_up</td>" not in html
    assert "随访" in html
