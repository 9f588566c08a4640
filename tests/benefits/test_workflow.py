"""The application workflow: states, roles, notice and objections, approval, enrolment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from jisheng.audit.models import AuditEvent
from jisheng.benefits.masking import mask_name
from jisheng.benefits.models import Entitlement, Transition
from jisheng.benefits.services.applications import (
    application_create,
    application_transition,
    applications_create_for,
)
from jisheng.benefits.services.notices import notice_publish, objection_record, objection_resolve
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from support.benefits import steps_taken_on


@pytest.fixture
def child(make_family):
    _h, _w, (kid,) = make_family(
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("M", dt.date(2025, 5, 5)),),
    )
    return kid


def reviewed(program, child, worker, street):
    application = application_create(actor=Actor(user=worker), program=program, person=child)
    application_transition(actor=Actor(user=worker), application=application, action="check")
    application_transition(actor=Actor(user=street), application=application, action="review")
    steps_taken_on(application, dt.date(2026, 10, 31))
    return application


def test_full_path_enrols_the_child_and_records_every_step(
    program, child, worker, street, leader
) -> None:
    subsidy = program("childcare-subsidy")
    application = reviewed(subsidy, child, worker, street)
    notice = notice_publish(
        actor=Actor(user=street),
        program=subsidy,
        application_ids=[application.pk],
        starts_on=dt.date(2026, 11, 1),
    )
    assert notice.ends_on == dt.date(2026, 11, 7)
    approved = application_transition(
        actor=Actor(user=leader),
        application=application,
        action="approve",
        today=dt.date(2026, 11, 8),
    )
    assert approved.state == "approved"
    entitlement = Entitlement.objects.get(application=application)
    assert entitlement.start_date == dt.date(2025, 5, 5)  # born after the program began
    assert entitlement.payee == application.payee
    assert list(
        Transition.objects.filter(application=application).values_list("action", flat=True)
    ) == [
        "submit",
        "check",
        "review",
        "publish",
        "approve",
    ]
    assert (
        AuditEvent.objects.filter(
            object_type="benefits.application", object_id=str(application.pk)
        ).count()
        >= 5
    )


def test_approval_waits_for_the_end_of_the_notice(program, child, worker, street, leader) -> None:
    subsidy = program("childcare-subsidy")
    application = reviewed(subsidy, child, worker, street)
    notice_publish(
        actor=Actor(user=street),
        program=subsidy,
        application_ids=[application.pk],
        starts_on=dt.date(2026, 11, 1),
    )
    with pytest.raises(Conflict):
        application_transition(
            actor=Actor(user=leader),
            application=application,
            action="approve",
            today=dt.date(2026, 11, 7),
        )


def test_an_open_objection_blocks_approval_and_a_rejected_one_lets_it_through(
    program, child, worker, street, leader
) -> None:
    subsidy = program("childcare-subsidy")
    application = reviewed(subsidy, child, worker, street)
    notice_publish(
        actor=Actor(user=street),
        program=subsidy,
        application_ids=[application.pk],
        starts_on=dt.date(2026, 11, 1),
    )
    objection = objection_record(
        actor=Actor(user=worker),
        application=application,
        content="孩子不在本社区居住",
        received_on=dt.date(2026, 11, 3),
    )
    with pytest.raises(Conflict):
        application_transition(
            actor=Actor(user=leader),
            application=application,
            action="approve",
            today=dt.date(2026, 11, 20),
        )
    objection_resolve(
        actor=Actor(user=street), objection=objection, upheld=False, resolution="核实后在本社区居住"
    )
    application_transition(
        actor=Actor(user=leader),
        application=application,
        action="approve",
        today=dt.date(2026, 11, 20),
    )


def test_an_upheld_objection_returns_the_application(program, child, worker, street) -> None:
    subsidy = program("childcare-subsidy")
    application = reviewed(subsidy, child, worker, street)
    notice_publish(
        actor=Actor(user=street),
        program=subsidy,
        application_ids=[application.pk],
        starts_on=dt.date(2026, 11, 1),
    )
    objection = objection_record(
        actor=Actor(user=street),
        application=application,
        content="户籍不符",
        received_on=dt.date(2026, 11, 2),
    )
    objection_resolve(actor=Actor(user=street), objection=objection, upheld=True, resolution="属实")
    application.refresh_from_db()
    assert application.state == "returned"
    application_transition(actor=Actor(user=worker), application=application, action="resubmit")
    application.refresh_from_db()
    assert application.state == "submitted"


def test_roles_are_checked_at_each_step(program, child, worker, street, leader) -> None:
    subsidy = program("childcare-subsidy")
    application = application_create(actor=Actor(user=worker), program=subsidy, person=child)
    with pytest.raises(Forbidden):
        application_transition(actor=Actor(user=leader), application=application, action="check")
    application_transition(actor=Actor(user=worker), application=application, action="check")
    with pytest.raises(Forbidden):
        application_transition(actor=Actor(user=worker), application=application, action="review")
    with pytest.raises(Forbidden):
        application_transition(
            actor=Actor(user=worker), application=application, action="reject", comment="x"
        )


def test_a_step_from_the_wrong_state_is_refused(program, child, worker) -> None:
    application = application_create(
        actor=Actor(user=worker), program=program("childcare-subsidy"), person=child
    )
    with pytest.raises(Conflict):
        application_transition(actor=Actor(user=worker), application=application, action="resubmit")
    with pytest.raises(JishengError):
        application_transition(actor=Actor(user=worker), application=application, action="fly")


def test_return_and_reject_need_a_reason(program, child, worker) -> None:
    application = application_create(
        actor=Actor(user=worker), program=program("childcare-subsidy"), person=child
    )
    with pytest.raises(JishengError):
        application_transition(actor=Actor(user=worker), application=application, action="return")
    application_transition(
        actor=Actor(user=worker),
        application=application,
        action="reject",
        comment="材料不全且无法补正",
    )
    application.refresh_from_db()
    assert application.state == "rejected"


def test_whoever_reviewed_cannot_approve(program, child, worker, street) -> None:
    subsidy = program("childcare-subsidy")
    application = reviewed(subsidy, child, worker, street)
    notice_publish(
        actor=Actor(user=street),
        program=subsidy,
        application_ids=[application.pk],
        starts_on=dt.date(2026, 11, 1),
    )
    with pytest.raises(Forbidden):
        application_transition(actor=Actor(user=street), application=application, action="approve")


def test_a_second_open_application_and_an_ineligible_one_are_refused(
    program, child, worker, make_person
) -> None:
    subsidy = program("childcare-subsidy")
    application_create(actor=Actor(user=worker), program=subsidy, person=child)
    with pytest.raises(Conflict):
        application_create(actor=Actor(user=worker), program=subsidy, person=child)
    adult = make_person(name="成年人")
    with translation.override("en"), pytest.raises(JishengError) as refused:
        application_create(actor=Actor(user=worker), program=subsidy, person=adult)
    assert "Age in months" in str(refused.value.message)


def test_a_person_of_another_community_cannot_be_applied_for(
    program, make_family, org, worker
) -> None:
    _h, _w, (other_child,) = make_family(
        community=org.c2,
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("M", dt.date(2025, 5, 5)),),
    )
    with pytest.raises(NotFound):
        application_create(
            actor=Actor(user=worker), program=program("childcare-subsidy"), person=other_child
        )


def test_batch_applications_from_find_eligible_report_each_refusal(
    program, child, worker, make_person
) -> None:
    adult = make_person(name="成年人")
    result = applications_create_for(
        actor=Actor(user=worker), program=program("childcare-subsidy"), persons=[child, adult]
    )
    assert [a.person for a in result.created] == [child]
    assert [person for person, _reason in result.refused] == [adult]


def test_notice_only_takes_street_reviewed_applications(program, child, worker, street) -> None:
    subsidy = program("childcare-subsidy")
    application = application_create(actor=Actor(user=worker), program=subsidy, person=child)
    with pytest.raises(Conflict):
        notice_publish(
            actor=Actor(user=street),
            program=subsidy,
            application_ids=[application.pk],
            starts_on=dt.date(2026, 1, 1),
        )


@pytest.mark.parametrize(
    ("name", "masked"), [("张三明", "张*明"), ("李四", "李*"), ("欧阳建国", "欧**国"), ("王", "王")]
)
def test_names_on_a_notice_are_masked_as_customary(name, masked) -> None:
    assert mask_name(name) == masked
