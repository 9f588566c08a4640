"""Ids from query strings, posted lists and API input that are not plain numbers within a
64-bit database id are refused with a 4xx: ``"²".isdigit()`` is true but ``int("²")``
fails, and SQLite raises OverflowError for integers beyond 64 bits."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jisheng.prepregnancy.services import pregnancies

SUPERSCRIPT = "²"
TOO_LONG = "9" * 25
BAD_IDS = pytest.mark.parametrize("value", [SUPERSCRIPT, TOO_LONG], ids=["superscript", "25-digit"])
API = "/api/prepregnancy"


@pytest.fixture
def client(worker, client_for) -> Client:
    return client_for(worker)


@BAD_IDS
def test_overdue_worker_filter(client, value) -> None:
    assert client.get(reverse("prepregnancy:overdue"), {"worker": value}).status_code == 400


@BAD_IDS
def test_followup_list_worker_filter(client, value) -> None:
    assert client.get(reverse("prepregnancy:followup_list"), {"worker": value}).status_code == 400


@BAD_IDS
def test_indicator_list_community(client, value) -> None:
    response = client.get(
        reverse("prepregnancy:indicator_list"), {"key": "targets", "community": value}
    )
    assert response.status_code == 400


@BAD_IDS
@pytest.mark.parametrize("name", ["couple_list", "letters", "couple_export_xlsx"])
def test_worklist_community_filter(client, name, value) -> None:
    assert client.get(reverse(f"prepregnancy:{name}"), {"community": value}).status_code == 400


@BAD_IDS
def test_letters_delivered_couple_ids(client, couple, today, value) -> None:
    response = client.post(
        reverse("prepregnancy:letters_delivered"),
        {"couple": [str(couple.pk), value], "date": today.isoformat()},
    )
    assert response.status_code == 400


def test_the_largest_id_still_accepted_is_eighteen_digits(client, couple, today) -> None:
    response = client.get(reverse("prepregnancy:overdue"), {"worker": "9" * 18})
    assert response.status_code == 200
    listing = client.get(
        reverse("prepregnancy:indicator_list"), {"key": "targets", "community": "9" * 18}
    )
    assert listing.status_code == 200
    delivered = client.post(
        reverse("prepregnancy:letters_delivered"),
        {"couple": [str(couple.pk), "9" * 18], "date": today.isoformat()},
    )
    assert delivered.status_code == 302


@BAD_IDS
@pytest.mark.parametrize(
    "path",
    ["/couples?community_id={}", "/followups?assignee_id={}", "/referrals?assignee_id={}"],
)
def test_api_list_filters(client, path, value) -> None:
    response = client.get(API + path.format(value))
    assert response.status_code == 422, response.content


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/contacts", {"method": "phone", "outcome": "reached", "date": "2026-01-05"}),
        ("/checkups", {"spouse": "wife", "institution": "x", "date": "2026-01-05"}),
        ("/pregnancies", {"reported_on": "2026-01-05"}),
    ],
)
def test_api_body_ids_beyond_64_bits(client, path, body) -> None:
    for couple_id in (int(TOO_LONG), 0, -1):
        response = client.post(
            API + path, {**body, "couple_id": couple_id}, content_type="application/json"
        )
        assert response.status_code == 422, (path, couple_id, response.content)


def test_api_planning_wife_id_beyond_64_bits(client) -> None:
    response = client.post(
        API + "/couples/planning", {"wife_id": int(TOO_LONG)}, content_type="application/json"
    )
    assert response.status_code == 422


def test_api_birth_event_id_beyond_64_bits(client, actor, couple, today) -> None:
    pregnancy = pregnancies.pregnancy_report(actor=actor, couple=couple, reported_on=today)
    response = client.post(
        f"{API}/pregnancies/{pregnancy.pk}/birth",
        {"birth_event_id": int(TOO_LONG)},
        content_type="application/json",
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "path",
    ["/couples/{}", "/couples/{}/contacts", "/checkups/{}", "/couples/{}/checkups"],
)
def test_api_path_ids_beyond_64_bits_or_below_one_are_refused_by_the_schema(client, path) -> None:
    # Ids are bounded at the schema (1..2**63-1), as in every app: a clear 422 in JSON.
    for value in (TOO_LONG, "0"):
        response = client.get(API + path.format(value))
        assert response.status_code == 422, (path, value, response.content)
        assert response.json()["code"] == "invalid_input"


@pytest.mark.parametrize("value", ["zz", "OPEN", SUPERSCRIPT])
def test_referral_list_unknown_state_is_a_400_with_the_list_s_filter(client, value) -> None:
    """Not silently the open referrals: the page says the state is unknown and offers the list."""
    response = client.get(reverse("prepregnancy:referral_list"), {"state": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有这种状态" in page
    assert 'name="state"' in page


def test_couple_list_bad_state_keeps_the_page_s_freshness_line(client, actor) -> None:
    """The 400 page says when the couples were derived, not that they never were."""
    from jisheng.prepregnancy.services import couples

    couples.target_couples_refresh(actor=actor)
    response = client.get(reverse("prepregnancy:couple_list"), {"state": "xyz"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="filter-errors"' in page
    assert "尚有单位" not in page
