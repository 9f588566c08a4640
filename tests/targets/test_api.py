"""The targets API: the same services as the pages, scoped to the caller, 4xx on bad input."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jisheng.targets.models import BookState

API = "/api/targets"


def test_draft_lines_sign_assess_and_approve_by_api(
    org, staff, leader, client_for, last_year
) -> None:
    client = client_for(staff.user)
    created = client.post(
        f"{API}/books",
        {"year": last_year, "kind": "community", "community_id": org.c1.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    book_id = created.json()["id"]
    for indicator, weight in (
        ("targets.joint_meetings_monthly", 60),
        ("benefits.decided_in_time", 40),
    ):
        response = client.post(
            f"{API}/books/{book_id}/lines",
            {
                "indicator": indicator,
                "target": "90",
                "floor": "50",
                "scoring": "linear",
                "weight": weight,
            },
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
    over = client.post(
        f"{API}/books/{book_id}/lines",
        {
            "indicator": "benefits.annual_review_completed",
            "target": "100",
            "floor": "0",
            "scoring": "step",
            "weight": 1,
        },
        content_type="application/json",
    )
    assert over.status_code == 400
    assert over.json()["code"] == "weights"
    signed = client.post(
        f"{API}/books/{book_id}/sign",
        {"party_signatory": "社居书记", "signed_on": f"{last_year}-01-10"},
        content_type="application/json",
    )
    assert signed.json()["state"] == BookState.SIGNED
    run = client.post(
        f"{API}/books/{book_id}/assessments", {"quarter": 1}, content_type="application/json"
    )
    assert run.status_code == 200
    assessment_id = run.json()["id"]
    assert len(run.json()["lines"]) == 2
    assert client.post(f"{API}/assessments/{assessment_id}/approve").status_code == 403
    approved = client_for(leader.user).post(f"{API}/assessments/{assessment_id}/approve")
    assert approved.json()["state"] == "approved"
    copied = client.post(
        f"{API}/books/{book_id}/copy", {"year": last_year + 1}, content_type="application/json"
    )
    assert copied.status_code == 201
    assert copied.json()["state"] == "draft"
    assert len(copied.json()["lines"]) == 2


def test_bad_input_is_a_4xx(org, staff, client_for, last_year) -> None:
    client = client_for(staff.user)
    assert client.post(
        f"{API}/books", {"year": 1800, "kind": "community"}, content_type="application/json"
    ).status_code in (400, 422)
    assert (
        client.post(
            f"{API}/books",
            {"year": last_year, "kind": "community"},
            content_type="application/json",
        ).status_code
        == 400
    )
    assert client.get(f"{API}/books/999999").status_code == 404
    assert client.get(f"{API}/ranking", {"year": "x"}).status_code in (400, 422)


def test_meetings_and_action_items_by_api(org, staff, worker, client_for) -> None:
    today = timezone.localdate()
    client = client_for(staff.user)
    meeting = client.post(
        f"{API}/meetings",
        {
            "kind": "joint",
            "date": today.isoformat(),
            "title": "联席会",
            "attendee_ids": [worker.pk],
        },
        content_type="application/json",
    )
    assert meeting.status_code == 201, meeting.content
    meeting_id = meeting.json()["id"]
    item = client.post(
        f"{API}/meetings/{meeting_id}/action-items",
        {
            "description": "核对花名册",
            "owner_id": worker.pk,
            "due_on": (today + dt.timedelta(days=7)).isoformat(),
        },
        content_type="application/json",
    )
    assert item.status_code == 201
    assert [i["id"] for i in client.get(f"{API}/meetings/{meeting_id}/action-items").json()] == [
        item.json()["id"]
    ]
    done = client_for(worker).post(
        f"{API}/action-items/{item.json()['id']}/done",
        {"done_on": today.isoformat()},
        content_type="application/json",
    )
    assert done.json()["status"] == "done"
    future = client.post(
        f"{API}/meetings",
        {"kind": "joint", "date": (today + dt.timedelta(days=3)).isoformat(), "title": "未来"},
        content_type="application/json",
    )
    assert future.status_code == 400
