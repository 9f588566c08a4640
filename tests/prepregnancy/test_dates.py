"""Dates that cannot be (issue 13): checkups, referrals, pregnancies, follow-ups, contacts and
letters refuse a date before 1900, before the spouse's birth or after their death, through
the shared rule — on the page with the input kept, and in the API as a 4xx JSON code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jisheng.core.errors import JishengError
from jisheng.prepregnancy.health import EarlyFindings
from jisheng.prepregnancy.models import Checkup, Contact, FollowUp, Pregnancy
from jisheng.prepregnancy.services import checkups, contacts, couples, pregnancies
from jisheng.registry.services import events

WIFE_BORN = dt.date(1996, 4, 1)  # the ``marry`` fixture's wife
HUSBAND_BORN = dt.date(1994, 6, 1)


def test_a_checkup_before_the_spouses_birth_is_refused(actor, couple, checkup_data) -> None:
    with pytest.raises(JishengError) as refused:
        checkups.checkup_record(
            actor=actor,
            couple=couple,
            spouse="husband",
            data=checkup_data(date=HUSBAND_BORN - dt.timedelta(days=1)),
        )
    assert refused.value.code == "date_before_birth"
    assert not Checkup.objects.exists()


def test_a_checkup_before_1900_is_refused(actor, couple, checkup_data) -> None:
    with pytest.raises(JishengError) as refused:
        checkups.checkup_record(
            actor=actor, couple=couple, spouse="wife", data=checkup_data(date=dt.date(1899, 1, 1))
        )
    assert refused.value.code == "date_before_1900"


def test_a_referral_completed_after_the_persons_death_is_refused(
    actor, couple, checkup_data, street_actor, today
) -> None:
    checkup = checkups.checkup_record(
        actor=actor,
        couple=couple,
        spouse="wife",
        data=checkup_data(date=today - dt.timedelta(days=10), risk_level="high", risk_note="贫血"),
    )
    referral = checkup.referral
    events.death_record(actor=street_actor, person=couple.wife, date=today - dt.timedelta(days=5))
    with pytest.raises(JishengError) as refused:
        checkups.referral_complete(
            actor=actor, referral=referral, completed_on=today - dt.timedelta(days=2), result="正常"
        )
    assert refused.value.code == "date_after_death"


def test_a_pregnancy_reported_before_the_wifes_birth_is_refused(actor, couple) -> None:
    with pytest.raises(JishengError) as refused:
        pregnancies.pregnancy_report(
            actor=actor, couple=couple, reported_on=WIFE_BORN - dt.timedelta(days=1)
        )
    assert refused.value.code == "date_before_birth"
    assert not Pregnancy.objects.exists()


def test_a_follow_up_after_the_wifes_death_is_refused(actor, couple, street_actor, today) -> None:
    pregnancies.pregnancy_report(
        actor=actor, couple=couple, reported_on=today - dt.timedelta(days=10)
    )
    followup = FollowUp.objects.get()
    events.death_record(actor=street_actor, person=couple.wife, date=today - dt.timedelta(days=5))
    with pytest.raises(JishengError) as refused:
        pregnancies.followup_early_record(
            actor=actor,
            followup=followup,
            done_on=today - dt.timedelta(days=2),
            findings=EarlyFindings(confirmed=True, weeks=6),
        )
    assert refused.value.code == "date_after_death"
    assert FollowUp.objects.get().state == "open"


def test_a_contact_before_1900_is_refused(actor, couple) -> None:
    with pytest.raises(JishengError) as refused:
        contacts.contact_record(
            actor=actor, couple=couple, method="phone", outcome="reached", date=dt.date(1899, 5, 1)
        )
    assert refused.value.code == "date_before_1900"
    assert not Contact.objects.exists()


def test_letters_delivered_before_1900_are_refused(actor, couple) -> None:
    with pytest.raises(JishengError) as refused:
        contacts.letters_record_delivered(
            actor=actor, couple_ids=[couple.pk], date=dt.date(1899, 5, 1)
        )
    assert refused.value.code == "date_before_1900"


def test_planning_since_before_the_wifes_birth_is_refused(actor, marry) -> None:
    spouses = marry()
    with pytest.raises(JishengError) as refused:
        couples.couple_mark_planning(
            actor=actor, wife=spouses.wife, since=WIFE_BORN - dt.timedelta(days=1)
        )
    assert refused.value.code == "date_before_birth"


def test_the_pregnancy_page_shows_the_refusal_with_the_input(worker, client_for, couple) -> None:
    client: Client = client_for(worker)
    response = client.post(
        reverse("prepregnancy:pregnancy_new", args=[couple.pk]),
        {"reported_on": "1995-03-04"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"日期 1995-03-04 早于{couple.wife.name}的出生日期（1996-04-01）。" in page
    assert 'value="1995-03-04"' in page
    assert not Pregnancy.objects.exists()


def test_the_api_refuses_a_pregnancy_reported_before_the_birth_with_a_json_code(
    worker, client_for, couple
) -> None:
    response = client_for(worker).post(
        "/api/prepregnancy/pregnancies",
        {"couple_id": couple.pk, "reported_on": "1995-03-04"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "date_before_birth"
    assert "1995-03-04" in response.json()["message"]
