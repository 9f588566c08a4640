"""The API under /api/prepregnancy/: same services, same scope, JSON errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from jisheng.audit.models import AuditEvent
from jisheng.core.roles import Role
from jisheng.prepregnancy.models import Checkup, FollowUp, Referral, TargetCouple

BASE = "/api/prepregnancy"


@pytest.fixture
def api(worker, client_for) -> Client:
    return client_for(worker)


def post(api: Client, path: str, body: object):
    return api.post(BASE + path, body, content_type="application/json")


def test_refresh_then_list_then_detail(api, marry) -> None:
    spouses = marry(floating=True)
    refreshed = api.post(BASE + "/couples/refresh")
    assert refreshed.status_code == 200
    assert refreshed.json()["created"] == 1
    items = api.get(BASE + "/couples?state=to_notify").json()["items"]
    assert [item["wife"]["name"] for item in items] == [spouses.wife.name]
    assert items[0]["wife"]["is_floating"] is True
    assert "id_number" not in items[0]["wife"]
    detail = api.get(f"{BASE}/couples/{items[0]['id']}").json()
    assert detail["state"] == "to_notify"
    assert detail["sms_recipients"] == 2


def test_contact_checkup_and_referral_through_the_api(api, couple, today) -> None:
    contact = post(
        api,
        "/contacts",
        {"couple_id": couple.pk, "method": "phone", "outcome": "reached", "date": str(today)},
    )
    assert contact.status_code == 201, contact.content
    checkup = post(
        api,
        "/checkups",
        {
            "couple_id": couple.pk,
            "spouse": "wife",
            "institution": "峄城区妇幼保健院",
            "date": str(today),
            "items": ["laboratory"],
            "results": {"hbsag": "positive"},
            "reproductive_history": {"pregnancies": 1, "miscarriages": 1},
            "risk_level": "high",
            "risk_factors": ["hepatitis_b"],
        },
    )
    assert checkup.status_code == 201, checkup.content
    body = checkup.json()
    assert body["results"] == {"hbsag": "positive"}
    assert body["reproductive_history"]["miscarriages"] == 1
    assert body["referral_id"] == Referral.objects.get().pk
    detail = api.get(f"{BASE}/checkups/{body['id']}")
    assert detail.json()["risk_factors"] == ["hepatitis_b"]
    assert AuditEvent.objects.filter(action="view", object_type="prepregnancy.checkup").count() == 2
    overdue = api.get(BASE + "/referrals?state=open").json()["items"]
    assert [r["id"] for r in overdue] == [body["referral_id"]]
    done = post(
        api,
        f"/referrals/{body['referral_id']}/complete",
        {"completed_on": str(today), "result": "已转诊"},
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "done"


def test_pregnancy_and_followups_through_the_api(api, couple, today) -> None:
    created = post(
        api,
        "/pregnancies",
        {
            "couple_id": couple.pk,
            "reported_on": str(today),
            "last_period": str(today - dt.timedelta(weeks=5)),
        },
    )
    assert created.status_code == 201, created.content
    early = created.json()["followups"][0]
    assert early["kind"] == "early"
    assert early["due_date"] == str(today + dt.timedelta(weeks=7))
    recorded = post(api, f"/followups/{early['id']}/early", {"done_on": str(today), "weeks": 5})
    assert recorded.status_code == 200, recorded.content
    outcome = FollowUp.objects.get(kind="outcome")
    listed = api.get(BASE + "/followups?state=open&kind=outcome").json()["items"]
    assert [f["id"] for f in listed] == [outcome.pk]
    wrong_kind = post(api, f"/followups/{outcome.pk}/early", {"done_on": str(today)})
    assert wrong_kind.status_code == 400
    assert wrong_kind.json()["code"] == "wrong_kind"


def test_bad_input_is_a_clear_4xx(api, couple, today) -> None:
    missing = post(api, "/contacts", {"couple_id": couple.pk})
    assert missing.status_code == 422
    future = post(
        api,
        "/contacts",
        {"couple_id": couple.pk, "method": "phone", "outcome": "reached", "date": "2999-01-01"},
    )
    assert (future.status_code, future.json()["code"]) == (400, "future_date")
    followup_body = api.post(
        BASE + "/referrals/999999/complete", "not json", content_type="application/json"
    )
    assert followup_body.status_code == 404  # scope first, whatever the body
    api.post(
        BASE + "/pregnancies",
        {"couple_id": couple.pk, "reported_on": str(today)},
        content_type="application/json",
    )
    followup = FollowUp.objects.get()
    no_body = api.post(f"{BASE}/followups/{followup.pk}/early")
    assert no_body.status_code in (400, 422)
    bad_json = api.post(
        f"{BASE}/followups/{followup.pk}/early", "{", content_type="application/json"
    )
    assert bad_json.status_code == 400
    invalid = post(api, f"/followups/{followup.pk}/early", {"done_on": "x", "weeks": 99})
    assert invalid.status_code == 422
    assert {tuple(e["loc"]) for e in invalid.json()["errors"]} == {
        ("body", "done_on"),
        ("body", "weeks"),
    }


def test_another_communitys_couple_is_404(api, org, marry, make_user, client_for, today) -> None:
    spouses = marry(community=org.c2)
    other = client_for(make_user(Role.COMMUNITY_WORKER, org.c2))
    other.post(BASE + "/couples/refresh")
    foreign = TargetCouple.objects.get(wife=spouses.wife)
    assert api.get(f"{BASE}/couples/{foreign.pk}").status_code == 404
    contact = post(
        api,
        "/contacts",
        {"couple_id": foreign.pk, "method": "phone", "outcome": "reached", "date": str(today)},
    )
    assert contact.status_code == 404
    checkup = post(
        api,
        "/checkups",
        {
            "couple_id": foreign.pk,
            "spouse": "wife",
            "institution": "x",
            "date": str(today),
            "risk_level": "general",
        },
    )
    assert checkup.status_code == 404
    assert not Checkup.objects.exists()
    assert api.get(BASE + "/couples").json()["count"] == 0


def test_roles_without_a_health_duty_get_403(make_user, client_for) -> None:
    leader = client_for(make_user(Role.LEADER))
    response = leader.get(BASE + "/couples")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


# Every operation of the module with a well-formed body; ids that exist nowhere and a period
# that ends before it starts, so a missing duty check would show as 404 or 400.
NOWHERE = 987654321
DAY = "2026-01-02"
CALLS: dict[tuple[str, str], tuple[str, object]] = {
    ("get", "/couples"): ("/couples", None),
    ("post", "/couples/refresh"): ("/couples/refresh", None),
    ("post", "/couples/planning"): ("/couples/planning", {"wife_id": NOWHERE}),
    ("get", "/couples/{couple_id}"): (f"/couples/{NOWHERE}", None),
    ("get", "/couples/{couple_id}/contacts"): (f"/couples/{NOWHERE}/contacts", None),
    ("post", "/couples/{couple_id}/sms"): (f"/couples/{NOWHERE}/sms", None),
    ("put", "/couples/{couple_id}/sms-opt-out"): (
        f"/couples/{NOWHERE}/sms-opt-out",
        {"spouse": "wife", "opted_out": True},
    ),
    ("get", "/couples/{couple_id}/checkups"): (f"/couples/{NOWHERE}/checkups", None),
    ("post", "/contacts"): (
        "/contacts",
        {"couple_id": NOWHERE, "method": "phone", "outcome": "reached", "date": DAY},
    ),
    ("post", "/checkups"): (
        "/checkups",
        {
            "couple_id": NOWHERE,
            "spouse": "wife",
            "institution": "x",
            "date": DAY,
            "risk_level": "general",
        },
    ),
    ("get", "/checkups/{checkup_id}"): (f"/checkups/{NOWHERE}", None),
    ("get", "/referrals"): ("/referrals", None),
    ("post", "/referrals/{checkup_referral_id}/complete"): (
        f"/referrals/{NOWHERE}/complete",
        {"completed_on": DAY, "result": "x"},
    ),
    ("get", "/risk-factors"): ("/risk-factors", None),
    ("post", "/risk-factors/{risk_factor_id}/active"): (
        f"/risk-factors/{NOWHERE}/active",
        {"active": False},
    ),
    ("post", "/pregnancies"): ("/pregnancies", {"couple_id": NOWHERE, "reported_on": DAY}),
    ("post", "/pregnancies/{pregnancy_id}/birth"): (
        f"/pregnancies/{NOWHERE}/birth",
        {"birth_event_id": NOWHERE},
    ),
    ("get", "/followups"): ("/followups", None),
    ("post", "/followups/{pregnancy_followup_id}/early"): (
        f"/followups/{NOWHERE}/early",
        {"done_on": DAY},
    ),
    ("post", "/followups/{pregnancy_followup_id}/outcome"): (
        f"/followups/{NOWHERE}/outcome",
        {"done_on": DAY, "outcome": "live_birth", "outcome_date": DAY},
    ),
    ("get", "/indicators"): ("/indicators?start=2026-12-31&end=2026-01-01", None),
}


def test_every_operation_refuses_a_role_without_a_health_duty_first(make_user, client_for) -> None:
    leader = client_for(make_user(Role.LEADER))
    schema = leader.get("/api/openapi.json").json()
    operations = {
        (method, path.removeprefix(BASE))
        for path, methods in schema["paths"].items()
        if path.startswith(BASE + "/")
        for method in methods
    }
    assert operations == set(CALLS), "add the new operation to CALLS"
    for (method, path), (url, body) in CALLS.items():
        response = getattr(leader, method)(
            BASE + url,
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
        )
        if path == "/indicators":
            # Counts are open to leaders (VIEW_AGGREGATES): past the duty, the bad period.
            assert response.status_code == 400, url
            continue
        assert (response.status_code, response.json()["code"]) == (403, "forbidden"), url


def test_planning_opt_out_indicators_and_risk_factors(api, marry, couple) -> None:
    spouses = marry(days_ago=3000)
    created = post(api, "/couples/planning", {"wife_id": spouses.wife.pk})
    assert created.status_code == 201
    again = post(api, "/couples/planning", {"wife_id": spouses.wife.pk})
    assert again.status_code == 200
    opted = api.put(
        f"{BASE}/couples/{couple.pk}/sms-opt-out",
        {"spouse": "wife", "opted_out": True},
        content_type="application/json",
    )
    assert opted.status_code == 200
    assert api.get(f"{BASE}/couples/{couple.pk}").json()["sms_opted_out"] == ["wife"]
    rows = api.get(BASE + "/indicators").json()
    assert rows[-1]["community_name"] == "合计"
    assert rows[-1]["counts"]["targets"] == 2
    factors = api.get(BASE + "/risk-factors").json()
    assert any(f["code"] == "hepatitis_b" for f in factors)
    refused = post(api, f"/risk-factors/{factors[0]['id']}/active", {"active": False})
    assert refused.status_code == 403
