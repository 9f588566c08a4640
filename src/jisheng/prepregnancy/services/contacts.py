"""Notifying couples (告知): contacts logged by workers, text messages, notice letters, opt-outs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.prepregnancy import rules, sms
from jisheng.prepregnancy.models import (
    LOGGED_OUTCOMES,
    Contact,
    ContactMethod,
    ContactOutcome,
    SmsOptOut,
    Spouse,
    TargetCouple,
)
from jisheng.prepregnancy.services.common import (
    couple_locked,
    couple_refresh_state,
    require_served,
)
from jisheng.registry.selectors import lifetime

NOTE_LENGTH = 200
# Letters recorded as handed out in one go (the print page sends its page, 50 at most).
LETTER_BATCH_LIMIT = 500


def _contact(
    actor: Actor,
    couple: TargetCouple,
    *,
    method: str,
    outcome: str,
    date: dt.date,
    appointment_date: dt.date | None = None,
    note: str = "",
) -> Contact:
    contact = Contact.objects.create(
        couple=couple,
        method=method,
        outcome=outcome,
        date=date,
        appointment_date=appointment_date,
        note=note,
        worker=actor.user,
    )
    # The worklist sorts by the latest contact: kept on the file, never grouped per page.
    TargetCouple.objects.filter(pk=couple.pk).filter(
        Q(last_contact__isnull=True) | Q(last_contact__lt=date)
    ).update(last_contact=date)
    if couple.last_contact is None or couple.last_contact < date:
        couple.last_contact = date
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=contact,
        detail={"couple": couple.pk},
    )
    couple_refresh_state(couple)
    return contact


@transaction.atomic
def contact_record(
    *,
    actor: Actor,
    couple: TargetCouple,
    method: str,
    outcome: str,
    date: dt.date,
    appointment_date: dt.date | None = None,
    note: str = "",
) -> Contact:
    """Log a home visit, phone call or handed-over letter and what came of it."""
    if method not in ContactMethod.values or method == ContactMethod.SMS:
        raise JishengError(
            _("Choose home visit, phone call or notice letter; text messages are sent here."),
            code="invalid_method",
        )
    if outcome not in LOGGED_OUTCOMES:
        raise JishengError(_("Choose the outcome of the contact."), code="invalid_outcome")
    possible_date(date)
    if outcome == ContactOutcome.APPOINTMENT:
        if appointment_date is None or appointment_date < date:
            raise JishengError(
                _("An appointment needs its date, on or after the contact."),
                code="invalid_appointment",
            )
    else:
        appointment_date = None
    if len(note) > NOTE_LENGTH:
        raise JishengError(_("The note is longer than 200 characters."), code="invalid_note")
    couple = couple_locked(actor, couple)
    possible_date(date, lifetime(couple.husband), lifetime(couple.wife))
    require_served(couple)
    if date < couple.entered_on - dt.timedelta(days=366):
        raise JishengError(
            _("The contact is dated long before the couple became a target."), code="invalid_date"
        )
    return _contact(
        actor,
        couple,
        method=method,
        outcome=outcome,
        date=date,
        appointment_date=appointment_date,
        note=note,
    )


def sms_recipients(couple: TargetCouple) -> list[tuple[str, str]]:
    """(spouse, phone) of each spouse with a phone who has not opted out."""
    opted_out = set(
        SmsOptOut.objects.filter(person__in=[couple.husband_id, couple.wife_id]).values_list(
            "person_id", flat=True
        )
    )
    recipients = []
    for spouse in (Spouse.WIFE, Spouse.HUSBAND):
        person = couple.spouse(spouse)
        if person.phone and person.pk not in opted_out:
            recipients.append((str(spouse), person.phone))
    return recipients


def sms_text(couple: TargetCouple) -> str:
    """The notice as a text message, always in Chinese: it goes to residents, not staff."""
    with translation.override("zh-hans"):
        return render_to_string(
            "prepregnancy/sms_notice.txt", {"couple": couple, "community": couple.community}
        ).strip()


# The contact a text message leaves, by what the backend did with it.
SMS_OUTCOMES = {
    sms.SmsDelivery.QUEUED: ContactOutcome.SMS_QUEUED,
    sms.SmsDelivery.SENT: ContactOutcome.SMS_SENT,
}


@transaction.atomic
def contact_send_sms(*, actor: Actor, couple: TargetCouple) -> Contact:
    """Text the notice to each spouse who can receive it, and log what really happened:
    queued (not sent; the couple is not yet told) or sent (handed to a gateway).

    The backend is called inside the transaction: if it fails, no contact claims a message
    that was never handed over, and the error says it failed.
    """
    couple = couple_locked(actor, couple)
    require_served(couple)
    recipients = sms_recipients(couple)
    if not recipients:
        raise Conflict(
            _("Neither spouse can receive text messages (no phone, or opted out)."),
            code="no_sms_recipient",
        )
    body = sms_text(couple)
    delivery = sms.get_backend().send(
        [sms.SmsMessage(to=phone, body=body) for _spouse, phone in recipients]
    )
    spouses = [couple.spouse(spouse) for spouse, _phone in recipients]
    return _contact(
        actor,
        couple,
        method=ContactMethod.SMS,
        outcome=SMS_OUTCOMES[sms.SmsDelivery(delivery)],
        date=timezone.localdate(),
        note="、".join(person.phone_masked for person in spouses),
    )


@transaction.atomic
def letters_record_delivered(*, actor: Actor, couple_ids: Iterable[int], date: dt.date) -> int:
    """Log printed notice letters as handed out, one contact per couple still served.

    Couples outside the actor's area are not found and so not logged; closed ones are skipped.
    """
    require(actor, Capability.VIEW_HEALTH)
    possible_date(date)
    ids = sorted(set(couple_ids))
    if len(ids) > LETTER_BATCH_LIMIT:
        raise JishengError(_("Too many couples at once."), code="too_many")
    couples = (
        TargetCouple.objects.visible_to(actor.user)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    )
    count = 0
    for couple in couples:
        if couple.state in rules.CLOSED_STATES:
            continue
        _contact(
            actor,
            couple,
            method=ContactMethod.LETTER,
            outcome=ContactOutcome.REACHED,
            date=date,
        )
        count += 1
    return count


@transaction.atomic
def sms_opt_out_set(*, actor: Actor, couple: TargetCouple, spouse: str, opted_out: bool) -> bool:
    """Record that a spouse does (not) want text messages. Returns the new setting."""
    if spouse not in Spouse.values:
        raise JishengError(_("Choose the wife or the husband."), code="invalid_spouse")
    couple = couple_locked(actor, couple)
    person = couple.spouse(spouse)
    existing = SmsOptOut.objects.filter(person=person).first()
    if opted_out and existing is None:
        row = SmsOptOut.objects.create(person=person, recorded_by=actor.user)
        audit.record(action=Action.CREATE, actor=actor, obj=row, detail={"person": person.pk})
    elif not opted_out and existing is not None:
        audit.record(action=Action.DELETE, actor=actor, obj=existing, detail={"person": person.pk})
        existing.delete()
    return opted_out
