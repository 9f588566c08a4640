"""Publicity API: assets, activities (a retried post hands its cost once), trainings,
coverage; the same services and scope as the pages."""

from __future__ import annotations

import json

import pytest

from jisheng.core.roles import Role
from jisheng.publicity.models import Activity, Asset, CostEntry, Training

pytestmark = pytest.mark.django_db


def post(client, url: str, body: dict, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def activity_body(unit_id: int) -> dict:
    return {
        "org_unit_id": unit_id,
        "date": "2026-03-08",
        "kind": "arts_to_villages",
        "title": "送文艺下村",
        "organiser": "街道文艺宣传队",
        "partners": ["街道文化站"],
        "audience": 300,
        "cost": "2500.00",
    }


def test_activity_posted_twice_with_a_key_is_kept_and_paid_once(worker, org, client_for, ledger):
    client = client_for(worker)
    first = post(
        client, "/api/publicity/activities", activity_body(org.c1.pk), HTTP_IDEMPOTENCY_KEY="a-1"
    )
    again = post(
        client, "/api/publicity/activities", activity_body(org.c1.pk), HTTP_IDEMPOTENCY_KEY="a-1"
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["partners"] == ["街道文化站"]
    assert (Activity.objects.count(), CostEntry.objects.count(), len(ledger)) == (1, 1, 1)
    changed = activity_body(org.c1.pk) | {"cost": "1"}
    assert (
        post(client, "/api/publicity/activities", changed, HTTP_IDEMPOTENCY_KEY="a-1").status_code
        == 409
    )

    activity_id = first.json()["id"]
    corrected = post(client, f"/api/publicity/activities/{activity_id}/cost", {"cost": "2000"})
    assert [e["amount"] for e in corrected.json()] == ["-2500.00", "2000.00"]
    listed = client.get("/api/publicity/activities?year=2026").json()
    assert [item["id"] for item in listed["items"]] == [activity_id]
    assert client.get(f"/api/publicity/activities/{activity_id}").json()["cost"] == "2000.00"


def test_activity_for_another_community_is_not_found(worker, org, client_for) -> None:
    response = post(client_for(worker), "/api/publicity/activities", activity_body(org.c2.pk))
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_bad_activity_input_is_a_clear_4xx(worker, org, client_for) -> None:
    client = client_for(worker)
    for change in ({"kind": "party"}, {"cost": "-1"}, {"date": "1800-01-01"}, {"title": ""}):
        response = post(client, "/api/publicity/activities", activity_body(org.c1.pk) | change)
        assert response.status_code in {400, 422}, change
    assert not Activity.objects.exists()


def test_assets_and_trainings_through_the_api(street, worker, org, client_for, ledger) -> None:
    client = client_for(street)
    asset = post(
        client,
        "/api/publicity/assets",
        {"org_unit_id": org.c1.pk, "kind": "culture_yard", "name": "人口文化大院"},
    )
    assert asset.status_code == 201
    assert client.get("/api/publicity/assets").json()["items"][0]["name"] == "人口文化大院"
    assert client.get(f"/api/publicity/assets/{asset.json()['id']}").status_code == 200
    training = post(
        client,
        "/api/publicity/trainings",
        {
            "org_unit_id": org.street.pk,
            "topic": "专题培训班",
            "trainer": "王老师",
            "start_date": "2026-04-10",
            "end_date": "2026-04-11",
            "hours": "12",
            "attendee_ids": [worker.pk],
            "cost": "3000",
        },
    )
    assert training.status_code == 201, training.json()
    assert training.json()["attendee_ids"] == [worker.pk]
    training_id = training.json()["id"]
    assert client.get("/api/publicity/trainings?year=2026").json()["count"] == 1
    cost = post(client, f"/api/publicity/trainings/{training_id}/cost", {"cost": "0"})
    assert [e["amount"] for e in cost.json()] == ["-3000.00"]
    assert (Asset.objects.count(), Training.objects.count()) == (1, 1)


def test_workers_register_no_assets_and_leaders_read_coverage_only(
    worker, leader, org, client_for
) -> None:
    body = {"org_unit_id": org.c1.pk, "kind": "culture_yard", "name": "大院"}
    assert post(client_for(worker), "/api/publicity/assets", body).status_code == 403
    leader_client = client_for(leader)
    assert leader_client.get("/api/publicity/activities").status_code == 403
    found = leader_client.get("/api/publicity/coverage?year=2026")
    assert found.status_code == 200
    assert {row["org_unit_id"] for row in found.json()["rows"]} >= {org.c1.pk, org.c2.pk}


def test_training_attendee_outside_the_area_is_not_found(street, make_user, org, client_for):
    outsider = make_user(Role.LEADER, org.district)
    response = post(
        client_for(street),
        "/api/publicity/trainings",
        {
            "org_unit_id": org.street.pk,
            "topic": "培训",
            "trainer": "王老师",
            "start_date": "2026-04-10",
            "end_date": "2026-04-10",
            "hours": "2",
            "attendee_ids": [outsider.pk],
        },
    )
    assert response.status_code == 404
