"""The subject-access report (PIPL Art. 45): one resident's records from every module, to
those who may see them, health sections only with the health duty, and the read audited."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from jisheng.audit.models import AuditEvent
from jisheng.benefits.models import (
    Application,
    Certification,
    Entitlement,
    Payment,
    PaymentBatch,
    Program,
    Visit,
)
from jisheng.contraceptives.models import DistributionPoint, Lot, Product, RosterEntry, StockMove
from jisheng.core.actors import Actor
from jisheng.core.errors import NotFound
from jisheng.core.roles import Role
from jisheng.prepregnancy.models import Checkup, FollowUp, Pregnancy, TargetCouple
from jisheng.registry.models import LifeEvent, Marriage, ParentLink, Person
from jisheng.registry.subject_access import subject_access_report

DAY = dt.date(2025, 3, 1)
HEALTH_SECTIONS = {
    "prepregnancy.couple",
    "prepregnancy.checkup",
    "prepregnancy.pregnancy",
    "prepregnancy.followup",
    "contraceptives.roster",
    "contraceptives.rosterfollowup",
    "contraceptives.issue",
}


@pytest.fixture
def resident(org, make_person, make_household, make_user) -> Person:
    """A wife with a household, a marriage, a child, a birth event, a benefit application,
    entitlement, payment, visit and certificate, a pre-pregnancy file, and a contraceptive
    roster entry and issue."""
    clerk = make_user(Role.COMMUNITY_WORKER)
    wife = make_person(org.c1, name="王秀英", sex="F", birth_date=dt.date(1992, 4, 1))
    husband = make_person(org.c1, name="李建国", sex="M", birth_date=dt.date(1990, 2, 1))
    child = make_person(org.c1, name="李小宝", sex="M", birth_date=dt.date(2024, 6, 1))
    make_household(wife)
    marriage = Marriage.objects.create(community=org.c1, husband=husband, wife=wife, date=DAY)
    ParentLink.objects.create(parent=wife, child=child)
    LifeEvent.objects.create(
        kind=LifeEvent.Kind.BIRTH, person=child, other_person=wife, community=org.c1, date=DAY
    )

    program = Program.objects.first() or Program.objects.create(
        code="T1",
        name="测试项目",
        category="support",
        policy_document="文件",
        unit="person",
        benefit_kind="cash",
    )
    application = Application.objects.create(
        program=program, person=wife, community=org.c1, created_by=clerk
    )
    entitlement = Entitlement.objects.create(
        program=program,
        person=wife,
        payee=wife,
        community=org.c1,
        start_date=DAY,
        application=application,
    )
    batch = PaymentBatch.objects.create(
        program=program,
        org_unit=org.street,
        period="2025-03",
        period_start=DAY,
        period_end=DAY,
        built_by=clerk,
    )
    Payment.objects.create(
        batch=batch,
        program=program,
        period="2025-03",
        entitlement=entitlement,
        person=wife,
        payee=wife,
        community=org.c1,
        amount=Decimal("120.00"),
    )
    Visit.objects.create(
        program=program, community=org.c1, person=wife, date=DAY, visitors="张", recorded_by=clerk
    )
    Certification.objects.create(
        program=program,
        person=wife,
        community=org.c1,
        number="ZM-1",
        purpose="入学",
        issued_on=DAY,
        issued_by=clerk,
    )

    couple = TargetCouple.objects.create(
        community=org.c1,
        husband=husband,
        wife=wife,
        marriage=marriage,
        source="new_marriage",
        entered_on=DAY,
    )
    Checkup.objects.create(
        couple=couple,
        person=wife,
        spouse="wife",
        institution="妇幼保健院",
        date=DAY,
        risk_level="general",
        recorded_by=clerk,
    )
    pregnancy = Pregnancy.objects.create(
        couple=couple,
        woman_id=couple.wife_id,
        community_id=couple.community_id,
        reported_on=DAY,
        reported_by=clerk,
    )
    FollowUp.objects.create(
        pregnancy=pregnancy,
        community_id=pregnancy.community_id,
        couple=couple,
        kind="early",
        due_date=DAY,
        assignee=clerk,
    )

    product = Product.objects.create(name="避孕套", category="condom", unit="盒")
    lot = Lot.objects.create(product=product, number="L1", expiry_date=dt.date(2030, 1, 1))
    point = DistributionPoint.objects.create(name="一号点", kind="community", org_unit=org.c1)
    RosterEntry.objects.create(
        person=wife, community=wife.community, method="condom", start_date=DAY, point=point
    )
    StockMove.objects.create(
        point=point,
        lot=lot,
        kind="issue",
        quantity=-2,
        reason="user_supply",
        occurred_on=DAY,
        person=wife,
        recorded_by=clerk,
    )
    return wife


def _keys_with_rows(report) -> set[str]:
    return {section.key for section in report.sections if section.rows}


def test_the_report_lists_records_from_every_module(make_user, resident) -> None:
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))

    report = subject_access_report(actor=actor, person_id=resident.pk)

    assert _keys_with_rows(report) >= {
        "registry.person",
        "registry.household",
        "registry.marriage",
        "registry.relatives",
        "registry.lifeevent",
        "benefits.application",
        "benefits.entitlement",
        "benefits.payment",
        "benefits.visit",
        "benefits.certification",
        *HEALTH_SECTIONS - {"contraceptives.rosterfollowup"},
    }
    labels = [s.title for s in report.sections] + [h for s in report.sections for h in s.header]
    assert [label for label in labels if re.search("[A-Za-z]{3,}", label)] == []  # all Chinese
    person = next(s for s in report.sections if s.key == "registry.person")
    assert person.rows[0][person.header.index("身份证号码")] == resident.id_number


def test_the_read_is_audited_with_the_person_and_sections(make_user, resident) -> None:
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    before = AuditEvent.objects.count()

    report = subject_access_report(actor=actor, person_id=resident.pk)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.object_type, event.object_id) == (
        "export",
        "registry.person",
        str(resident.pk),
    )
    assert event.detail["sections"] == [section.key for section in report.sections]


def test_a_role_without_the_health_duty_gets_no_health_sections(make_user, resident) -> None:
    leader = Actor(user=make_user(Role.LEADER))

    report = subject_access_report(actor=leader, person_id=resident.pk)

    keys = {section.key for section in report.sections}
    assert not keys & HEALTH_SECTIONS
    assert {"registry.person", "benefits.payment"} <= _keys_with_rows(report)
    assert not any(section.health for section in report.sections)


def test_a_user_out_of_scope_gets_404(org, make_user, resident, client_for) -> None:
    elsewhere = make_user(Role.COMMUNITY_WORKER, unit=org.c2)
    with pytest.raises(NotFound):
        subject_access_report(actor=Actor(user=elsewhere), person_id=resident.pk)
    response = client_for(elsewhere).get(f"/registry/persons/{resident.pk}/data-report/")
    assert response.status_code == 404


def test_the_page_prints_in_chinese_and_downloads_as_json(make_user, resident, client_for) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    detail = client.get(f"/registry/persons/{resident.pk}/")
    assert f"/registry/persons/{resident.pk}/data-report/" in detail.content.decode()

    page = client.get(f"/registry/persons/{resident.pk}/data-report/")
    assert page.status_code == 200
    html = page.content.decode()
    for title in ("个人信息报告", "孕前", "发放记录", "王秀英", "妇幼保健院"):
        assert title in html

    download = client.get(f"/registry/persons/{resident.pk}/data-report/?format=json")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data["person"] == resident.pk
    assert "contraceptives.issue" in {section["key"] for section in data["sections"]}
