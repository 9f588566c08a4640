"""The audit trail of the module: details hold record ids and counts, never a health value
(the security auditor reads and exports them without a health duty); every page that shows
a couple's name in a health context records a view."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from jisheng.audit.models import AuditEvent
from jisheng.prepregnancy.health import EarlyFindings, OutcomeDetails, ReproductiveHistory
from jisheng.prepregnancy.models import FollowUp, FollowUpKind, Referral
from jisheng.prepregnancy.services import checkups, contacts, couples, pregnancies

DAY = dt.timedelta(days=1)


def _ids_and_counts(value: object) -> bool:
    if isinstance(value, list):
        return all(_ids_and_counts(item) for item in value)
    return value is None or isinstance(value, bool | int)


def test_audit_details_of_every_change_hold_ids_and_counts_only(
    actor, couple, marry, checkup_data, today, settings, tmp_path
) -> None:
    settings.JISHENG_SMS_BACKEND = "jisheng.prepregnancy.sms.FileBackend"
    settings.JISHENG_SMS_DIR = tmp_path
    planned_since = today - 3 * DAY
    couples.couple_mark_planning(actor=actor, wife=couple.wife, since=planned_since)
    contacts.contact_record(
        actor=actor,
        couple=couple,
        method="phone",
        outcome="appointment",
        date=today - 2 * DAY,
        appointment_date=today,
        note="周五上午",
    )
    contacts.contact_send_sms(actor=actor, couple=couple)
    contacts.sms_opt_out_set(actor=actor, couple=couple, spouse="husband", opted_out=True)
    contacts.letters_record_delivered(actor=actor, couple_ids=[couple.pk], date=today)
    wife = checkups.checkup_record(
        actor=actor,
        couple=couple,
        spouse="wife",
        data=checkup_data(
            risk_level="high",
            risk_factor_codes=["rubella_susceptible"],
            history=ReproductiveHistory(pregnancies=1, miscarriages=1),
            advice="接种风疹疫苗",
        ),
    )
    checkups.checkup_record(actor=actor, couple=couple, spouse="husband", data=checkup_data())
    checkups.referral_complete(
        actor=actor, referral=Referral.objects.get(checkup=wife), completed_on=today, result="会诊"
    )
    last_period = today - dt.timedelta(days=50)
    unconfirmed = pregnancies.pregnancy_report(
        actor=actor, couple=couple, reported_on=today - DAY, last_period=last_period
    )
    pregnancies.followup_early_record(
        actor=actor,
        followup=unconfirmed.followups.get(kind=FollowUpKind.EARLY),
        done_on=today,
        findings=EarlyFindings(confirmed=False),
    )
    pregnancy = pregnancies.pregnancy_report(actor=actor, couple=couple, reported_on=today)
    pregnancies.followup_early_record(
        actor=actor,
        followup=pregnancy.followups.get(kind=FollowUpKind.EARLY),
        done_on=today,
        findings=EarlyFindings(weeks=8),
    )
    outcome_date = today - DAY
    pregnancies.followup_outcome_record(
        actor=actor,
        followup=FollowUp.objects.get(pregnancy=pregnancy, kind=FollowUpKind.OUTCOME),
        done_on=today,
        outcome="miscarriage",
        outcome_date=outcome_date,
        details=OutcomeDetails(weeks=9, note="自然流产"),
    )
    marry()
    couples.target_couples_refresh(actor=actor)

    events = AuditEvent.objects.filter(object_type__startswith="prepregnancy.")
    changes = events.filter(action__in=["create", "update", "delete"])
    assert changes.count() >= 15
    for event in changes:
        assert all(_ids_and_counts(v) for v in event.detail.values()), (event.pk, event.detail)
    trail = json.dumps([event.detail for event in events], ensure_ascii=False)
    coded = ["high", "general", "miscarriage", "not_confirmed", "appointment", "phone", "sms"]
    dates = [planned_since, today - 2 * DAY, today, last_period, outcome_date]
    free_text = ["周五上午", "风疹", "会诊", "自然流产", "rubella", couple.wife.name]
    for value in [*coded, *(day.isoformat() for day in dates), *free_text]:
        assert value not in trail, value


@pytest.fixture
def high_risk_couple(actor, couple, checkup_data, today):
    checkups.checkup_record(
        actor=actor,
        couple=couple,
        spouse="wife",
        data=checkup_data(risk_level="high", risk_note="x"),
    )
    pregnancies.pregnancy_report(actor=actor, couple=couple, reported_on=today)
    return couple


def test_each_form_page_naming_a_couple_records_a_view(
    worker, client_for, high_risk_couple
) -> None:
    couple = high_risk_couple
    client = client_for(worker)
    referral = Referral.objects.get()
    followup = FollowUp.objects.get()
    pages = [
        (reverse("prepregnancy:checkup_new", args=[couple.pk]) + "?spouse=husband", couple),
        (reverse("prepregnancy:pregnancy_new", args=[couple.pk]), couple),
        (reverse("prepregnancy:referral_complete", args=[referral.pk]), referral),
        (reverse("prepregnancy:followup_record", args=[followup.pk]), followup),
    ]
    for url, record in pages:
        before = AuditEvent.objects.filter(action="view").count()
        assert client.get(url).status_code == 200, url
        views = AuditEvent.objects.filter(action="view").order_by("pk")[before:]
        assert [(e.object_type, e.object_id, e.detail) for e in views] == [
            (record._meta.label_lower, str(record.pk), {"couple": couple.pk})
        ], url


def test_a_refused_form_page_records_no_view(worker, client_for, couple) -> None:
    client = client_for(worker)
    url = reverse("prepregnancy:checkup_new", args=[couple.pk]) + "?spouse=sister"
    assert client.get(url).status_code == 400
    assert not AuditEvent.objects.filter(action="view").exists()
