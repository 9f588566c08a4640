"""A program that takes no applications (closed, ended, or past its validity) offers no
"Take an application" and no empty publicity step; its apply page is a Chinese 409 with the
way back, not a form whose Save is refused. Batches stay: entitlements already granted are
paid for the periods the program ran (the batch service refuses any other period)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jisheng.benefits.models import Program
from jisheng.benefits.services.applications import application_create, application_transition
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict

pytestmark = pytest.mark.django_db

CLOSED_MESSAGE = "本项目已停止受理新申请。"


@pytest.fixture
def client(street, client_for):
    return client_for(street)


@pytest.fixture
def ended(program) -> Program:
    found = program("two-daughters-reward")
    assert found.status == Program.Status.ENDED
    assert found.pays_cash
    return found


@pytest.fixture
def closed(program) -> Program:
    """The childcare subsidy, closed to new applicants."""
    found = program("childcare-subsidy")
    Program.objects.filter(pk=found.pk).update(status=Program.Status.CLOSED)
    found.refresh_from_db()
    return found


def actions(client, program: Program) -> str:
    page = client.get(reverse("benefits:program_detail", args=[program.code]))
    assert page.status_code == 200
    return page.content.decode().split('<div class="actions">')[1].split("</div>")[0]


@pytest.mark.parametrize("which", ["ended", "closed"])
def test_the_program_page_offers_no_application_and_no_notice(client, request, which) -> None:
    program = request.getfixturevalue(which)
    shown = actions(client, program)
    assert 'data-testid="apply"' not in shown
    assert 'data-testid="notice-new"' not in shown
    assert 'data-testid="batch-new"' in shown  # the entitled are still paid


@pytest.mark.parametrize("which", ["ended", "closed"])
def test_the_apply_page_is_a_409_with_the_way_back(client, request, which) -> None:
    program = request.getfixturevalue(which)
    url = reverse("benefits:application_new", args=[program.code])
    for page in (client.get(url), client.post(url, {"person_id": "1"})):
        assert page.status_code == 409
        text = page.content.decode()
        assert CLOSED_MESSAGE in text
        assert reverse("benefits:program_detail", args=[program.code]) in text
        assert "<form" not in text.split("</header>")[-1]
        assert "data-print" not in text


def test_a_program_past_its_validity_takes_no_application(client, program) -> None:
    subsidy = program("childcare-subsidy")
    Program.objects.filter(pk=subsidy.pk).update(valid_to=dt.date(2020, 12, 31))
    assert 'data-testid="apply"' not in actions(client, subsidy)
    page = client.get(reverse("benefits:application_new", args=[subsidy.code]))
    assert page.status_code == 409


def test_an_open_program_offers_all_and_its_apply_page_is_the_form(client, program) -> None:
    subsidy = program("childcare-subsidy")
    shown = actions(client, subsidy)
    assert 'data-testid="apply"' in shown
    assert 'data-testid="notice-new"' in shown
    page = client.get(reverse("benefits:application_new", args=[subsidy.code]))
    assert page.status_code == 200
    assert 'data-testid="application-form"' in page.content.decode()


def test_applications_reviewed_before_closing_still_go_on_a_notice(
    client, program, make_family, worker, street
) -> None:
    _h, _w, (child,) = make_family(
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("M", dt.date(2025, 5, 5)),),
    )
    subsidy = program("childcare-subsidy")
    taken = application_create(actor=Actor(user=worker), program=subsidy, person=child)
    application_transition(actor=Actor(user=worker), application=taken, action="check")
    application_transition(actor=Actor(user=street), application=taken, action="review")
    Program.objects.filter(pk=subsidy.pk).update(status=Program.Status.CLOSED)
    subsidy.refresh_from_db()

    shown = actions(client, subsidy)

    assert 'data-testid="apply"' not in shown
    assert 'data-testid="notice-new"' in shown
    with pytest.raises(Conflict) as refused:
        application_create(actor=Actor(user=worker), program=subsidy, person=child)
    assert refused.value.message == CLOSED_MESSAGE


def test_the_find_eligible_refusal_has_nothing_to_print(client, ended) -> None:
    page = client.get(reverse("benefits:find_eligible", args=[ended.code]))
    assert page.status_code == 409
    assert 'data-testid="not-searchable"' in page.content.decode()
    assert "data-print" not in page.content.decode()
