"""The funds API: budgets, entries, vouchers and the report, scoped and checked like the pages."""

from __future__ import annotations

import json
from decimal import Decimal

from jisheng.core.roles import Role
from jisheng.funds.models import Entry, Voucher


def _post(client, url: str, body: dict, **headers: str):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_budget_entries_vouchers_and_report(staff, client_for, org, category, scan) -> None:
    client = client_for(staff)
    line = _post(
        client,
        "/api/funds/budget",
        {
            "year": 2014,
            "level": "street",
            "category_code": "census",
            "org_unit_id": org.street.pk,
            "amount": "1000.00",
        },
    )
    assert line.status_code == 200, line.content
    line_id = line.json()["id"]
    bad = client.put(
        f"/api/funds/budget/{line_id}",
        data=json.dumps({"amount": "-1"}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "amount"
    body = {
        "day": "2014-04-01",
        "category_code": "census",
        "level": "street",
        "org_unit_id": org.street.pk,
        "amount": "1200.00",
        "description": "清理清查",
    }
    first = client.post(
        "/api/funds/vouchers", body | {"attachment": scan()}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        "/api/funds/vouchers", body | {"attachment": scan()}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201, first.content
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["has_attachment"] is True
    assert Voucher.objects.count() == 1
    other_scan = client.post(
        "/api/funds/vouchers",
        body | {"attachment": scan(content=b"%PDF-1.4\n another")},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other_scan.status_code == 409
    assert Voucher.objects.count() == 1
    entries = client.get("/api/funds/entries?over_budget=true").json()
    assert [Decimal(e["amount"]) for e in entries["items"]] == [Decimal("1200.00")]
    assert client.get(f"/api/funds/budget/{line_id}").json()["over_budget"] is True
    report = client.get("/api/funds/report?first_year=2013&last_year=2014").json()
    assert Decimal(report["spent"]) == Decimal("1200.00")
    reversed_ = _post(
        client, f"/api/funds/vouchers/{first.json()['id']}/reverse", {"reason": "重复"}
    )
    assert reversed_.status_code == 200
    assert sum(e.amount for e in Entry.objects.all()) == 0


def test_only_street_staff_write_and_community_workers_read_their_own(
    staff, client_for, org, make_user, spend
) -> None:
    spend("10.00", source_id=1, level="community", unit=org.c2)
    worker = client_for(make_user(Role.COMMUNITY_WORKER))
    refused = _post(
        worker,
        "/api/funds/budget",
        {
            "year": 2014,
            "level": "community",
            "category_code": "census",
            "org_unit_id": org.c1.pk,
            "amount": "1",
        },
    )
    assert refused.status_code == 403
    assert worker.get("/api/funds/entries").json()["count"] == 0
    entry = Entry.objects.get()
    assert worker.get(f"/api/funds/entries/{entry.pk}").status_code == 404
    assert client_for(staff).get(f"/api/funds/entries/{entry.pk}").status_code == 200
    reporter = client_for(make_user(Role.PARTNER_REPORTER))
    assert reporter.get("/api/funds/entries").status_code == 403


VOUCHER = {
    "day": "2014-04-01",
    "category_code": "census",
    "level": "street",
    "amount": "80.00",
    "description": "入户登记表印制",
}


def test_a_voucher_without_a_good_scan_is_refused_like_on_the_page(
    staff, client_for, org, category, scan
) -> None:
    client = client_for(staff)
    body = VOUCHER | {"org_unit_id": org.street.pk}
    missing = client.post("/api/funds/vouchers", body)
    assert missing.status_code == 422
    assert missing.json()["code"] == "invalid_input"
    as_json = _post(client, "/api/funds/vouchers", body)
    assert as_json.status_code == 422
    renamed = client.post(
        "/api/funds/vouchers", body | {"attachment": scan("run.pdf", b"MZ\x90\x00" + b"0" * 64)}
    )
    assert renamed.status_code == 400
    assert "文件内容与文件类型不符" in renamed.json()["message"]
    wrong_type = client.post(
        "/api/funds/vouchers", body | {"attachment": scan("run.exe", b"MZ\x90\x00")}
    )
    assert wrong_type.status_code == 400
    assert not Voucher.objects.exists()
    assert not Entry.objects.exists()


def test_a_voucher_for_a_unit_out_of_scope_is_not_found(
    client_for, org, category, scan, make_user
) -> None:
    other_street_staff = make_user(Role.STREET_STAFF)
    client = client_for(other_street_staff)
    response = client.post(
        "/api/funds/vouchers",
        VOUCHER | {"org_unit_id": org.district.pk, "attachment": scan()},
    )
    assert response.status_code == 404
    assert not Voucher.objects.exists()
