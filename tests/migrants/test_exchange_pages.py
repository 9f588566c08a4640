"""Exchange pages: the worklist and overdue list, feedback on a notice, queries, the two-way
assessment and its workbook, the peers; in Chinese, scoped, bad input kept with a 4xx."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from jisheng.core.roles import Role
from jisheng.core.workdays import add_working_days
from jisheng.migrants.exchange import keys, services
from jisheng.migrants.models import Direction, Movement, Notice, OutboxMessage, Peer, Query


@pytest.fixture
def peer(db: None) -> Peer:
    return services.peer_add(
        actor=None,
        region_code="370402",
        name="市中区",
        base_url="http://127.0.0.1:9",
        public_key=keys.public_key_text(),
    )


def received(peer, community, notified=dt.date(2026, 11, 2)) -> Notice:
    return Notice.objects.create(
        direction=Direction.RECEIVED,
        peer=peer,
        message_id=uuid.uuid4(),
        movement=Movement.ARRIVED,
        community=community,
        name="张三",
        id_number="370404199001010011",
        id_number_masked="370404********0011",
        moved_on=notified,
        notified_on=notified,
        due_on=add_working_days(notified, 10),
    )


def test_worklist_and_overdue_list_in_chinese(peer, org, make_user, client_for) -> None:
    own = received(peer, org.c1, dt.date(2020, 1, 6))
    received(peer, org.c2)
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    page = client.get("/migrants/exchange/?show=overdue")
    assert page.status_code == 200
    text = page.content.decode()
    assert "收到的通报" in text
    assert "逾期" in text
    assert f'data-notice="{own.pk}"' in text
    assert text.count("data-notice=") == 1  # community 2's notice is not listed
    assert client.get("/migrants/exchange/?show=nonsense").status_code == 400


def test_feedback_from_the_notice_page(peer, org, make_user, client_for) -> None:
    notice = received(peer, org.c1)
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    url = f"/migrants/exchange/notices/{notice.pk}/"
    empty = client.post(url, {"feedback": "  "})
    assert empty.status_code == 400
    assert 'data-testid="feedback-form"' in empty.content.decode()
    done = client.post(url, {"feedback": "已入户核实，已建档"})
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.feedback == "已入户核实，已建档"
    assert OutboxMessage.objects.filter(kind="feedback").count() == 1
    again = client.post(url, {"feedback": "再次提交"})
    assert again.status_code in {302, 409}
    assert OutboxMessage.objects.filter(kind="feedback").count() == 1


def test_another_communitys_notice_is_not_found(peer, org, make_user, client_for) -> None:
    notice = received(peer, org.c2)
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    assert client.get(f"/migrants/exchange/notices/{notice.pk}/").status_code == 404


def test_a_query_needs_a_legal_basis_and_keeps_the_input(
    peer, org, make_user, make_person, client_for
) -> None:
    person = make_person(org.c1)
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    refused = client.post(
        "/migrants/exchange/queries/",
        {"peer": peer.pk, "id_number": person.id_number, "legal_basis": "x"},
    )
    assert refused.status_code == 400
    assert person.id_number in refused.content.decode()
    assert "请填写查询的法律依据" in refused.content.decode()
    sent = client.post(
        "/migrants/exchange/queries/",
        {"peer": peer.pk, "id_number": person.id_number, "legal_basis": "人口与计划生育法第十九条"},
    )
    assert sent.status_code == 302
    query = Query.objects.get()
    assert client.get(f"/migrants/exchange/queries/{query.pk}/").status_code == 200


def test_assessment_page_and_workbook(peer, org, make_user, client_for) -> None:
    received(peer, org.c1)
    client = client_for(make_user(Role.STREET_STAFF))
    page = client.get("/migrants/exchange/assessment/?year=2026&quarter=4")
    assert page.status_code == 200
    assert "双向考核" in page.content.decode()
    assert 'data-peer="370402"' in page.content.decode()
    assert client.get("/migrants/exchange/assessment/?year=1800").status_code == 400
    book = client.get("/migrants/exchange/assessment/xlsx/?year=2026")
    assert book.status_code == 200
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")


def test_peers_page_shows_fingerprints(peer, make_user, client_for) -> None:
    client = client_for(make_user(Role.STREET_STAFF))
    text = client.get("/migrants/exchange/peers/").content.decode()
    assert keys.fingerprint(peer.public_key) in text
    assert "指纹" in text


def test_a_partner_reporter_cannot_open_the_exchange(make_user, client_for, org) -> None:
    client = client_for(make_user(Role.PARTNER_REPORTER))
    assert client.get("/migrants/exchange/").status_code == 403
