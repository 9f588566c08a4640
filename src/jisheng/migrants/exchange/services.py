"""Writes of the exchange: peers, notices and their feedback, queries and answers, the
outbox drain and the inbox.

Every message goes out through ``OutboxMessage`` (written in the caller's transaction) and
comes in through ``receive`` (checked, then applied once in one transaction with its inbox
row, whose unique message id makes a repeat harmless).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action, Result
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.idnumber import mask_id_number, normalize_id_number
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.service_status import ServiceStatus, service_status
from jisheng.core.workdays import add_working_days
from jisheng.migrants.exchange import keys
from jisheng.migrants.exchange.protocol import (
    ALGORITHM_HEADER,
    MESSAGES_PATH,
    REGION_HEADER,
    SIGNATURE_HEADER,
    Envelope,
)
from jisheng.migrants.models import (
    Direction,
    InboxMessage,
    MessageKind,
    MigrantRecord,
    MoveKind,
    Movement,
    Notice,
    OutboxMessage,
    OutboxState,
    Peer,
    Query,
)
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.services.persons import id_number_digest

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 120
BATCH = 100


def own_region() -> str:
    return str(settings.JISHENG_REGION_CODE)


# --- peers -------------------------------------------------------------------------------


def peer_add(
    *,
    actor: Actor | None,
    region_code: str,
    name: str,
    base_url: str,
    public_key: str,
    algorithm: str = keys.ED25519,
) -> Peer:
    """Register (or re-key) a peer; an operator's act, audited."""
    if actor is not None:
        require(actor, Capability.MANAGE_USERS)
    if not region_code.isdigit() or not 2 <= len(region_code) <= 12:
        raise JishengError(_("A region code is 2 to 12 digits."), code="invalid_region")
    if region_code == own_region():
        raise JishengError(_("A peer cannot have this deployment's own region code."))
    if not base_url.startswith(("http://", "https://")):
        raise JishengError(_("The base URL must start with http:// or https://."))
    if not keys.valid_public_key(algorithm, public_key):
        raise JishengError(_("The public key is not a valid key of this algorithm."))
    with transaction.atomic():
        peer, created = Peer.objects.update_or_create(
            region_code=region_code,
            defaults={
                "name": name,
                "base_url": base_url.rstrip("/"),
                "public_key": public_key,
                "algorithm": algorithm,
            },
        )
        audit.record(
            action=Action.CREATE if created else Action.UPDATE,
            actor=actor,
            username="" if actor else "cli",
            obj=peer,
            detail={"region": region_code, "fingerprint": keys.fingerprint(public_key)},
        )
    return peer


def peer_for_region(region_code: str) -> Peer | None:
    """The peer serving ``region_code``: the one whose code is the longest prefix of it
    (a county peer serves its streets' codes); else the only peer inside it (a record that
    names a county when the peer is one of its streets); None when no peer or several."""
    peers = list(Peer.objects.all().only("pk", "region_code"))
    covering = [p for p in peers if region_code.startswith(p.region_code)]
    if covering:
        return max(covering, key=lambda p: len(p.region_code))
    inside = [p for p in peers if p.region_code.startswith(region_code)]
    return inside[0] if len(inside) == 1 else None


# --- the outbox ----------------------------------------------------------------------------


def _queue(peer: Peer, kind: str, body: dict[str, Any], message_id: uuid.UUID) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        message_id=message_id,
        peer=peer,
        kind=kind,
        body=json.dumps(body, ensure_ascii=False),
        next_attempt_at=timezone.now(),
    )
    schedule_drain_on_commit()
    return message


def schedule_drain_on_commit() -> None:
    """Wake the worker once the transaction commits (once per transaction)."""
    from django.db import connection

    from jisheng.migrants.exchange.tasks import schedule_drain

    if not any(entry[1] is schedule_drain for entry in connection.run_on_commit):
        transaction.on_commit(schedule_drain)


def _feedback_due(day: dt.date) -> dt.date:
    return add_working_days(day, settings.JISHENG_FEEDBACK_WORKING_DAYS)


