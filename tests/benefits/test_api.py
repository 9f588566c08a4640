"""The benefits API: the same services and scope as the pages, errors as {code, message}."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.benefits.models import Application, Entitlement, PaymentBatch
from support.benefits import steps_taken_on


@pytest.fixture
def child(make_family):
    _h, _w, (kid,) = make_family(
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("F", dt.date(2025, 4, 1)),),
    )
    return kid


def post(client, url: str, body: dict, **headers: str):
    return client.post(url, body, content_type="application/json", headers=headers)


def test_programs_and_find_eligible(client_for, worker, child) -> None:
    client = client_for(worker)
    programs = client.get("/api/benefits/programs").json()
    assert {"childcare-subsidy", "rural-reward-support"} <= {p["code"] for p in programs}
    eligible = client.get("/api/benefits/programs/childcare-subsidy/eligible").json()
    assert [item["id"] for item in eligible["items"]] == [child.pk]
    assert client.get("/api/benefits/programs/nope").status_code == 404
    bad_date = client.get("/api/benefits/programs/childcare-subsidy/eligible?as_of=someday")
    assert bad_date.status_code == 422
    assert bad_date.json()["code"] == "invalid_input"


def test_an_application_walks_through_the_api(client_for, worker, street, leader, child) -> None:
    worker_api, street_api = client_for(worker), client_for(street)
    created = post(
        worker_api,
        "/api/benefits/applications",
        {"program": "childcare-subsidy", "person_id": child.pk},
    )
    assert created.status_code == 201
    application_id = created.json()["id"]
    assert created.json()["actions"] == ["check", "return", "reject"]
    url = f"/api/benefits/applications/{application_id}/transitions"
    assert post(worker_api, url, {"action": "check"}).json()["state"] == "community_checked"
    refused = post(worker_api, url, {"action": "review"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert post(street_api, url, {"action": "review"}).json()["state"] == "street_reviewed"
    steps_taken_on(Application.objects.get(pk=application_id), dt.date(2025, 12, 31))
    notice = post(
        street_api,
        "/api/benefits/notices",
        {
            "program": "childcare-subsidy",
            "application_ids": [application_id],
            "starts_on": "2026-01-01",
        },
    )
    assert notice.status_code == 201
    objection = post(
        street_api,
        f"/api/benefits/applications/{application_id}/objections",
        {"content": "情况不实", "received_on": "2026-01-03"},
    )
    assert objection.status_code == 201
    early = post(client_for(leader), url, {"action": "approve"})
    assert early.status_code == 409
    resolved = post(
        street_api,
        f"/api/benefits/objections/{objection.json()['id']}/resolve",
        {"upheld": False, "resolution": "已核实"},
    )
    assert resolved.json()["upheld"] is False
    approved = post(client_for(leader), url, {"action": "approve"})
    assert approved.json()["state"] == "approved"
    assert [t["action"] for t in approved.json()["transitions"]] == [
        "submit",
        "check",
        "review",
        "publish",
        "approve",
    ]
    assert Entitlement.objects.filter(person=child).exists()


def test_an_ineligible_application_is_a_clear_400(client_for, worker, make_person) -> None:
    adult = make_person(name="成年人")
    response = post(
        client_for(worker),
        "/api/benefits/applications",
        {"program": "childcare-subsidy", "person_id": adult.pk},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_eligible"
    assert not Application.objects.exists()


def test_a_batch_key_reused_for_another_request_is_a_409(
    client_for, street, make_family, enroll, program
) -> None:
    husband, _w, _k = make_family(hukou="rural", children=(("M", dt.date(1985, 1, 1)),))
    enroll(program("rural-reward-support"), husband)
    api = client_for(street)
    body = {"program": "rural-reward-support", "period": "2026"}
    assert post(api, "/api/benefits/batches", body, **{"Idempotency-Key": "k"}).status_code == 201
    clash = post(
        api, "/api/benefits/batches", {**body, "period": "2025"}, **{"Idempotency-Key": "k"}
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "idempotency_key_reused"
    assert PaymentBatch.objects.count() == 1


def test_batches_with_an_idempotency_key_answer_the_same_twice(
    client_for, street, leader, make_family, enroll, program
) -> None:
    husband, _w, _k = make_family(hukou="rural", children=(("M", dt.date(1985, 1, 1)),))
    enroll(program("rural-reward-support"), husband)
    api = client_for(street)
    body = {"program": "rural-reward-support", "period": "2026"}
    first = post(api, "/api/benefits/batches", body, **{"Idempotency-Key": "abc"})
    again = post(api, "/api/benefits/batches", body, **{"Idempotency-Key": "abc"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["total"] == "960.00"
    without_key = post(api, "/api/benefits/batches", body)
    assert without_key.status_code == 409
    batch_id = first.json()["id"]
    assert post(api, f"/api/benefits/batches/{batch_id}/review", {}).json()["state"] == "reviewed"
    assert (
        post(client_for(leader), f"/api/benefits/batches/{batch_id}/approve", {}).json()["state"]
        == "approved"
    )
    lines = api.get(f"/api/benefits/batches/{batch_id}/payments").json()["items"]
    settled = post(
        api, f"/api/benefits/batches/{batch_id}/settle", {"payment_ids": None, "paid": True}
    )
    assert settled.json() == {"recorded": 1}
    reversed_line = post(
        client_for(leader), f"/api/benefits/payments/{lines[0]['id']}/reverse", {"reason": "重复"}
    )
    assert reversed_line.status_code == 201
    assert reversed_line.json()["amount"] == "-960.00"
    assert api.get(f"/api/benefits/batches/{batch_id}").json()["net_paid"] == "0.00"
