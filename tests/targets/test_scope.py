"""Scope: a community reads its own book and score only; the ranking shows other
communities' totals only to the street and above; a cadre's book stays with the street."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jisheng.core.indicators import Period
from jisheng.core.roles import Role
from jisheng.targets import selectors, services
from jisheng.targets.models import PartyKind


@pytest.fixture
def assessed(org, staff, make_book, last_year, pdf):
    """Books and Q1 assessments of communities 1 and 2 (c2 ahead by an adjustment)."""
    period = Period(last_year, 1)
    one = services.assessment_run(actor=staff, book=make_book(org.c1), period=period)
    two = services.assessment_run(actor=staff, book=make_book(org.c2), period=period)
    services.assessment_adjust(
        actor=staff, assessment=two, points=Decimal(5), reason="加分", evidence=pdf()
    )
    return one, two


def test_a_community_reads_only_its_own_book_and_score(org, worker, assessed, last_year) -> None:
    one, _two = assessed
    assert list(selectors.books(worker)) == [one.book]
    rows = selectors.ranking(worker, period=Period(last_year, 1), kind=PartyKind.COMMUNITY)
    # Its own line only, with its rank among the whole street (c2 is ahead).
    assert [(row.assessment, row.rank) for row in rows] == [(one, 2)]


def test_the_street_and_leaders_read_every_communitys_total(
    org, staff, leader, make_user, assessed, last_year
) -> None:
    one, two = assessed
    supervisor = make_user(Role.DISTRICT_SUPERVISOR)
    for user in (staff.user, leader.user, supervisor):
        rows = selectors.ranking(user, period=Period(last_year, 1), kind=PartyKind.COMMUNITY)
        assert [(row.assessment, row.rank) for row in rows] == [(two, 1), (one, 2)]


def test_pages_and_api_keep_another_community_out(
    org, worker, assessed, client_for, last_year
) -> None:
    one, two = assessed
    client = client_for(worker)
    assert client.get(reverse("targets:book_detail", args=[one.book.pk])).status_code == 200
    assert client.get(reverse("targets:book_detail", args=[two.book.pk])).status_code == 404
    assert client.get(reverse("targets:assessment_detail", args=[two.pk])).status_code == 404
    page = client.get(reverse("targets:overview"), {"year": last_year, "quarter": 1})
    assert page.status_code == 200
    assert [row.assessment for row in page.context["rows"]] == [one]
    assert client.get(f"/api/targets/books/{two.book.pk}").status_code == 404
    ranking = client.get("/api/targets/ranking", {"year": last_year, "quarter": 1}).json()
    assert [row["assessment_id"] for row in ranking] == [one.pk]
    assert [book["id"] for book in client.get("/api/targets/books").json()] == [one.book.pk]


def test_a_cadres_book_is_not_the_communitys(org, staff, worker, make_user, last_year) -> None:
    cadre = make_user(Role.STREET_STAFF)
    book = services.book_create(
        actor=staff, year=last_year, kind=PartyKind.CADRE, community=org.c1, cadre=cadre
    )
    assert book not in selectors.books(worker)
    assert book in selectors.books(cadre)


def test_roles_without_the_duty_read_no_book(org, make_user, assessed) -> None:
    for role in (Role.PARTNER_REPORTER, Role.SYSTEM_ADMIN, Role.SECURITY_AUDITOR):
        assert not selectors.books(make_user(role)).exists()


def test_a_community_worker_cannot_approve_or_compute(org, worker, assessed, client_for) -> None:
    one, _ = assessed
    client = client_for(worker)
    assert client.post(reverse("targets:assessment_approve", args=[one.pk])).status_code == 403
    assert client.get(reverse("targets:assessment_run", args=[one.book.pk])).status_code == 403
    assert client.post(f"/api/targets/assessments/{one.pk}/approve").status_code == 403
