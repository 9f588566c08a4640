"""Numbers in query strings and posted lists are plain ASCII digits: ``"²".isdigit()`` is
true but ``int("²")`` fails, so such input is a 4xx or ignored, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from jisheng.core.roles import Role


@pytest.fixture
def worker(make_user, client_for) -> Client:
    return client_for(make_user(Role.COMMUNITY_WORKER))


@pytest.mark.parametrize(
    "url",
    [
        "/benefits/visits/new/?person=²",
        "/benefits/certifications/new/?person=²",
        "/benefits/visits/new/?person=99999999999999999999999",
    ],
)
def test_a_preset_resident_that_is_not_a_number_is_ignored(worker, url) -> None:
    response = worker.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("year", ["²⁰²⁶", "２０２６", "99999999999999999999999"])
def test_year_totals_refuse_a_year_that_is_not_four_ascii_digits(worker, year) -> None:
    response = worker.get("/benefits/reports/", {"year": year})
    assert response.status_code == 400
