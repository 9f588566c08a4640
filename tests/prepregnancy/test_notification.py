"""Notifying couples: logged contacts, the SMS backend and opt-out, notice letters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.roles import Role
from jisheng.prepregnancy import sms
from jisheng.prepregnancy.models import Contact, CoupleState, SmsOptOut, TargetCouple
from jisheng.prepregnancy.services import contacts, couples
from jisheng.registry.models import Person


class RecordingBackend:
    """A gateway stand-in that remembers what it was given."""

    sent: list[sms.SmsMessage] = []

    def send(self, messages: Sequence[sms.SmsMessage]) -> sms.SmsDelivery:
        type(self).sent.extend(messages)
        return sms.SmsDelivery.SENT


class FailingBackend:
    def send(self, messages: Sequence[sms.SmsMessage]) -> sms.SmsDelivery:
        raise sms.SmsError()


@pytest.fixture
def sms_dir(settings, tmp_path) -> Path:
    settings.JISHENG_SMS_BACKEND = "jisheng.prepregnancy.sms.FileBackend"
    settings.JISHENG_SMS_DIR = tmp_path / "sms"
    return settings.JISHENG_SMS_DIR


def sent_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.txt")) if folder.exists() else []


def test_a_phone_call_with_an_appointment_moves_the_couple_on(actor, couple, today) -> None:
    contact = contacts.contact_record(
        actor=actor,
        couple=couple,
        method="phone",
        outcome="appointment",
        date=today,
        appointment_date=today + dt.timedelta(days=5),
        note="周五上午",
    )
    couple.refresh_from_db()
    assert couple.state == CoupleState.APPOINTMENT
    assert (contact.worker, contact.appointment_date) == (actor.user, today + dt.timedelta(days=5))
    assert AuditEvent.objects.filter(object_type="prepregnancy.contact", action="create").exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"method": "sms"}, "invalid_method"),
        ({"outcome": "maybe"}, "invalid_outcome"),
        ({"outcome": "appointment"}, "invalid_appointment"),
        ({"note": "长" * 201}, "invalid_note"),
        ({"date": dt.date(2999, 1, 1)}, "future_date"),
    ],
)
def test_contacts_that_cannot_be_right_are_refused(actor, couple, today, changes, code) -> None:
    fields = {"method": "home_visit", "outcome": "reached", "date": today, **changes}
    with pytest.raises(JishengError) as refused:
        contacts.contact_record(actor=actor, couple=couple, **fields)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert not Contact.objects.exists()


def test_a_couple_outside_the_area_is_not_found(actor, marry, org, make_user, today) -> None:
    other = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    spouses = marry(community=org.c2)
    couples.target_couples_refresh(actor=other)
    foreign = TargetCouple.objects.get(wife=spouses.wife)
    with pytest.raises(NotFound):
        contacts.contact_record(
            actor=actor, couple=foreign, method="phone", outcome="reached", date=today
        )


def test_the_file_backend_writes_each_message_to_the_instance_folder(
    actor, couple, sms_dir
) -> None:
    contact = contacts.contact_send_sms(actor=actor, couple=couple)
    files = sent_files(sms_dir)
    assert len(files) == 2
    texts = [path.read_text(encoding="utf-8") for path in files]
    phones = {couple.wife.phone, couple.husband.phone}
    assert {text.splitlines()[0].removeprefix("To: ") for text in texts} == phones
    assert all(couple.wife.name in text and couple.community.name in text for text in texts)
    assert all(oct(path.stat().st_mode & 0o777) == "0o600" for path in files)
    # Written to a folder is queued, not sent: nobody has been told yet.
    assert (contact.method, contact.outcome) == ("sms", "sms_queued")
    assert couple.wife.phone not in contact.note  # the log keeps masked numbers only
    couple.refresh_from_db()
    assert couple.state == CoupleState.TO_NOTIFY


def test_an_opted_out_spouse_gets_no_message(actor, couple, sms_dir) -> None:
    contacts.sms_opt_out_set(actor=actor, couple=couple, spouse="husband", opted_out=True)
    contacts.contact_send_sms(actor=actor, couple=couple)
    files = sent_files(sms_dir)
    assert [path.read_text(encoding="utf-8").splitlines()[0] for path in files] == [
        f"To: {couple.wife.phone}"
    ]
    assert SmsOptOut.objects.filter(person=couple.husband).exists()


def test_when_nobody_can_receive_a_message_nothing_is_sent_or_logged(
    actor, couple, sms_dir
) -> None:
    contacts.sms_opt_out_set(actor=actor, couple=couple, spouse="wife", opted_out=True)
    Person.objects.filter(pk=couple.husband_id).update(phone=None)
    with pytest.raises(Conflict) as refused:
        contacts.contact_send_sms(actor=actor, couple=couple)
    assert refused.value.code == "no_sms_recipient"
    assert sent_files(sms_dir) == []
    assert not Contact.objects.exists()


def test_opting_back_in_resumes_messages(actor, couple, sms_dir) -> None:
    contacts.sms_opt_out_set(actor=actor, couple=couple, spouse="wife", opted_out=True)
    contacts.sms_opt_out_set(actor=actor, couple=couple, spouse="wife", opted_out=False)
    assert not SmsOptOut.objects.exists()
    contacts.contact_send_sms(actor=actor, couple=couple)
    assert len(sent_files(sms_dir)) == 2
    assert (
        AuditEvent.objects.filter(
            object_type="prepregnancy.smsoptout", action__in=["create", "delete"]
        ).count()
        == 2
    )


def test_the_backend_is_the_one_the_setting_names(actor, couple, settings) -> None:
    settings.JISHENG_SMS_BACKEND = f"{__name__}.RecordingBackend"
    RecordingBackend.sent = []
    contacts.contact_send_sms(actor=actor, couple=couple)
    assert {message.to for message in RecordingBackend.sent} == {
        couple.wife.phone,
        couple.husband.phone,
    }


def test_a_gateway_that_accepts_the_messages_logs_them_sent_and_the_couple_notified(
    actor, couple, settings
) -> None:
    settings.JISHENG_SMS_BACKEND = f"{__name__}.RecordingBackend"

    contact = contacts.contact_send_sms(actor=actor, couple=couple)

    assert contact.outcome == "sms_sent"
    couple.refresh_from_db()
    assert couple.state == CoupleState.NOTIFIED


def test_the_worker_is_told_a_queued_message_was_not_sent(
    worker, couple, sms_dir, client_for
) -> None:
    response = client_for(worker).post(f"/prepregnancy/couples/{couple.pk}/sms/", follow=True)

    body = response.content.decode()
    assert "短信已存入待发文件夹，尚未发出" in body
    assert "短信已发送" not in body
    assert "短信已存入待发，未发出" in body  # the contact log says the same


def test_the_worker_is_told_a_message_was_sent_by_the_gateway(
    worker, couple, settings, client_for
) -> None:
    settings.JISHENG_SMS_BACKEND = f"{__name__}.RecordingBackend"

    response = client_for(worker).post(f"/prepregnancy/couples/{couple.pk}/sms/", follow=True)

    assert "短信已发送" in response.content.decode()


def test_the_worker_is_told_a_message_failed(worker, couple, settings, client_for) -> None:
    settings.JISHENG_SMS_BACKEND = f"{__name__}.FailingBackend"

    response = client_for(worker).post(f"/prepregnancy/couples/{couple.pk}/sms/", follow=True)

    assert "短信发送失败" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("outcome", ["sms_queued", "sms_sent"])
def test_a_worker_cannot_log_a_text_message_outcome_by_hand(
    actor, couple, today, outcome: str
) -> None:
    with pytest.raises(JishengError) as refused:
        contacts.contact_record(
            actor=actor, couple=couple, method="phone", outcome=outcome, date=today
        )
    assert refused.value.code == "invalid_outcome"


def test_a_failing_gateway_logs_no_contact(actor, couple, settings) -> None:
    settings.JISHENG_SMS_BACKEND = f"{__name__}.FailingBackend"
    with pytest.raises(sms.SmsError):
        contacts.contact_send_sms(actor=actor, couple=couple)
    assert not Contact.objects.exists()


def test_an_unwritable_folder_is_a_gateway_failure(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(sms.SmsError):
        sms.FileBackend(blocker / "sms").send([sms.SmsMessage(to="13900000000", body="x")])


def test_handed_out_letters_are_logged_for_couples_of_the_area_only(
    actor, marry, couple_of, org, make_user, today
) -> None:
    mine = [couple_of(marry()) for _ in range(2)]
    other = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    spouses = marry(community=org.c2)
    couples.target_couples_refresh(actor=other)
    foreign = TargetCouple.objects.get(wife=spouses.wife)
    count = contacts.letters_record_delivered(
        actor=actor, couple_ids=[c.pk for c in [*mine, foreign]], date=today
    )
    assert count == 2
    assert set(Contact.objects.values_list("couple_id", "method")) == {
        (c.pk, "letter") for c in mine
    }
