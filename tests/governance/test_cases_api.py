"""The API of dispensings and case files: the same services and scope as the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import valid_id_number
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.governance.models import Case, OutletKind
from jisheng.governance.services import supervision


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_review_list_entry_becomes_a_case_followed_to_closure(make_user, org, client_for) -> None:
    today = timezone.localdate()
    staff = make_user(Role.STREET_STAFF)
    outlet = supervision.outlet_register(
        actor=Actor(user=staff), unit=org.c1, kind=OutletKind.PHARMACY, name="药店"
    )
    staff_client = client_for(staff)
    recorded = staff_client.post(
        f"/api/governance/outlets/{outlet.pk}/dispensings",
        {
            "dispensed_on": today.isoformat(),
            "drug": "米非司酮片",
            "quantity": 1,
            "buyer_name": "王芳",
            "buyer_id_number": valid_id_number(dt.date(1994, 4, 4), "F"),
        },
        content_type="application/json",
    )
    assert recorded.status_code == 201
    assert "buyer_id_number" not in recorded.json()
    review = staff_client.get("/api/governance/dispensings/review").json()
    assert [entry["dispensing"]["id"] for entry in review] == [recorded.json()["id"]]
    assert review[0]["reasons"] == ["无处方售药"]

    officer = client_for(make_user(Role.CASE_OFFICER))
    opened = officer.post(
        "/api/governance/cases",
        {
            "source": "dispensing_review",
            "summary": "无处方售药",
            "received_on": today.isoformat(),
            "dispensing_id": recorded.json()["id"],
        },
        content_type="application/json",
    )
    assert opened.status_code == 201
    case_id = opened.json()["id"]
    assert opened.json()["reported_by_me"] is True
    steps = [
        ("investigate", {"started_on": today.isoformat()}),
        (
            "transfer",
            {
                "transfer_to": "health",
                "receiving_unit": "峄城区卫生健康局",
                "reference": "卫移〔2026〕1号",
                "transferred_on": today.isoformat(),
            },
        ),
        (
            "close",
            {
                "closed_on": today.isoformat(),
                "result": "unsubstantiated",
                "result_text": "购药人持外院处方，未发现违法行为",
            },
        ),
    ]
    for step, body in steps:
        answer = officer.post(
            f"/api/governance/cases/{case_id}/{step}", body, content_type="application/json"
        )
        assert answer.status_code == 200, (step, answer.json())
    assert Case.objects.get(pk=case_id).stage == "closed"
    wrong = officer.post(
        f"/api/governance/cases/{case_id}/investigate",
        {"started_on": today.isoformat()},
        content_type="application/json",
    )
    assert wrong.status_code == 409


def test_a_bad_buyer_id_number_is_a_400_and_records_nothing(make_user, org, client_for) -> None:
    staff = make_user(Role.STREET_STAFF)
    outlet = supervision.outlet_register(
        actor=Actor(user=staff), unit=org.c1, kind=OutletKind.CLINIC, name="诊所"
    )
    answer = client_for(staff).post(
        f"/api/governance/outlets/{outlet.pk}/dispensings",
        {
            "dispensed_on": timezone.localdate().isoformat(),
            "drug": "米非司酮片",
            "quantity": 1,
            "buyer_name": "王芳",
            "buyer_id_number": "12345",
        },
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_dispensing"
