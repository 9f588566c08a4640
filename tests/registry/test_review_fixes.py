"""Edge cases found in review: scoped timelines, typed API input, birthdays, admin separation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jisheng.accounts.services import user_set_active
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden
from jisheng.core.roles import Role
from jisheng.registry.services import events


def test_timeline_hides_events_recorded_in_another_community(
    org, make_user, make_person, client_for
) -> None:
    street = Actor(user=make_user(Role.STREET_STAFF))
    husband = make_person(org.c2, name="外夫", sex="M", birth_date=dt.date(1990, 1, 1))
    wife = make_person(org.c1, name="本妻", sex="F", birth_date=dt.date(1992, 1, 1))
    events.marriage_record(actor=street, husband=husband, wife=wife, date=dt.date(2020, 1, 1))
    worker: Client = client_for(make_user(Role.COMMUNITY_WORKER))
    assert worker.get(f"/api/persons/{wife.pk}").json()["events"] == []
    staff: Client = client_for(street.user)
    assert [e["kind"] for e in staff.get(f"/api/persons/{wife.pk}").json()["events"]] == [
        "marriage"
    ]


def test_rejected_input_is_not_echoed(make_user, client_for) -> None:
    client: Client = client_for(make_user(Role.COMMUNITY_WORKER))
    response = client.get("/api/persons?age_min=370404199001011234")
    assert response.status_code == 422
    assert "370404199001011234" not in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "correction", "person_id": 1, "date": "2026-01-01", "changes": {"name": 1}},
        {"kind": "household_change", "person_id": 1, "date": "2026-01-01", "relation": "zz"},
        {"kind": "death", "person_id": 1, "date": "2026-01-01", "note": "长" * 201},
    ],
)
def test_badly_typed_events_are_422(make_user, client_for, body) -> None:
    client: Client = client_for(make_user(Role.COMMUNITY_WORKER))
    response = client.post("/api/events", body, content_type="application/json")
    assert response.status_code == 422


def test_marriage_is_allowed_on_the_birthday_of_legal_age(org, worker_actor, make_person) -> None:
    husband = make_person(org.c1, name="甲", sex="M", birth_date=dt.date(2001, 3, 15))
    wife = make_person(org.c1, name="乙", sex="F", birth_date=dt.date(2003, 3, 15))
    event = events.marriage_record(
        actor=worker_actor, husband=husband, wife=wife, date=dt.date(2023, 3, 15)
    )
    assert event.kind == "marriage"


def test_system_administrator_cannot_switch_off_the_auditor(make_user) -> None:
    admin = Actor(user=make_user(Role.SYSTEM_ADMIN))
    auditor = make_user(Role.SECURITY_AUDITOR)
    with pytest.raises(Forbidden):
        user_set_active(actor=admin, user=auditor, active=False)
