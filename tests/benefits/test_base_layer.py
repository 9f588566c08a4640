"""Benefits on the core base layer: services refuse by capability themselves, ids are bounded,
odd digits in a form or query are a clear answer, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.benefits.services.applications import applications_create_for
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden
from jisheng.core.pages import MAX_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(make_family):
    _h, _w, (kid,) = make_family(
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("F", dt.date(2025, 4, 1)),),
    )
    return kid


def test_applying_for_several_residents_is_refused_to_a_leader(leader, program, child) -> None:
    # The service checks, not only the page's decorator: no list of per-person refusals.
    with pytest.raises(Forbidden):
        applications_create_for(
            actor=Actor(user=leader), program=program("childcare-subsidy"), persons=[child]
        )


@pytest.mark.parametrize(
    "url",
    [
        f"/api/benefits/batches/{MAX_ID + 1}",
        f"/api/benefits/applications/{MAX_ID + 1}",
        f"/api/benefits/visits/{MAX_ID + 1}",
        f"/api/benefits/certifications/{MAX_ID + 1}",
        "/api/benefits/batches/0",
    ],
)
def test_an_id_out_of_range_is_a_422(client_for, street, url: str) -> None:
    assert client_for(street).get(url).status_code == 422


def test_a_visit_body_with_an_id_out_of_range_is_a_422(client_for, worker) -> None:
    body = {"program_id": MAX_ID + 1, "person_id": 1, "date": "2026-01-05", "visitors": "王"}
    answer = client_for(worker).post("/api/benefits/visits", body, content_type="application/json")
    assert answer.status_code == 422


def test_a_superscript_digit_in_the_resident_link_is_ignored(client_for, worker) -> None:
    # "²".isdigit() is true but int("²") fails: the page must not answer 500.
    assert client_for(worker).get("/benefits/visits/new/?person=²").status_code == 200


def test_a_superscript_digit_as_the_year_is_a_400(client_for, worker) -> None:
    assert client_for(worker).get("/benefits/reports/?year=²").status_code == 400
