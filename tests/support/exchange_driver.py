"""Runs inside one test instance (its own JISHENG_HOME and database): reads one JSON call per
line on stdin, answers one JSON line on stdout. The two-instance tests act on each instance
through it, with the instance's own services, as its pages and worker would."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sys
import threading
import time
import traceback
import uuid
from typing import Any

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from jisheng.accounts.models import User  # noqa: E402
from jisheng.accounts.services import role_grant, user_create  # noqa: E402
from jisheng.core.actors import Actor  # noqa: E402
from jisheng.core.idnumber import mask_id_number  # noqa: E402
from jisheng.core.models import OrgUnit  # noqa: E402
from jisheng.core.roles import Role  # noqa: E402
from jisheng.demo.seed import seed_org_tree  # noqa: E402
from jisheng.migrants.exchange import hooks, keys, protocol, selectors, services  # noqa: E402
from jisheng.migrants.models import (  # noqa: E402
    Direction,
    InboxMessage,
    MigrantRecord,
    Notice,
    OutboxMessage,
    OutboxState,
)
from jisheng.registry.models import Person  # noqa: E402

_threads: list[threading.Thread] = []


def setup() -> dict[str, Any]:
    _district, street, communities = seed_org_tree()
    worker = user_create(
        actor=None, username="worker", password="Test-pass-2026!", org_unit=communities[0]
    )
    role_grant(actor=None, user=worker, role=Role.COMMUNITY_WORKER)
    staff = user_create(actor=None, username="staff", password="Test-pass-2026!", org_unit=street)
    role_grant(actor=None, user=staff, role=Role.STREET_STAFF)
    return {
        "street": street.pk,
        "community": communities[0].pk,
        "public_key": keys.public_key_text(),
    }


def add_peer(region: str, url: str, public_key: str) -> str:
    return services.peer_add(
        actor=None, region_code=region, name=region, base_url=url, public_key=public_key
    ).region_code


def add_person(id_number: str, name: str, community: int) -> int:
    return Person.objects.create(
        community_id=community,
        name=name,
        sex="M",
        birth_date=dt.date(1990, 1, 1),
        id_number=id_number,
        id_number_masked=mask_id_number(id_number),
        hukou_type="urban",
    ).pk


def open_records(
    id_numbers: list[str], region: str, community: int, kind: str = "outflow"
) -> list[int]:
    """One record per person (created if missing), each in its own transaction with its
    notice, as the record service does."""
    user = User.objects.get(username="worker")
    made = []
    for number in id_numbers:
        with transaction.atomic():
            person = Person.objects.filter(id_number_masked=mask_id_number(number)).first()
            if person is None:
                person = Person.objects.get(pk=add_person(number, "张三", community))
            record = MigrantRecord.objects.create(
                kind=kind,
                person=person,
                community_id=community,
                region_code=region,
                moved_on=dt.date(2026, 11, 2),
                address="某地",
                contact="13800000000",
                last_verified_on=dt.date(2026, 11, 2),
                created_by=user,
            )
            hooks.record_opened(record)
        made.append(record.pk)
    return made


def bulk_records(count: int, region: str, community: int) -> int:
    """``count`` new persons with an outflow record each and its notice, 500 per
    transaction (the benchmark's setup)."""
    user = User.objects.get(username="worker")
    made = 0
    while made < count:
        with transaction.atomic():
            for _ in range(min(500, count - made)):
                made += 1
                # Unique for any count below 10**12 (the old pattern repeated after 1,000:
                # the 10,000-notice run failed on the registry's unique ID number); not a
                # checksummed ID number, which nothing on this path reads.
                number = f"370404{made:012d}"
                person = Person.objects.create(
                    community_id=community,
                    name="张三",
                    sex="M",
                    birth_date=dt.date(1990, 1, 1),
                    id_number=number,
                    id_number_masked=mask_id_number(number),
                    hukou_type="urban",
                )
                record = MigrantRecord.objects.create(
                    kind="outflow",
                    person=person,
                    community_id=community,
                    region_code=region,
                    moved_on=dt.date(2026, 11, 2),
                    address="某地",
                    contact="13800000000",
                    last_verified_on=dt.date(2026, 11, 2),
                    created_by=user,
                )
                hooks.record_opened(record)
    return made


def timed_drain() -> dict[str, float]:
    started = time.perf_counter()
    result = services.outbox_drain()
    return {"seconds": time.perf_counter() - started, "delivered": result.delivered}


def timed_pings(url: str, count: int) -> dict[str, float]:
    """``count`` bare HTTP round trips to the peer's ping (no database), one client."""
    import httpx

    with httpx.Client(timeout=10) as client:
        started = time.perf_counter()
        for _ in range(count):
            client.get(url + protocol.PING_PATH).raise_for_status()
        return {"seconds": time.perf_counter() - started}


def drain() -> dict[str, int]:
    result = services.outbox_drain()
    return {"delivered": result.delivered, "refused": result.refused, "retried": result.retried}


def drain_in_background() -> None:
    thread = threading.Thread(target=services.outbox_drain)
    thread.start()
    _threads.append(thread)


def drain_until_done(seconds: float) -> dict[str, int]:
    """Drain, waiting out each back-off, until nothing is pending (or time is up)."""
    for thread in _threads:
        thread.join()
    _threads.clear()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        services.outbox_drain()
        if not OutboxMessage.objects.filter(state=OutboxState.PENDING).exists():
            break
        time.sleep(0.2)
    return outbox()


def outbox() -> dict[str, int]:
    return {
        state: OutboxMessage.objects.filter(state=state).count() for state in OutboxState.values
    } | {"max_attempts": max(OutboxMessage.objects.values_list("attempts", flat=True), default=0)}


def notices(direction: str, username: str = "worker") -> list[dict[str, Any]]:
    user = User.objects.get(username=username)
    return [
        {
            "id": n.pk,
            "message_id": str(n.message_id),
            "community": n.community_id,
            "person": n.person_id,
            "movement": n.movement,
            "due_on": n.due_on.isoformat(),
            "feedback_on": n.feedback_on.isoformat() if n.feedback_on else None,
            "feedback": n.feedback,
        }
        for n in selectors.notices(user, direction=direction)
    ]


def notice_counts() -> dict[str, int]:
    return {
        "received": Notice.objects.filter(direction=Direction.RECEIVED).count(),
        "distinct": Notice.objects.filter(direction=Direction.RECEIVED)
        .values("message_id")
        .distinct()
        .count(),
        "inbox": InboxMessage.objects.count(),
    }


def feedback(notice_id: int, text: str) -> str:
    user = User.objects.get(username="worker")
    notice = Notice.objects.get(pk=notice_id)
    return str(services.feedback_send(actor=Actor(user=user), notice=notice, text=text).feedback_on)


def signed(message_index: int = -1, age_seconds: float = 0) -> dict[str, Any]:
    """A message of the outbox as it would go out, signed ``age_seconds`` ago."""
    message = list(OutboxMessage.objects.select_related("peer").order_by("pk"))[message_index]
    envelope = protocol.Envelope(
        message_id=message.message_id,
        kind=message.kind,
        sender=services.own_region(),
        recipient=message.peer.region_code,
        signed_at=timezone.now() - dt.timedelta(seconds=age_seconds),
        body=json.loads(message.body or "{}"),
    )
    data = envelope.to_bytes()
    algorithm, signature = keys.sign(data)
    return {
        "body": base64.b64encode(data).decode(),
        "headers": {
            protocol.REGION_HEADER: services.own_region(),
            protocol.ALGORITHM_HEADER: algorithm,
            protocol.SIGNATURE_HEADER: signature,
            "Content-Type": "application/json",
        },
        "message_id": str(message.message_id),
    }


def fresh_notify(peer_region: str, id_number: str) -> dict[str, Any]:
    """A well-formed notify never queued (so never sent), signed now."""
    envelope = protocol.Envelope(
        message_id=uuid.uuid4(),
        kind="notify",
        sender=services.own_region(),
        recipient=peer_region,
        signed_at=timezone.now(),
        body={
            "movement": "arrived",
            "id_number": id_number,
            "name": "王五",
            "moved_on": "2026-11-01",
            "notified_on": "2026-11-02",
            "region": peer_region,
        },
    )
    data = envelope.to_bytes()
    algorithm, signature = keys.sign(data)
    return {
        "body": base64.b64encode(data).decode(),
        "headers": {
            protocol.REGION_HEADER: services.own_region(),
            protocol.ALGORITHM_HEADER: algorithm,
            protocol.SIGNATURE_HEADER: signature,
        },
        "message_id": str(envelope.message_id),
    }


def refusals() -> list[str]:
    from jisheng.audit.models import AuditEvent

    return [
        str(e.detail.get("code", ""))
        for e in AuditEvent.objects.filter(object_type="migrants.exchange").order_by("pk")
    ]


def units() -> dict[str, int]:
    street = OrgUnit.objects.get(kind="street")
    return {"street": street.pk}


CALLS = {name: value for name, value in dict(globals()).items() if callable(value)}


def main() -> None:
    for line in sys.stdin:
        call = json.loads(line)
        try:
            value = CALLS[call["call"]](*call.get("args", []), **call.get("kwargs", {}))
            answer = {"ok": True, "value": value}
        except Exception as error:  # reported to the test, which fails with it
            answer = {"ok": False, "error": f"{error!r}\n{traceback.format_exc()}"}
        sys.stdout.write(json.dumps(answer, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