def notice_for_record(record: MigrantRecord, *, ended: bool = False) -> Notice | None:
    """Queue a notice to the peer of the record's other region, in the caller's transaction;
    None when that region is no registered peer."""
    peer = peer_for_region(record.region_code)
    if peer is None:
        return None
    if ended:
        movement = Movement.ENDED
    else:
        movement = Movement.ARRIVED if record.kind == MoveKind.INFLOW else Movement.LEFT
    person = record.person
    today = timezone.localdate()
    message_id = uuid.uuid4()
    moved_on = record.ended_on if ended and record.ended_on else record.moved_on
    notice = Notice.objects.create(
        direction=Direction.SENT,
        peer=peer,
        message_id=message_id,
        movement=movement,
        community=record.community,
        person=person,
        record=record,
        name=person.name,
        id_number=person.id_number,
        id_number_masked=person.id_number_masked,
        moved_on=moved_on,
        notified_on=today,
        due_on=_feedback_due(today),
    )
    _queue(
        peer,
        MessageKind.NOTIFY,
        {
            "movement": movement,
            "id_number": person.id_number,
            "name": person.name,
            "moved_on": moved_on.isoformat(),
            "notified_on": today.isoformat(),
            "region": record.region_code,
        },
        message_id,
    )
    return notice


def feedback_send(*, actor: Actor, notice: Notice, text: str) -> Notice:
    """Answer a received notice (service delivered, details updated); once only."""
    require(actor, Capability.EDIT_REGISTRY)
    text = text.strip()
    if not text:
        raise JishengError(_("Write what was done for this person."), code="invalid_input")
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.direction != Direction.RECEIVED:
            raise Conflict(_("Only a received notice is answered with feedback."))
        if locked.feedback_on is not None:
            raise Conflict(_("This notice has already been answered."))
        message_id = uuid.uuid4()
        locked.feedback_on = timezone.localdate()
        locked.feedback = text
        locked.feedback_message_id = message_id
        locked.save(update_fields=["feedback_on", "feedback", "feedback_message_id"])
        _queue(
            locked.peer,
            MessageKind.FEEDBACK,
            {"notice": str(locked.message_id), "text": text, "on": locked.feedback_on.isoformat()},
            message_id,
        )
        audit.record(action=Action.UPDATE, actor=actor, obj=locked, detail={"feedback": True})
    return locked


def query_send(*, actor: Actor, peer: Peer, id_number: str, legal_basis: str) -> Query:
    """Ask a peer for one person's service status, with the legal basis; audited."""
    require(actor, Capability.VIEW_PERSONAL)
    number = normalize_id_number(id_number)
    if len(number) != 18:
        raise JishengError(_("Enter an 18-character ID number."), code="invalid_input")
    basis = legal_basis.strip()
    if len(basis) < 4:
        raise JishengError(_("Give the legal basis of the query."), code="invalid_input")
    if actor.user.org_unit_id is None:
        raise Forbidden()
    unit = OrgUnit.objects.get(pk=actor.user.org_unit_id)
    with transaction.atomic():
        message_id = uuid.uuid4()
        query = Query.objects.create(
            direction=Direction.SENT,
            peer=peer,
            message_id=message_id,
            org_unit=unit,
            asked_by=actor.user,
            id_number=number,
            id_number_masked=mask_id_number(number),
            legal_basis=basis[:200],
            asked_at=timezone.now(),
        )
        _queue(
            peer,
            MessageKind.QUERY,
            {"id_number": number, "legal_basis": basis[:200], "asked_by": actor.user.username},
            message_id,
        )
        audit.record(
            action=Action.SEARCH,
            actor=actor,
            obj=query,
            detail={"peer": peer.region_code, "exchange": "query"},
        )
    return query


def test_message_send(*, peer: Peer) -> OutboxMessage:
    """A test message (applied by the peer as nothing but an inbox row)."""
    with transaction.atomic():
        return _queue(peer, MessageKind.TEST, {"hello": own_region()}, uuid.uuid4())


# --- draining the outbox -------------------------------------------------------------------


