"""公示 dates: a notice may be entered after it was posted, but never start before an
application on it passed street review; approval checks every application was listed for the
whole period, and the notice page shows the days each one was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jisheng.benefits.models import Entitlement, PublicNotice
from jisheng.benefits.services.applications import application_create, application_transition
from jisheng.benefits.services.notices import notice_publish
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from support.benefits import steps_taken_on

pytestmark = pytest.mark.django_db

REVIEWED = dt.date(2026, 10, 31)


@pytest.fixture
def child(make_family):
    _h, _w, (kid,) = make_family(
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("M", dt.date(2025, 5, 5)),),
    )
    return kid


@pytest.fixture
def application(program, child, worker, street):
    subsidy = program("childcare-subsidy")
    taken = application_create(actor=Actor(user=worker), program=subsidy, person=child)
    application_transition(actor=Actor(user=worker), application=taken, action="check")
    application_transition(actor=Actor(user=street), application=taken, action="review")
    steps_taken_on(taken, REVIEWED)
    return taken


def publish(street, application, starts_on: dt.date) -> PublicNotice:
    return notice_publish(
        actor=Actor(user=street),
        program=application.program,
        application_ids=[application.pk],
        starts_on=starts_on,
    )


def test_a_notice_posted_before_its_entry_but_after_the_review_is_taken(
    street, application
) -> None:
    notice = publish(street, application, REVIEWED)
    assert (notice.starts_on, notice.ends_on) == (REVIEWED, dt.date(2026, 11, 6))


def test_a_notice_starting_before_the_street_review_is_refused(street, application) -> None:
    with pytest.raises(JishengError) as refused:
        publish(street, application, REVIEWED - dt.timedelta(days=1))
    assert refused.value.code == "notice_before_review"
    assert "2026-10-31" in str(refused.value.message)
    assert not PublicNotice.objects.exists()
    application.refresh_from_db()
    assert application.state == "street_reviewed"


@pytest.mark.parametrize(
    ("starts_on", "code"),
    [
        (dt.date(1899, 12, 31), "date_too_early"),
        (dt.date(1, 1, 1), "date_too_early"),
        (None, "date_too_far_ahead"),
    ],
)
def test_impossible_start_dates_are_refused(street, application, starts_on, code) -> None:
    day = starts_on or timezone.localdate() + dt.timedelta(days=31)
    with pytest.raises(JishengError) as refused:
        publish(street, application, day)
    assert refused.value.code == code


def test_approval_refuses_an_application_not_listed_for_the_whole_period(
    street, leader, application
) -> None:
    notice = publish(street, application, REVIEWED)
    # A notice backdated before this check existed: the application was reviewed after it began.
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=dt.date(2026, 10, 20), ends_on=dt.date(2026, 10, 26)
    )
    with pytest.raises(Conflict) as refused:
        application_transition(
            actor=Actor(user=leader),
            application=application,
            action="approve",
            today=dt.date(2026, 11, 20),
        )
    assert refused.value.code == "notice_incomplete"
    assert not Entitlement.objects.exists()


def test_the_notice_page_shows_the_days_each_application_was_listed(
    client_for, street, application
) -> None:
    notice = publish(street, application, REVIEWED)
    page = client_for(street).get(f"/benefits/notices/{notice.pk}/").content.decode()
    assert "2026-10-31 – 2026-11-06" in page
    assert "不满公示期" not in page
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=dt.date(2026, 10, 28), ends_on=dt.date(2026, 11, 3)
    )
    page = client_for(street).get(f"/benefits/notices/{notice.pk}/").content.decode()
    assert "2026-10-31 – 2026-11-03" in page
    assert "不满公示期" in page


def test_the_page_keeps_the_input_and_says_why_in_chinese(client_for, street, application) -> None:
    response = client_for(street).post(
        "/benefits/programs/childcare-subsidy/notice/",
        {"application_ids": [application.pk], "starts_on": "2026-10-01", "days": 7, "title": "X"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="2026-10-01"' in body
    assert "才通过街道审核" in body
    assert not PublicNotice.objects.exists()


def test_the_api_answers_a_4xx_with_code_and_message(client_for, street, application) -> None:
    response = client_for(street).post(
        "/api/benefits/notices",
        {
            "program": "childcare-subsidy",
            "application_ids": [application.pk],
            "starts_on": "1899-05-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "date_too_early"
    assert response.json()["message"]


def test_a_refused_approval_on_the_page_shows_the_reason_and_keeps_the_comment(
    client_for, street, leader, application
) -> None:
    publish(street, application, timezone.localdate())
    response = client_for(leader).post(
        f"/benefits/applications/{application.pk}/act/",
        {"action": "approve", "comment": "材料齐全"},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="refusal"' in body
    assert 'value="材料齐全"' in body
    refusal = body.split('data-testid="refusal"')[1].split("</div>")[0]
    assert "公示" in refusal
    application.refresh_from_db()
    assert application.state == "in_notice"
