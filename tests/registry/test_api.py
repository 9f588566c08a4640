"""The registry API: same services, same scope, JSON errors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from jisheng.core.roles import Role
from jisheng.registry.models import LifeEvent, Person, ResidentStatus


@pytest.fixture
def api(make_user, client_for) -> Client:
    return client_for(make_user(Role.COMMUNITY_WORKER))


def create(api: Client, org, person_data, **overrides: object):
    data = person_data(**overrides)
    body = {
        "name": data.name,
        "sex": data.sex,
        "birth_date": data.birth_date.isoformat(),
        "id_number": data.id_number,
        "phone": data.phone,
        "address": data.address,
        "community_id": org.c1.pk,
    }
    return api.post("/api/persons", body, content_type="application/json")


def test_create_then_find_by_initials_and_read_with_events(api, org, person_data) -> None:
    response = create(api, org, person_data, name="张三明", sex="M")
    assert response.status_code == 201, response.content
    person_id = response.json()["id"]
    found = api.get("/api/persons?name=zsm").json()["items"]
    assert [item["id"] for item in found] == [person_id]
    detail = api.get(f"/api/persons/{person_id}").json()
    assert [event["kind"] for event in detail["events"]] == ["registration"]


def test_duplicate_id_number_is_409_with_a_code(api, org, person_data) -> None:
    data = person_data()
    body = {
        "name": data.name,
        "sex": data.sex,
        "birth_date": data.birth_date.isoformat(),
        "id_number": data.id_number,
        "community_id": org.c1.pk,
    }
    assert api.post("/api/persons", body, content_type="application/json").status_code == 201
    again = api.post("/api/persons", body, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_id_number"


def test_invalid_person_lists_problems_in_chinese(api, org) -> None:
    body = {
        "name": "李",
        "sex": "M",
        "birth_date": "1990-01-01",
        "id_number": "123",
        "community_id": org.c1.pk,
    }
    response = api.post("/api/persons", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_person"
    assert "身份证" in response.json()["message"]


def test_post_move_out_then_reverse(api, org, person_data) -> None:
    person_id = create(api, org, person_data).json()["id"]
    moved = api.post(
        "/api/events",
        {"kind": "move_out", "person_id": person_id, "date": "2026-10-01", "destination": "济南"},
        content_type="application/json",
    )
    assert moved.status_code == 201, moved.content
    assert Person.objects.get(pk=person_id).status == ResidentStatus.MOVED_OUT
    reversed_ = api.post(
        "/api/events",
        {
            "kind": "reversal",
            "event_id": moved.json()["id"],
            "date": "2026-10-02",
            "reason": "误录",
        },
        content_type="application/json",
    )
    assert reversed_.status_code == 201
    assert reversed_.json()["reverses_id"] == moved.json()["id"]
    assert Person.objects.get(pk=person_id).status == ResidentStatus.LIVING


def test_post_birth_links_the_mother(api, org, person_data) -> None:
    mother_id = create(api, org, person_data, name="王芳", sex="F").json()["id"]
    response = api.post(
        "/api/events",
        {
            "kind": "birth",
            "person_id": mother_id,
            "date": "2025-03-01",
            "person": {"name": "王小宝", "sex": "F", "birth_date": "2025-03-01"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["other_person_id"] == mother_id
    assert response.json()["data"]["birth_order"] == 1


def test_a_birth_too_close_to_a_sibling_is_400_with_a_code(api, org, person_data) -> None:
    mother_id = create(api, org, person_data, name="王芳", sex="F").json()["id"]

    def birth(born: str):
        return api.post(
            "/api/events",
            {
                "kind": "birth",
                "person_id": mother_id,
                "date": born,
                "person": {"name": "王小宝", "sex": "F", "birth_date": born},
            },
            content_type="application/json",
        )

    assert birth("2025-03-01").status_code == 201
    assert birth("2025-03-01").status_code == 201  # a twin
    refused = birth("2025-05-01")
    assert refused.status_code == 400
    assert refused.json()["code"] == "birth_too_close"
    assert "2025-03-01" in refused.json()["message"]


def test_event_on_a_foreign_person_is_404(api, org, make_person) -> None:
    stranger = make_person(org.c2, name="外人")
    response = api.post(
        "/api/events",
        {"kind": "death", "person_id": stranger.pk, "date": "2026-10-01"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not LifeEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "explode", "date": "2026-10-01"},
        {"kind": "death", "date": "not-a-date", "person_id": 1},
        {"kind": "death", "date": "2026-10-01"},
        {"kind": "divorce", "date": "2026-10-01"},
    ],
)
def test_bad_event_input_is_a_clear_4xx(api, body) -> None:
    response = api.post("/api/events", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"]


def test_households_list_and_detail(api, org, make_person, make_household) -> None:
    household = make_household(make_person(org.c1))
    make_household(make_person(org.c2, name="外人"))
    listed = api.get("/api/households").json()["items"]
    assert [item["id"] for item in listed] == [household.pk]
    detail = api.get(f"/api/households/{household.pk}").json()
    assert detail["members"][0]["relation"] == "02"


def test_age_range_filter(api, org, make_person) -> None:
    today = timezone.localdate()
    make_person(org.c1, name="老人", birth_date=today.replace(year=today.year - 70))
    make_person(org.c1, name="青年", birth_date=today.replace(year=today.year - 30))
    found = api.get("/api/persons?age_min=60").json()["items"]
    assert [item["name"] for item in found] == ["老人"]
    assert api.get("/api/persons?age_min=-1").status_code == 422
