"""The floating-population part of the subject-access report: the resident's records, visits,
the partner reports naming them (by record or ID number) and the exchange notices about them;
nothing of another person, and none of the exchange's machinery (message ids, keys)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from jisheng.core.actors import Actor
from jisheng.core.errors import NotFound
from jisheng.core.roles import Role
from jisheng.migrants.exchange import keys
from jisheng.migrants.exchange import services as exchange
from jisheng.migrants.models import Direction, Movement, Notice, PartnerReport
from jisheng.migrants.services import partners, records
from jisheng.registry.subject_access import report_json, subject_access_report
from support.migrants import id_number, tenant

pytestmark = pytest.mark.django_db


def test_the_report_holds_the_residents_migrant_records_and_nothing_of_others(
    org, worker, landlord, make_user
) -> None:
    partner = Actor(user=landlord.account)
    confirmed = partners.report_submit(actor=partner, data=tenant())
    confirmed = partners.report_confirm(actor=Actor(user=worker), report=confirmed)
    record = confirmed.record
    assert record is not None
    person = record.person
    records.record_verify(
        actor=Actor(user=worker),
        record=record,
        visited_on=dt.date(2026, 4, 1),
        address="枣园小区 5 号楼 101 室",
        contact="13900000000",
        note="换了房间",
    )
    # A later report naming her by ID number (pending), and one of a namesake (not her).
    again = partners.report_submit(
        actor=partner,
        data=tenant(id_number=person.id_number, kind="move_out", moved_on=dt.date(2026, 5, 1)),
    )
    partners.report_submit(
        actor=partner, data=tenant(id_number=id_number(dt.date(1990, 1, 1), "F"))
    )
    peer = exchange.peer_add(
        actor=None,
        region_code="510722",
        name="三台县",
        base_url="http://127.0.0.1:9",
        public_key=keys.public_key_text(),
    )
    secret = uuid.uuid4()
    Notice.objects.create(
        direction=Direction.SENT,
        peer=peer,
        message_id=secret,
        movement=Movement.ARRIVED,
        community=org.c1,
        person=person,
        record=record,
        name=person.name,
        id_number=person.id_number,
        moved_on=record.moved_on,
        notified_on=dt.date(2026, 3, 2),
        due_on=dt.date(2026, 3, 16),
    )

    report = subject_access_report(
        actor=Actor(user=make_user(Role.COMMUNITY_WORKER)), person_id=person.pk
    )
    sections = {s.key: s for s in report.sections}
    assert len(sections["migrants.record"].rows) == 1
    assert "510722" in sections["migrants.record"].rows[0]
    assert len(sections["migrants.verification"].rows) == 1
    assert "换了房间" in sections["migrants.verification"].rows[0]
    reports = sections["migrants.partnerreport"].rows
    assert len(reports) == 2  # the confirmed one and the later one; not the namesake's
    assert PartnerReport.objects.filter(name=person.name).count() == 3
    assert {again.moved_on, confirmed.moved_on} == {row[9] for row in reports}
    assert len(sections["migrants.notice"].rows) == 1
    text = json.dumps(report_json(report), ensure_ascii=False, default=str)
    assert str(secret) not in text
    assert keys.public_key_text() not in text


def test_the_street_reads_it_and_another_communitys_worker_does_not(
    org, worker, landlord, make_user
) -> None:
    confirmed = partners.report_submit(actor=Actor(user=landlord.account), data=tenant())
    confirmed = partners.report_confirm(actor=Actor(user=worker), report=confirmed)
    assert confirmed.record is not None
    person_id = confirmed.record.person_id
    street = make_user(Role.STREET_STAFF)
    report = subject_access_report(actor=Actor(user=street), person_id=person_id)
    assert {s.key for s in report.sections} >= {"migrants.record", "migrants.partnerreport"}
    with pytest.raises(NotFound):
        subject_access_report(
            actor=Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2)), person_id=person_id
        )