@dataclass
class DrainResult:
    delivered: int = 0
    refused: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(now: dt.datetime) -> list[OutboxMessage]:
    """Take up to BATCH due messages for this drain; a message claimed by another drain
    is left to it until its claim lapses."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    due = OutboxMessage.objects.filter(free, state=OutboxState.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:BATCH])
    if not ids:
        return []
    until = now + dt.timedelta(seconds=CLAIM_SECONDS)
    token = uuid.uuid4()
    # The conditions are checked again in the UPDATE: of two drains, one wins each row,
    # and each takes only the rows marked with its own token.
    due.filter(pk__in=ids).update(claimed_until=until, claim=token)
    return list(OutboxMessage.objects.filter(claim=token).select_related("peer").order_by("pk"))


def _backoff(attempts: int) -> dt.timedelta:
    base = float(settings.JISHENG_EXCHANGE_RETRY_SECONDS)
    cap = float(settings.JISHENG_EXCHANGE_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# Refusals the sender cannot cure by waiting: the message is marked refused, not retried.
# A stale time (clocks apart) and server errors are retried.
RETRIED_CODES = frozenset({"stale_message"})


def signed_request(message: OutboxMessage) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt: signed now, so a message that waited in the
    outbox is not refused as stale."""
    envelope = Envelope(
        message_id=message.message_id,
        kind=message.kind,
        sender=own_region(),
        recipient=message.peer.region_code,
        signed_at=timezone.now(),
        body=json.loads(message.body or "{}"),
    )
    data = envelope.to_bytes()
    algorithm, signature = keys.sign(data)
    headers = {
        REGION_HEADER: own_region(),
        ALGORITHM_HEADER: algorithm,
        SIGNATURE_HEADER: signature,
        "Content-Type": "application/json",
    }
    return data, headers


def _deliver(client: httpx.Client, message: OutboxMessage) -> tuple[str, str]:
    """Send one message: ("delivered" | "refused" | "retry", error)."""
    data, headers = signed_request(message)
    try:
        response = client.post(message.peer.base_url + MESSAGES_PATH, content=data, headers=headers)
    except httpx.HTTPError as error:
        return "retry", f"{type(error).__name__}: {error}"[:300]
    if response.status_code == 200:
        return "delivered", ""
    try:
        answer = response.json()
        code = str(answer.get("code", ""))
        text = f"{response.status_code} {code}: {answer.get('message', '')}"
    except ValueError:
        code, text = "", f"{response.status_code}"
    if response.status_code == 409 and code == "duplicate":
        return "delivered", ""  # the peer already holds it: acknowledged
    if response.status_code >= 500 or code in RETRIED_CODES or response.status_code == 429:
        return "retry", text[:300]
    return "refused", text[:300]


_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def outbox_drain(*, client: httpx.Client | None = None) -> DrainResult:
    """Send every due message; each ends delivered, refused, or pending with its next try
    pushed back (doubling from JISHENG_EXCHANGE_RETRY_SECONDS up to the maximum)."""
    result = DrainResult()
    own = client or httpx.Client(timeout=settings.JISHENG_EXCHANGE_TIMEOUT_SECONDS)
    # A peer that failed a send is not tried again until its back-off has passed: its other
    # messages wait as long as the failed one (one timeout per peer and back-off, not one
    # per message). A drain ends when nothing is due.
    away: dict[int, dt.datetime] = {}
    try:
        while batch := _claim(timezone.now()):
            delivered: list[int] = []
            for message in batch:
                if away.get(message.peer_id, _NEVER) > timezone.now():
                    OutboxMessage.objects.filter(pk=message.pk).update(
                        next_attempt_at=away[message.peer_id], claimed_until=None
                    )
                    continue
                outcome, error = _deliver(own, message)
                now = timezone.now()
                if outcome == "delivered":
                    delivered.append(message.pk)
                    continue
                attempts = message.attempts + 1
                if outcome == "refused":
                    result.refused += 1
                    state, next_at = OutboxState.REFUSED, now
                    logger.warning("peer refused message %s: %s", message.message_id, error)
                else:
                    result.retried += 1
                    state, next_at = OutboxState.PENDING, now + _backoff(attempts)
                    away[message.peer_id] = next_at
                result.errors.append(error)
                OutboxMessage.objects.filter(pk=message.pk).update(
                    state=state,
                    attempts=attempts,
                    next_attempt_at=next_at,
                    claimed_until=None,
                    last_error=error,
                )
            if delivered:
                result.delivered += OutboxMessage.objects.filter(pk__in=delivered).update(
                    state=OutboxState.DELIVERED,
                    delivered_at=timezone.now(),
                    claimed_until=None,
                    last_error="",
                )
    finally:
        if client is None:
            own.close()
    return result


