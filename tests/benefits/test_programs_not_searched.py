"""An ended program, or one without a rule, lists nobody as eligible: an empty rule would hold
for every resident (the walk found 1,785 "eligible" for the ended 双女绝育家庭奖励 on a street
of 2,647, children included), and an ended program takes no applicants anyway."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jisheng.benefits import selectors
from jisheng.benefits.models import EligibleSnapshot, Program
from jisheng.benefits.services import snapshots
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict
from jisheng.core.roles import Role

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def ended(program) -> Program:
    found = program("two-daughters-reward")
    assert found.status == Program.Status.ENDED
    assert not found.rule
    return found


@pytest.fixture
def ruleless(program) -> Program:
    """An open program whose rule was left empty."""
    found = program("childcare-subsidy")
    Program.objects.filter(pk=found.pk).update(rule={})
    found.refresh_from_db()
    return found


@pytest.mark.parametrize("which", ["ended", "ruleless"])
def test_nobody_is_listed_queued_or_applied_for(request, which, org, make_user) -> None:
    program = request.getfixturevalue(which)
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    actor = Actor(user=worker, ip="127.0.0.1")
    with pytest.raises(Conflict):
        selectors.eligible_persons(user=worker, program=program, as_of=TODAY)
    with pytest.raises(Conflict):
        snapshots.snapshot_refresh(actor=actor, program=program, as_of=TODAY)
    with pytest.raises(Conflict):
        snapshots.applications_from_snapshot(
            actor=actor, program=program, snapshot_id=None, person_ids=[1]
        )
    assert not EligibleSnapshot.objects.exists()


@pytest.mark.parametrize(
    ("which", "message"),
    [("ended", "不再受理新申请"), ("ruleless", "没有资格规则")],
)
def test_the_pages_say_why_and_offer_nothing_to_refresh_or_apply_from(
    request, which, message, org, make_user, client_for
) -> None:
    program = request.getfixturevalue(which)
    client = client_for(make_user(Role.STREET_STAFF, org.street))
    page = client.get(reverse("benefits:find_eligible", args=[program.code]))
    assert page.status_code == 409
    text = page.content.decode()
    assert message in text
    assert 'data-testid="refresh"' not in text
    assert 'data-testid="apply-selected"' not in text
    refresh = client.post(reverse("benefits:eligible_refresh", args=[program.code]))
    assert refresh.status_code == 409
    assert message in refresh.content.decode()
    detail = client.get(reverse("benefits:program_detail", args=[program.code]))
    assert detail.status_code == 200
    assert 'data-testid="find-eligible"' not in detail.content.decode()
    api = client.get(f"/api/benefits/programs/{program.code}/eligible")
    assert api.status_code == 409
    queued = client.post(
        f"/api/benefits/programs/{program.code}/eligible-snapshots",
        {},
        content_type="application/json",
    )
    assert queued.status_code == 409
    assert not EligibleSnapshot.objects.exists()


def test_an_open_program_with_a_rule_still_offers_the_list(
    program, org, make_user, client_for
) -> None:
    client = client_for(make_user(Role.STREET_STAFF, org.street))
    childcare = program("childcare-subsidy")
    assert childcare.eligible_search_refusal() == ""
    page = client.get(reverse("benefits:find_eligible", args=[childcare.code]))
    assert page.status_code == 200
    assert 'data-testid="refresh"' in page.content.decode()
    detail = client.get(reverse("benefits:program_detail", args=[childcare.code]))
    assert 'data-testid="find-eligible"' in detail.content.decode()
