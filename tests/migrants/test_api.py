"""The API: records and partner reports through the same services, scoped alike."""

from __future__ import annotations

import json

import pytest

from jisheng.migrants.models import MigrantRecord, PartnerReport

pytestmark = pytest.mark.django_db


def post(client, url: str, body: dict, **headers: str):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_partner_reports_and_worker_confirms_over_the_api(
    client_for, worker, landlord, make_partner
):
    from support.migrants import tenant

    data = tenant()
    body = {
        "kind": "move_in",
        "name": data.name,
        "id_number": data.id_number,
        "moved_on": "2026-03-01",
        "hukou_type": "rural",
        "region_code": "510722",
        "address": "枣园小区",
    }
    partner = client_for(landlord.account)
    first = post(partner, "/api/migrants/reports", body)
    assert first.status_code == 201
    assert post(partner, "/api/migrants/reports", body).json()["id"] == first.json()["id"]
    other = client_for(make_partner("李房东").account)
    assert other.get("/api/migrants/reports").json()["items"] == []
    assert other.get(f"/api/migrants/reports/{first.json()['id']}").status_code == 404
    bad = post(partner, "/api/migrants/reports", {**body, "moved_on": "2099-01-01"})
    assert bad.status_code == 400
    staff = client_for(worker)
    done = post(staff, f"/api/migrants/reports/{first.json()['id']}/confirm", {})
    assert done.json()["state"] == "confirmed"
    response = staff.get(f"/api/migrants/records/{done.json()['record_id']}")
    assert response.status_code == 200, response.content
    record = response.json()
    assert record["region_name"] == "四川省绵阳市三台县"
    assert record["kind"] == "inflow"
    listed = staff.get("/api/migrants/records?kind=inflow").json()["items"]
    assert [r["id"] for r in listed] == [record["id"]]
    assert partner.get(f"/api/migrants/records/{record['id']}").status_code in {403, 404}
    assert PartnerReport.objects.count() == 1


def test_inflow_over_the_api_is_idempotent_with_a_key(client_for, worker, org) -> None:
    from support.migrants import tenant

    data = tenant()
    body = {
        "community_id": org.c1.pk,
        "person": {"name": data.name, "sex": "F", "id_number": data.id_number},
        "region_code": "510722",
        "moved_on": "2026-03-01",
        "address": "枣园小区",
    }
    staff = client_for(worker)
    first = post(staff, "/api/migrants/inflow", body, HTTP_IDEMPOTENCY_KEY="k1")
    again = post(staff, "/api/migrants/inflow", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201, first.content.decode()
    assert again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert MigrantRecord.objects.count() == 1
    bad = post(staff, "/api/migrants/inflow", {**body, "region_code": "999999"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_region"
