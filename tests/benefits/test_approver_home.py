"""What awaits a leader's approval is on the leader's home page, counted and linked; a
supervisor's home page leads to the figures it may read."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from jisheng.benefits.services.applications import application_create, application_transition
from jisheng.benefits.services.notices import notice_publish
from jisheng.core.actors import Actor
from jisheng.core.roles import Role

REVIEWED_AT = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing


@pytest.fixture
def child(make_family):
    _h, _w, (kid,) = make_family(
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("M", dt.date(2025, 5, 5)),),
    )
    return kid


@pytest.fixture
def in_notice(program, child, worker, street):
    """One application put on a notice running 2 to 8 November 2026."""
    subsidy = program("childcare-subsidy")
    with time_machine.travel(REVIEWED_AT, tick=False):
        application = application_create(actor=Actor(user=worker), program=subsidy, person=child)
        application_transition(actor=Actor(user=worker), application=application, action="check")
        application_transition(actor=Actor(user=street), application=application, action="review")
        notice_publish(
            actor=Actor(user=street),
            program=subsidy,
            application_ids=[application.pk],
            starts_on=dt.date(2026, 11, 2),
        )
    return application


def test_a_leader_is_told_when_nothing_awaits_approval(leader, client_for) -> None:
    body = client_for(leader).get("/").content.decode()

    assert 'data-testid="benefits-panel"' in body
    assert "目前没有待您审批的事项" in body


def test_a_leader_sees_an_application_in_notice_then_ready_for_approval(
    leader, client_for, in_notice
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 5, 2, 0, tzinfo=dt.UTC), tick=False):
        during = client_for(leader).get("/").content.decode()
    with time_machine.travel(dt.datetime(2026, 11, 12, 2, 0, tzinfo=dt.UTC), tick=False):
        after = client_for(leader).get("/").content.decode()

    assert 'data-waiting="in_notice"' in during
    assert "1 件申请正在公示" in during
    assert 'data-waiting="to_approve"' not in during
    assert 'data-waiting="to_approve"' in after
    assert "1 件申请可审批" in after
    assert "/benefits/applications/?state=in_notice" in after
    assert "目前没有待您审批的事项" not in after


def test_a_supervisor_is_led_to_the_figures_of_its_area(make_user, client_for) -> None:
    body = client_for(make_user(Role.DISTRICT_SUPERVISOR)).get("/").content.decode()

    assert 'data-testid="oversight-panel"' in body
    assert "/prepregnancy/indicators/" in body
    assert "/contraceptives/reports/" in body