def next_retry_at() -> dt.datetime | None:
    """When the earliest pending message is due next (None: nothing pending)."""
    first = (
        OutboxMessage.objects.filter(state=OutboxState.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return first


# --- the inbox -----------------------------------------------------------------------------


class Refused(JishengError):
    """A message we will not apply; the code says why (and is what the sender logs)."""


def _refuse(status: int, code: str, message: str, **detail: Any) -> Refused:
    error = Refused(message, code=code)
    error.status = status
    logger.warning("exchange message refused: %s %s", code, detail)
    audit.record(
        action=Action.DENIED,
        username="peer:" + str(detail.get("region", "?"))[:40],
        object_type="migrants.exchange",
        object_id=str(detail.get("id", ""))[:64],
        result=Result.FAILURE,
        detail={"code": code, **{k: str(v)[:64] for k, v in detail.items()}},
    )
    return error


def receive(*, data: bytes, headers: dict[str, str]) -> str:
    """Check a message from a peer and apply it once; returns "applied". Raises
    ``Refused`` (4xx with a code) for an unknown peer, a bad signature, a stale time, a
    message for someone else, or one already received (``duplicate``)."""
    region = headers.get(REGION_HEADER, "")
    peer = Peer.objects.filter(region_code=region).first() if region else None
    if peer is None:
        raise _refuse(
            403, "unknown_peer", _("This region is not a registered peer."), region=region
        )
    algorithm = headers.get(ALGORITHM_HEADER, "")
    if algorithm != peer.algorithm or not keys.verify(
        algorithm, peer.public_key, data, headers.get(SIGNATURE_HEADER, "")
    ):
        raise _refuse(401, "bad_signature", _("The signature does not verify."), region=region)
    try:
        envelope = Envelope.from_bytes(data)
    except ValueError:
        raise _refuse(
            400, "malformed", _("The message is not well formed."), region=region
        ) from None
    if envelope.sender != region or envelope.recipient != own_region():
        raise _refuse(
            400,
            "wrong_recipient",
            _("The message is not addressed to this deployment."),
            region=region,
            id=envelope.message_id,
        )
    window = dt.timedelta(seconds=settings.JISHENG_EXCHANGE_WINDOW_SECONDS)
    if abs(timezone.now() - envelope.signed_at) > window:
        raise _refuse(
            400,
            "stale_message",
            _("The message's time is outside the accepted window."),
            region=region,
            id=envelope.message_id,
        )
    if envelope.kind not in MessageKind.values:
        raise _refuse(400, "unknown_kind", _("Unknown message kind."), region=region)
    try:
        with transaction.atomic():
            InboxMessage.objects.create(
                message_id=envelope.message_id,
                peer=peer,
                kind=envelope.kind,
                body=json.dumps(envelope.body, ensure_ascii=False),
                signed_at=envelope.signed_at,
            )
            APPLY[envelope.kind](peer, envelope)
    except IntegrityError:
        if InboxMessage.objects.filter(message_id=envelope.message_id).exists():
            raise _refuse(
                409,
                "duplicate",
                _("This message was already received; it is not applied twice."),
                region=region,
                id=envelope.message_id,
            ) from None
        raise
    except (KeyError, ValueError, TypeError):
        raise _refuse(
            400,
            "malformed",
            _("The message body is not what its kind needs."),
            region=region,
            id=envelope.message_id,
        ) from None
    return "applied"


def _street_for(region: str) -> OrgUnit:
    """Where an unknown person's notice goes: the street whose code is within the region
    named, else the first street of this deployment."""
    streets = OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET).order_by("code")
    unit = streets.filter(code__startswith=region).first() if region else None
    unit = unit or streets.first() or OrgUnit.objects.order_by("code").first()
    if unit is None:
        raise JishengError("this deployment has no org units yet")
    return unit


def _find_person(id_number: str) -> Person | None:
    digest = id_number_digest(id_number)
    if not digest:
        return None
    return (
        Person.objects.filter(id_number_index=digest)
        .exclude(status=ResidentStatus.VOIDED)
        .select_related("community")
        .first()
    )


def _apply_notify(peer: Peer, envelope: Envelope) -> None:
    body = envelope.body
    number = normalize_id_number(str(body["id_number"]))
    person = _find_person(number)
    notified_on = dt.date.fromisoformat(str(body["notified_on"]))
    Notice.objects.create(
        direction=Direction.RECEIVED,
        peer=peer,
        message_id=envelope.message_id,
        movement=Movement(str(body["movement"])),
        community=person.community if person else _street_for(str(body.get("region", ""))),
        person=person,
        name=str(body["name"])[:50],
        id_number=number,
        id_number_masked=mask_id_number(number),
        moved_on=dt.date.fromisoformat(str(body["moved_on"])),
        notified_on=notified_on,
        due_on=_feedback_due(notified_on),
    )


def _apply_feedback(peer: Peer, envelope: Envelope) -> None:
    body = envelope.body
    notice = (
        Notice.objects.select_for_update()
        .filter(direction=Direction.SENT, peer=peer, message_id=uuid.UUID(str(body["notice"])))
        .first()
    )
    if notice is None:
        raise ValueError("feedback for a notice we never sent")
    if notice.feedback_on is None:
        notice.feedback_on = dt.date.fromisoformat(str(body["on"]))
        notice.feedback = str(body["text"])[:2000]
        notice.feedback_message_id = envelope.message_id
        notice.save(update_fields=["feedback_on", "feedback", "feedback_message_id"])


def _status_of(number: str) -> dict[str, Any]:
    """What a peer may learn of one person: whether they are known here, where they are
    served, their open inflow/outflow records, our notices about them and their standing in
    the services here (status and dates)."""
    person = _find_person(number)
    if person is None:
        return {"known": False}
    records = MigrantRecord.objects.filter(person=person, ended_on__isnull=True)
    return {
        "known": True,
        "status": person.status,
        "community": person.community.name,
        "records": [
            {
                "kind": r.kind,
                "since": r.moved_on.isoformat(),
                "verified": r.last_verified_on.isoformat(),
            }
            for r in records
        ],
        "notices_answered": Notice.objects.filter(person=person, feedback_on__isnull=False).count(),
        # The service apps' own lines (pre-pregnancy check, contraceptive method and
        # follow-up): status and dates only, see core.service_status. Worded in the
        # deployment's language: the peer shows them as sent.
        "services": [line.as_json() for line in _services_of(person)],
    }


def _services_of(person: Person) -> list[ServiceStatus]:
    with translation.override(settings.LANGUAGE_CODE):
        return service_status(person.pk)


def _apply_query(peer: Peer, envelope: Envelope) -> None:
    body = envelope.body
    number = normalize_id_number(str(body["id_number"]))
    basis = str(body["legal_basis"])[:200]
    answer = _status_of(number)
    street = _street_for("")
    now = timezone.now()
    query = Query.objects.create(
        direction=Direction.RECEIVED,
        peer=peer,
        message_id=envelope.message_id,
        org_unit=street,
        id_number=number,
        id_number_masked=mask_id_number(number),
        legal_basis=basis,
        asked_at=envelope.signed_at,
        answer=json.dumps(answer, ensure_ascii=False),
        answered_at=now,
    )
    _queue(
        peer,
        MessageKind.ANSWER,
        {"query": str(envelope.message_id), "answer": answer},
        uuid.uuid4(),
    )
    audit.record(
        action=Action.VIEW,
        username="peer:" + peer.region_code,
        obj=query,
        detail={"peer": peer.region_code, "exchange": "query answered", "known": answer["known"]},
    )


def _apply_answer(peer: Peer, envelope: Envelope) -> None:
    body = envelope.body
    query = (
        Query.objects.select_for_update()
        .filter(direction=Direction.SENT, peer=peer, message_id=uuid.UUID(str(body["query"])))
        .first()
    )
    if query is None:
        raise ValueError("an answer to a query we never sent")
    query.answer = json.dumps(body["answer"], ensure_ascii=False)
    query.answered_at = timezone.now()
    query.save(update_fields=["answer", "answered_at"])
    audit.record(
        action=Action.VIEW,
        username="peer:" + peer.region_code,
        obj=query,
        detail={"peer": peer.region_code, "exchange": "answer received"},
    )


def _apply_test(peer: Peer, envelope: Envelope) -> None:
    """A test message is only its inbox row."""


APPLY: dict[str, Callable[[Peer, Envelope], None]] = {
    MessageKind.NOTIFY: _apply_notify,
    MessageKind.FEEDBACK: _apply_feedback,
    MessageKind.QUERY: _apply_query,
    MessageKind.ANSWER: _apply_answer,
    MessageKind.TEST: _apply_test,
}
