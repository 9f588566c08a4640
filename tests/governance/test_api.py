"""The governance API: a pregnancy reported and closed by API, the overdue filter, the SRB
figures; other communities' records answer 404; bad input is a 4xx, never a 500."""

from __future__ import annotations

import datetime as dt

from jisheng.core.roles import Role

API = "/api/governance"


def test_report_and_close_a_floating_womans_pregnancy_by_api(
    org, actor, woman, today, client_for, settings
) -> None:
    settings.JISHENG_PREGNANCY_OVERDUE_WEEKS = 2  # expected 20 days ago: overdue after 14
    her = woman(floating=True)
    client = client_for(actor.user)
    created = client.post(
        f"{API}/pregnancies",
        {
            "woman_id": her.pk,
            "reported_on": today.isoformat(),
            "last_period": (today - dt.timedelta(days=300)).isoformat(),
            "source": "clinic",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["source"] == "clinic"
    assert body["community_id"] == org.c1.pk
    overdue = client.get(f"{API}/pregnancies", {"overdue": "true"}).json()["items"]
    assert [p["id"] for p in overdue] == [body["id"]]
    closed = client.post(
        f"{API}/pregnancies/{body['id']}/outcome",
        {
            "done_on": today.isoformat(),
            "outcome": "live_birth",
            "outcome_date": today.isoformat(),
            "sex": "M",
            "weight_g": 3300,
        },
        content_type="application/json",
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["closed"] is True
    assert client.get(f"{API}/pregnancies", {"overdue": "true"}).json()["items"] == []


def test_bad_input_and_other_communities(org, actor, make_user, woman, today, client_for) -> None:
    client = client_for(actor.user)
    other = woman(org.c2)
    refused = client.post(
        f"{API}/pregnancies",
        {"woman_id": other.pk, "reported_on": today.isoformat(), "last_period": "x"},
        content_type="application/json",
    )
    assert refused.status_code in (400, 422)
    foreign = client.post(
        f"{API}/pregnancies",
        {
            "woman_id": other.pk,
            "reported_on": today.isoformat(),
            "last_period": today.isoformat(),
        },
        content_type="application/json",
    )
    assert foreign.status_code == 404
    assert client.get(f"{API}/srb", {"period": "2026Q9"}).status_code == 400
    assert client.get(f"{API}/srb", {"period": "2026", "level": "moon"}).status_code == 422


def test_srb_figures_by_api(org, street_actor, make_user, woman, birth, today, client_for) -> None:
    mother = woman(org.c1)
    birth(mother, "M", today)
    birth(mother, "F", today)
    client = client_for(street_actor.user)
    rows = client.get(f"{API}/srb", {"period": f"R{today:%Y-%m}"}).json()
    c1 = next(r for r in rows if r["unit_id"] == org.c1.pk)
    assert (c1["boys"], c1["girls"], c1["ratio"], c1["verdict"]) == (1, 1, 100.0, "too_few")
    partner = client_for(make_user(Role.PARTNER_REPORTER))
    assert partner.get(f"{API}/srb", {"period": "2026"}).status_code == 403
