"""The exchange in one process: deadlines, peer matching, the outbox written in the caller's
transaction, the inbox applied once, feedback, queries audited on both sides, the two-way
assessment and the indicator. (Two real instances: test_exchange_instances.py.)"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from jisheng.audit.models import AuditEvent
from jisheng.contraceptives.models import DistributionPoint, RosterEntry, RosterFollowUp
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.indicators import Period
from jisheng.core.roles import Role
from jisheng.core.workdays import add_working_days
from jisheng.migrants.exchange import hooks, keys, selectors, services
from jisheng.migrants.exchange.indicators import INDICATORS
from jisheng.migrants.exchange.protocol import (
    ALGORITHM_HEADER,
    REGION_HEADER,
    SIGNATURE_HEADER,
    Envelope,
)
from jisheng.migrants.models import (
    Direction,
    InboxMessage,
    MigrantRecord,
    Movement,
    Notice,
    OutboxMessage,
    Peer,
    Query,
)
from jisheng.prepregnancy.models import Checkup, TargetCouple

PEER = "370402"


@pytest.fixture
def peer(db: None) -> Peer:
    # The peer signs with this instance's own key, so the test can sign "its" messages.
    return services.peer_add(
        actor=None,
        region_code=PEER,
        name="市中区",
        base_url="http://127.0.0.1:9",
        public_key=keys.public_key_text(),
    )


def record_of(person, worker, *, region: str = PEER, kind: str = "outflow") -> MigrantRecord:
    return MigrantRecord.objects.create(
        kind=kind,
        person=person,
        community=person.community,
        region_code=region,
        moved_on=dt.date(2026, 11, 2),
        address="某地",
        contact="13800000000",
        last_verified_on=dt.date(2026, 11, 2),
        created_by=worker,
    )


def from_peer(kind: str, body: dict, *, at: dt.datetime | None = None) -> tuple[bytes, dict]:
    envelope = Envelope(
        message_id=uuid.uuid4(),
        kind=kind,
        sender=PEER,
        recipient=services.own_region(),
        signed_at=at or timezone.now(),
        body=body,
    )
    data = envelope.to_bytes()
    algorithm, signature = keys.sign(data)
    return data, {REGION_HEADER: PEER, ALGORITHM_HEADER: algorithm, SIGNATURE_HEADER: signature}


def test_working_days_skip_weekends(db: None) -> None:
    friday = dt.date(2026, 12, 4)
    assert add_working_days(friday, 1) == dt.date(2026, 12, 7)
    assert add_working_days(friday, 10) == dt.date(2026, 12, 18)
    assert add_working_days(dt.date(2026, 12, 5), 1) == dt.date(2026, 12, 7)  # from Saturday


def test_a_record_goes_to_the_peer_with_the_longest_prefix(db: None) -> None:
    key = keys.public_key_text()
    county = services.peer_add(
        actor=None, region_code="3704", name="枣庄", base_url="http://a", public_key=key
    )
    street = services.peer_add(
        actor=None, region_code="370402", name="市中区", base_url="http://b", public_key=key
    )
    assert services.peer_for_region("370402") == street
    assert services.peer_for_region("370405") == county
    assert services.peer_for_region("110101") is None


def test_a_peer_key_that_is_no_key_is_refused(db: None) -> None:
    with pytest.raises(JishengError):
        services.peer_add(
            actor=None, region_code=PEER, name="x", base_url="http://b", public_key="AAAA"
        )


def test_an_opened_record_writes_its_notice_in_the_callers_transaction(
    peer, org, make_person, make_user
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    person = make_person(org.c1)
    with transaction.atomic():
        hooks.record_opened(record_of(person, worker))
    notice = Notice.objects.get()
    assert notice.direction == Direction.SENT
    assert notice.movement == Movement.LEFT
    assert notice.due_on == add_working_days(notice.notified_on, 10)
    message = OutboxMessage.objects.get()
    assert message.message_id == notice.message_id
    assert json.loads(message.body)["id_number"] == person.id_number

    other = make_person(org.c1, name="王五")

    def failing_record_service() -> None:
        with transaction.atomic():
            hooks.record_ended(record_of(other, worker, kind="inflow"))
            raise RuntimeError("the record's transaction fails")

    with pytest.raises(RuntimeError):
        failing_record_service()
    assert OutboxMessage.objects.count() == 1
    assert Notice.objects.count() == 1


def test_a_record_for_a_region_without_a_peer_sends_nothing(
    peer, org, make_person, make_user
) -> None:
    hooks.record_opened(
        record_of(make_person(org.c1), make_user(Role.COMMUNITY_WORKER), region="110101")
    )
    assert not OutboxMessage.objects.exists()


def test_a_received_notice_is_applied_once(peer, org, make_person) -> None:
    person = make_person(org.c2)
    data, headers = from_peer(
        "notify",
        {
            "movement": "arrived",
            "id_number": person.id_number,
            "name": person.name,
            "moved_on": "2026-11-01",
            "notified_on": "2026-11-02",
            "region": "370404",
        },
    )
    assert services.receive(data=data, headers=headers) == "applied"
    with pytest.raises(services.Refused) as repeat:
        services.receive(data=data, headers=headers)
    assert (repeat.value.status, repeat.value.code) == (409, "duplicate")
    notice = Notice.objects.get()
    assert (notice.person, notice.community) == (person, org.c2)
    assert notice.due_on == dt.date(2026, 11, 16)
    assert InboxMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({REGION_HEADER: "110101"}, "unknown_peer"),
        ({SIGNATURE_HEADER: "AAAA"}, "bad_signature"),
        ({ALGORITHM_HEADER: "sm2"}, "bad_signature"),
    ],
)
def test_refusals_have_a_code_and_are_audited(peer, change, code) -> None:
    data, headers = from_peer("test", {})
    with pytest.raises(services.Refused) as refused:
        services.receive(data=data, headers=headers | change)
    assert refused.value.code == code
    assert AuditEvent.objects.filter(object_type="migrants.exchange", detail__code=code).exists()


def test_a_stale_message_is_refused(peer) -> None:
    data, headers = from_peer("test", {}, at=timezone.now() - dt.timedelta(minutes=6))
    with pytest.raises(services.Refused) as refused:
        services.receive(data=data, headers=headers)
    assert (refused.value.status, refused.value.code) == (400, "stale_message")
    assert not InboxMessage.objects.exists()


def test_feedback_answers_a_received_notice_once(peer, org, make_person, make_user) -> None:
    person = make_person(org.c1)
    data, headers = from_peer(
        "notify",
        {
            "movement": "left",
            "id_number": person.id_number,
            "name": person.name,
            "moved_on": "2026-11-01",
            "notified_on": "2026-11-02",
        },
    )
    services.receive(data=data, headers=headers)
    notice = Notice.objects.get()
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    services.feedback_send(actor=actor, notice=notice, text="已上门核实")
    answer = OutboxMessage.objects.get(kind="feedback")
    assert json.loads(answer.body)["notice"] == str(notice.message_id)
    with pytest.raises(Conflict):
        services.feedback_send(actor=actor, notice=notice, text="再次")


def test_a_query_and_its_answer_are_audited_on_both_sides(
    peer, org, make_person, make_user
) -> None:
    person = make_person(org.c1)
    worker = make_user(Role.COMMUNITY_WORKER)
    # This side asks.
    query = services.query_send(
        actor=Actor(user=worker),
        peer=peer,
        id_number=person.id_number,
        legal_basis="《人口与计划生育法》第十九条",
    )
    assert AuditEvent.objects.filter(object_id=str(query.pk), action="search").exists()
    # The peer's side receives a query (here: from the peer, about our resident).
    data, headers = from_peer(
        "query", {"id_number": person.id_number, "legal_basis": "流动人口服务管理规定"}
    )
    services.receive(data=data, headers=headers)
    received = Query.objects.get(direction=Direction.RECEIVED)
    assert json.loads(received.answer)["known"] is True
    assert AuditEvent.objects.filter(object_id=str(received.pk), action="view").exists()
    assert OutboxMessage.objects.filter(kind="answer").exists()
    # And the answer to ours arrives.
    data, headers = from_peer(
        "answer", {"query": str(query.message_id), "answer": {"known": False}}
    )
    services.receive(data=data, headers=headers)
    query.refresh_from_db()
    assert query.answered_at is not None
    assert AuditEvent.objects.filter(object_id=str(query.pk), action="view").exists()


def test_a_query_without_legal_basis_is_refused(peer, org, make_person, make_user) -> None:
    with pytest.raises(JishengError):
        services.query_send(
            actor=Actor(user=make_user(Role.COMMUNITY_WORKER)),
            peer=peer,
            id_number=make_person(org.c1).id_number,
            legal_basis=" ",
        )


def _notice(peer, community, direction, notified, feedback=None) -> Notice:
    return Notice.objects.create(
        direction=direction,
        peer=peer,
        message_id=uuid.uuid4(),
        movement=Movement.ARRIVED,
        community=community,
        name="张三",
        id_number="370404199001010011",
        moved_on=notified,
        notified_on=notified,
        due_on=add_working_days(notified, 10),
        feedback_on=feedback,
    )


def test_two_way_assessment_and_indicator(peer, org, make_user) -> None:
    day = dt.date(2026, 4, 1)  # Wednesday; due 2026-04-15
    _notice(peer, org.c1, Direction.SENT, day, day + dt.timedelta(days=4))
    _notice(peer, org.c1, Direction.SENT, day, day + dt.timedelta(days=20))
    _notice(peer, org.c1, Direction.SENT, day)
    _notice(peer, org.c1, Direction.RECEIVED, day, day + dt.timedelta(days=2))
    _notice(peer, org.c1, Direction.RECEIVED, day)
    _notice(peer, org.c2, Direction.RECEIVED, day)
    staff = make_user(Role.STREET_STAFF)
    (figures,) = selectors.assessment(staff, Period(2026, 2))
    assert (figures.sent.notices, figures.sent.answered, figures.sent.on_time) == (3, 2, 1)
    assert figures.sent.feedback_rate == Decimal("66.7")
    assert figures.sent.median_days == 12
    assert (figures.received.notices, figures.received.answered) == (3, 1)
    assert figures.received.overdue == 2
    (indicator,) = INDICATORS
    values = indicator.compute_units([org.c1, org.c2, org.street], Period(2026, 2))
    assert values[org.c1.pk] == 50
    assert values[org.c2.pk] == 0
    assert values[org.street.pk] == Decimal("33.3")
    assert indicator.compute(org.c1, Period(2026, 1)) is None
    records = indicator.records(staff, org.street, Period(2026, 2))
    assert [r.counted for r in records].count(True) == 1


@pytest.mark.django_db(transaction=True)
def test_a_commit_queues_one_drain_and_a_failed_send_backs_off(org, make_person, make_user) -> None:
    from django_tasks_db.models import DBTaskResult

    from jisheng.migrants.exchange.tasks import DRAIN_TASK_PATH, outbox_drain_task

    services.peer_add(
        actor=None,
        region_code=PEER,
        name="市中区",
        base_url="http://127.0.0.1:9",  # nothing listens there
        public_key=keys.public_key_text(),
    )
    worker = make_user(Role.COMMUNITY_WORKER)
    with transaction.atomic():
        for name in ("甲", "乙", "丙"):
            hooks.record_opened(record_of(make_person(org.c1, name=name), worker))
    assert DBTaskResult.objects.filter(task_path=DRAIN_TASK_PATH, status="READY").count() == 1
    DBTaskResult.objects.filter(task_path=DRAIN_TASK_PATH).delete()

    before = timezone.now()
    outbox_drain_task.call()
    messages = list(OutboxMessage.objects.order_by("pk"))
    assert {m.state for m in messages} == {"pending"}
    first = messages[0]
    assert first.attempts == 1
    assert first.last_error
    assert first.next_attempt_at > before
    # The peer is away: the others were not tried, and wait as long as the first.
    assert [m.attempts for m in messages[1:]] == [0, 0]
    assert {m.next_attempt_at for m in messages} == {first.next_attempt_at}
    retry = DBTaskResult.objects.get(task_path=DRAIN_TASK_PATH, status="READY")
    assert retry.run_after >= first.next_attempt_at - dt.timedelta(seconds=1)


def test_a_query_answer_carries_the_service_status_and_the_asker_sees_it(
    peer, org, make_person, make_user, client_for
) -> None:
    day = dt.date(2026, 3, 2)
    clerk = make_user(Role.COMMUNITY_WORKER)
    wife = make_person(org.c1, name="王秀英", sex="F", birth_date=dt.date(1992, 4, 1))
    husband = make_person(org.c1, name="李建国", sex="M", birth_date=dt.date(1990, 2, 1))
    couple = TargetCouple.objects.create(
        community=org.c1, husband=husband, wife=wife, source="new_marriage", entered_on=day
    )
    Checkup.objects.create(
        couple=couple,
        person=wife,
        spouse="wife",
        institution="妇幼保健院",
        date=day + dt.timedelta(days=5),
        risk_level="high",
        recorded_by=clerk,
    )
    point = DistributionPoint.objects.create(name="一号点", kind="community", org_unit=org.c1)
    RosterEntry.objects.create(
        person=wife, community=wife.community, method="iud", start_date=day, point=point
    )
    entry = RosterEntry.objects.create(
        person=husband,
        community=husband.community,
        method="condom",
        start_date=day,
        point=point,
        stop_date=day,
    )
    RosterFollowUp.objects.create(
        entry=RosterEntry.objects.get(person=wife),
        date=day + dt.timedelta(days=30),
        satisfaction="satisfied",
        side_effects="轻微腹痛",
        recorded_by=clerk,
    )

    # The peer asks about the wife: the answer holds her lines, status and dates only.
    data, headers = from_peer("query", {"id_number": wife.id_number, "legal_basis": "服务管理"})
    services.receive(data=data, headers=headers)
    answer = json.loads(Query.objects.get(direction=Direction.RECEIVED).answer)
    assert answer["services"] == [
        {
            "key": "prepregnancy.check",
            "label": "孕前优生健康检查",
            "status": "已检查",
            "on": "2026-03-07",
        },
        {
            "key": "contraceptives.method",
            "label": "避孕方法",
            "status": "宫内节育器",
            "on": "2026-03-02",
        },
        {
            "key": "contraceptives.follow_up",
            "label": "最近一次避孕随访",
            "status": "已随访",
            "on": "2026-04-01",
        },
    ]
    sent = json.dumps(answer, ensure_ascii=False)
    assert "high" not in sent
    assert "腹痛" not in sent
    # The husband: a target not yet checked, his stopped method not current.
    data, headers = from_peer("query", {"id_number": husband.id_number, "legal_basis": "服务管理"})
    services.receive(data=data, headers=headers)
    his = json.loads(Query.objects.filter(direction=Direction.RECEIVED).latest("pk").answer)
    assert his["services"] == [
        {
            "key": "prepregnancy.check",
            "label": "孕前优生健康检查",
            "status": "尚未检查",
            "on": "2026-03-02",
        },
    ]
    assert entry.stop_date is not None

    # Our side: the answer to our query arrives and its page shows the lines.
    asked = services.query_send(
        actor=Actor(user=clerk), peer=peer, id_number=wife.id_number, legal_basis="服务管理"
    )
    data, headers = from_peer("answer", {"query": str(asked.message_id), "answer": answer})
    services.receive(data=data, headers=headers)
    page = client_for(clerk).get(
        f"/migrants/exchange/queries/{asked.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-service="contraceptives.method"' in body
    assert "宫内节育器 · 2026-03-02" in body
    assert "已检查 · 2026-03-07" in body
