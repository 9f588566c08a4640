"""Certifications: readable unguessable numbers, verification in scope, revocation, printing."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from jisheng.audit.models import AuditEvent
from jisheng.benefits.care import services as care
from jisheng.benefits.care.numbers import certification_number_normalize
from jisheng.benefits.care.selectors import certification_verify
from jisheng.benefits.care.services import certification_issue, certification_revoke
from jisheng.benefits.models import Certification
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.roles import Role

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"JS-2026-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}")
ISSUED = dt.date(2026, 6, 1)


@pytest.fixture
def school(program):
    return program("school-bonus-check")


def issue(user, program, person, **extra) -> Certification:
    values = {"purpose": "2026年中考升学加分", "issued_on": ISSUED} | extra
    return certification_issue(actor=Actor(user=user), program=program, person=person, **values)


def test_issued_certificate_has_a_readable_number_and_is_audited(
    worker, school, make_person
) -> None:
    certification = issue(worker, school, make_person(birth_date=dt.date(2011, 3, 3)))

    assert NUMBER.fullmatch(certification.number)
    assert (certification.status, certification.issued_by) == ("valid", worker)
    assert AuditEvent.objects.filter(
        action="create", object_type="benefits.certification", object_id=str(certification.pk)
    ).exists()


def test_numbers_are_unique_and_drawn_again_when_taken(
    worker, school, make_person, monkeypatch
) -> None:
    person = make_person()
    numbers = {issue(worker, school, person).number for _ in range(20)}
    assert len(numbers) == 20
    taken = next(iter(numbers))
    fresh = iter([taken, taken, "JS-2026-ABCDEFGH"])
    monkeypatch.setattr(care, "certification_number_new", lambda year: next(fresh))
    assert issue(worker, school, person).number == "JS-2026-ABCDEFGH"
    monkeypatch.setattr(care, "certification_number_new", lambda year: taken)
    with pytest.raises(Conflict):
        issue(worker, school, person)


def test_typed_numbers_are_normalised() -> None:
    assert certification_number_normalize(" js 2026 abcd-efgh ") == "JS-2026-ABCDEFGH"
    assert certification_number_normalize("ＪＳ－２０２６－ＡＢＣＤＥＦＧＨ") == "JS-2026-ABCDEFGH"
    assert certification_number_normalize("nonsense") == "NONSENSE"


def test_verification_answers_valid_revoked_and_not_found(
    worker, street, school, make_person, org
) -> None:
    valid = issue(worker, school, make_person())
    revoked = issue(worker, school, make_person(name="王五"))
    certification_revoke(actor=Actor(user=street), certification=revoked, reason="信息有误")
    foreign = issue(street, school, make_person(org.c2, name="李四"))
    actor = Actor(user=worker)

    found = certification_verify(actor=actor, number=valid.number.lower())
    assert (found.result, found.certification) == ("valid", valid)
    assert certification_verify(actor=actor, number=revoked.number).result == "revoked"
    assert certification_verify(actor=actor, number="JS-2026-ZZZZZZZZ").result == "not_found"
    assert certification_verify(actor=actor, number="'; drop table --").result == "not_found"
    outside = certification_verify(actor=actor, number=foreign.number)
    assert (outside.result, outside.certification) == ("not_found", None)
    assert certification_verify(actor=Actor(user=street), number=foreign.number).result == "valid"
    assert (
        AuditEvent.objects.filter(action="search", object_type="benefits.certification").count()
        == 6
    )


def test_revocation_needs_a_reason_happens_once_and_only_in_scope(
    worker, leader, school, make_person, make_user, org
) -> None:
    certification = issue(worker, school, make_person())
    with pytest.raises(JishengError):
        certification_revoke(actor=Actor(user=worker), certification=certification, reason=" ")
    with pytest.raises(Forbidden):
        certification_revoke(actor=Actor(user=leader), certification=certification, reason="x")
    outsider = make_user(Role.COMMUNITY_WORKER, org.c2)
    with pytest.raises(NotFound):
        certification_revoke(actor=Actor(user=outsider), certification=certification, reason="x")
    certification_revoke(actor=Actor(user=worker), certification=certification, reason="重复出具")
    certification.refresh_from_db()
    assert (certification.status, certification.revoked_reason) == ("revoked", "重复出具")
    assert certification.revoked_by == worker
    assert certification.revoked_at is not None
    with pytest.raises(Conflict):
        certification_revoke(actor=Actor(user=worker), certification=certification, reason="x")


def test_only_service_programs_issue_certificates_to_residents_who_qualify(
    worker, leader, program, make_person
) -> None:
    person = make_person()
    with pytest.raises(JishengError):
        issue(worker, program("hardship-visits"), person)
    with pytest.raises(JishengError, match=r"不符合|Not met"):
        issue(worker, program("honor-certificate-reissue"), person)  # has no child
    with pytest.raises(Forbidden):
        issue(leader, program("school-bonus-check"), person)
    assert not Certification.objects.exists()


def test_printed_certificate_carries_number_street_seal_and_full_id_number(
    worker, school, make_person, client_for, org
) -> None:
    person = make_person(birth_date=dt.date(2011, 3, 3))
    certification = issue(worker, school, person)

    response = client_for(worker).get(f"/benefits/certifications/{certification.pk}/print/")

    page = response.content.decode()
    assert response.status_code == 200
    assert certification.number in page
    assert org.street.name in page
    assert person.id_number in page
    assert 'data-testid="certificate"' in page
    assert "<script" not in page.split('data-testid="certificate"')[1]
    assert AuditEvent.objects.filter(
        action="view", object_id=str(certification.pk), detail__print=True
    ).exists()


def test_revoked_certificate_is_not_printed(worker, school, make_person, client_for) -> None:
    certification = issue(worker, school, make_person())
    certification_revoke(actor=Actor(user=worker), certification=certification, reason="作废")
    response = client_for(worker).get(f"/benefits/certifications/{certification.pk}/print/")
    assert response.status_code == 400


def test_certification_api_issues_lists_and_verifies(
    worker, leader, school, make_person, make_user, client_for, org
) -> None:
    import json

    person = make_person()
    client = client_for(worker)
    body = {"program_id": school.pk, "person_id": person.pk, "purpose": "中考加分"}
    created = client.post(
        "/api/benefits/certifications", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert re.fullmatch(r"JS-\d{4}-[2-9A-HJKMNP-TV-Z]{8}", number)
    assert client.get("/api/benefits/certifications").json()["count"] == 1
    verified = client.get(f"/api/benefits/certifications/verify?number={number}").json()
    assert (verified["result"], verified["certification"]["person_id"]) == ("valid", person.pk)
    unknown = client.get("/api/benefits/certifications/verify?number=JS-2026-XXXXXXXX")
    assert (unknown.status_code, unknown.json()["result"]) == (200, "not_found")
    detail = f"/api/benefits/certifications/{created.json()['id']}"
    assert client.get(detail).status_code == 200
    outsider = client_for(make_user(Role.COMMUNITY_WORKER, org.c2))
    assert outsider.get(detail).status_code == 404
    assert outsider.get(f"/api/benefits/certifications/verify?number={number}").json() == {
        "number": number,
        "result": "not_found",
        "certification": None,
    }
    refused = client_for(leader).post(
        "/api/benefits/certifications", json.dumps(body), content_type="application/json"
    )
    assert refused.status_code == 403
