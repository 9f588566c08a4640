"""The resident page, the family view and the household page read a fixed number of queries,
however many relatives, events and members there are (issue 16: each page is about as cheap
as the page shell), and still show every one of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.registry.conftest import new_id_number

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.models import Household, HouseholdMember, LifeEvent, Person
from jisheng.registry.services import events, family
from jisheng.registry.services.persons import PersonData

# The most each page may read, the session and the signed-in user included: resident page
# (person, audit entry, two marriage sides, household, parents, children, history, whether the
# latest event can be reversed, the registered residence's name); family view (person, audit
# entry, two marriage sides, spouses, household, members, parents, children); household page
# (household, audit entry, members). The audit entry is five statements on SQLite (transaction,
# chain head, insert, head update, commit), one fewer on PostgreSQL (no BEGIN IMMEDIATE).
PERSON_PAGE_QUERIES = 16
FAMILY_PAGE_QUERIES = 16  # spouses read per side of the marriage (an OR scanned on PostgreSQL)
HOUSEHOLD_PAGE_QUERIES = 9


@dataclass
class Family:
    mother: Person
    father: Person
    children: list[Person]
    household: Household


@pytest.fixture
def worker(make_user):
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def client(worker, client_for) -> Client:
    return client_for(worker)


@pytest.fixture
def build_family(worker, make_person, make_household) -> Callable[[int], Family]:
    """A couple with ``size`` children born here, the mother's own mother, a dead child who
    lived elsewhere, a child who died here, and a move of the father undone by a reversal."""
    actor = Actor(user=worker, ip="127.0.0.1")
    grounds = family.Grounds(evidence="户口簿", reason="补录", date=dt.date(2026, 6, 1))

    def build(size: int) -> Family:
        mother = make_person(name="王芳", sex="F", birth_date=dt.date(1970, 6, 1))
        father = make_person(name="李强", sex="M", birth_date=dt.date(1968, 1, 1))
        grandmother = make_person(name="赵兰", sex="F", birth_date=dt.date(1945, 3, 1))
        household = make_household(father)
        HouseholdMember.objects.create(
            household=household, person=mother, relation="10", start_date=dt.date(2020, 1, 1)
        )
        events.marriage_record(actor=actor, husband=father, wife=mother, date=dt.date(1992, 5, 1))
        family.parent_link(actor=actor, parent=grandmother, child=mother, grounds=grounds)
        children = []
        for index in range(size):
            born = dt.date(1995 + index, 3, 1)
            data = PersonData(
                name=f"李子{index}", sex="M", birth_date=born, id_number=new_id_number(born, "M")
            )
            birth = events.birth_record(
                actor=actor, mother=mother, child=data, father=father, household=household
            )
            children.append(Person.objects.get(pk=birth.person_id))
        events.death_record(actor=actor, person=children[0], date=dt.date(2020, 2, 1))
        family.non_resident_child_record(
            actor=actor,
            parent=mother,
            child=family.NonResidentData(
                name="李远",
                sex="F",
                birth_date=dt.date(1993, 1, 1),
                lives_in="上海市",
                death_date=dt.date(2001, 1, 1),
                disability_grade=2,
            ),
            other_parent=father,
            grounds=grounds,
        )
        moved = events.move_out_record(actor=actor, person=father, date=dt.date(2026, 1, 5))
        events.event_reverse(actor=actor, event=moved, reason="登记错误", date=dt.date(2026, 1, 6))
        return Family(mother, father, children, Household.objects.get(pk=household.pk))

    return build


def _read(client: Client, path: str) -> tuple[int, str]:
    client.get(path)  # the user's roles and scope are read once per session's first page
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_resident_page_reads_as_many_queries_for_a_large_family(client, build_family) -> None:
    small, large = build_family(1), build_family(4)
    counted, _ = _read(client, reverse("registry:person_detail", args=[small.mother.pk]))
    counted_large, html = _read(client, reverse("registry:person_detail", args=[large.mother.pk]))
    assert counted_large == counted <= PERSON_PAGE_QUERIES
    for child in large.children:
        assert child.name in html
    assert "赵兰" in html  # her mother
    assert "李强" in html  # her husband
    assert html.count('data-kind="birth"') == 4


def _reversible_as_before(event: LifeEvent) -> bool:
    """The rule as one query over every event (what ``event_can_be_reversed`` asked before)."""
    people = [p for p in (event.person_id, event.other_person_id) if p]
    later_in_effect = (
        LifeEvent.objects.filter(Q(person__in=people) | Q(other_person__in=people), pk__gt=event.pk)
        .filter(reverses__isnull=True, reversed_by__isnull=True)
        .exists()
    )
    already = LifeEvent.objects.filter(reverses=event).exists()
    return event.reverses_id is None and not already and not later_in_effect


def test_whether_an_event_can_be_reversed_is_decided_as_before(build_family) -> None:
    build_family(2)
    checked = list(LifeEvent.objects.order_by("pk"))
    assert any(_reversible_as_before(e) for e in checked)
    assert not all(_reversible_as_before(e) for e in checked)
    for event in checked:
        assert events.event_can_be_reversed(event) == _reversible_as_before(event), event.kind


def test_the_resident_page_offers_the_reversal_of_the_latest_event_only(
    client, build_family
) -> None:
    found = build_family(2)
    offers = []
    for person in (found.mother, found.father):
        _, html = _read(client, reverse("registry:person_detail", args=[person.pk]))
        timeline = LifeEvent.objects.filter(Q(person=person) | Q(other_person=person))
        latest = timeline.filter(reverses__isnull=True, reversed_by__isnull=True).latest("pk")
        offered = _reversible_as_before(latest)
        assert html.count('data-testid="action-reverse"') == int(offered)
        assert (reverse("registry:event_reverse", args=[person.pk, latest.pk]) in html) == offered
        offers.append(offered)
    assert offers == [True, False]  # the father's marriage: the mother's births came later
    assert 'data-reversed="true"' in html  # the father's move out, reversed


def test_the_family_view_reads_as_many_queries_for_a_large_family(client, build_family) -> None:
    small, large = build_family(1), build_family(4)
    counted, _ = _read(client, reverse("registry:person_family", args=[small.mother.pk]))
    counted_large, html = _read(client, reverse("registry:person_family", args=[large.mother.pk]))
    assert counted_large == counted <= FAMILY_PAGE_QUERIES
    assert '<dd data-fact="children">5</dd>' in html  # four born here, one elsewhere
    assert '<dd data-fact="living_children">3</dd>' in html
    assert '<dd data-fact="child_disability_grade">2</dd>' in html
    assert "2020-02-01" in html  # the death here
    assert "2001-01-01" in html  # the death elsewhere


def test_the_household_page_reads_as_many_queries_for_a_large_household(
    client, build_family
) -> None:
    small, large = build_family(1), build_family(4)
    counted, _ = _read(client, reverse("registry:household_detail", args=[small.household.pk]))
    counted_large, html = _read(
        client, reverse("registry:household_detail", args=[large.household.pk])
    )
    assert counted_large == counted <= HOUSEHOLD_PAGE_QUERIES
    for child in large.children:
        assert child.name in html


def test_each_page_read_is_audited_and_another_communitys_resident_is_404(
    client, build_family, make_person, org
) -> None:
    found = build_family(1)
    client.get(reverse("registry:person_detail", args=[found.mother.pk]))
    client.get(reverse("registry:person_family", args=[found.mother.pk]))
    client.get(reverse("registry:household_detail", args=[found.household.pk]))
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).order_by("pk")
    assert [(v.object_type, v.object_id, v.detail) for v in views] == [
        ("registry.person", str(found.mother.pk), {}),
        ("registry.person", str(found.mother.pk), {"view": "family"}),
        ("registry.household", str(found.household.pk), {}),
    ]
    elsewhere = make_person(org.c2, name="外社区")
    for name in ("registry:person_detail", "registry:person_family"):
        assert client.get(reverse(name, args=[elsewhere.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).count() == 2
