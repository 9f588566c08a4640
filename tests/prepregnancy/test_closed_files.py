"""Files that close (a spouse moved out, the marriage ended): the day they closed, and a
checkup done before closing stays visible on the worklist, the couple's page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jisheng.prepregnancy.models import CoupleState, TargetCouple
from jisheng.prepregnancy.selectors import couples as selectors
from jisheng.prepregnancy.services import checkups, couples
from jisheng.registry.services import events

DAY = dt.timedelta(days=1)


@pytest.fixture
def client(worker, client_for) -> Client:
    return client_for(worker)


@pytest.fixture
def checked_then_moved(actor, couple, checkup_data, street_actor, today) -> TargetCouple:
    """The wife was examined 20 days ago; the couple moved out 5 days ago."""
    checkups.checkup_record(
        actor=actor, couple=couple, spouse="wife", data=checkup_data(date=today - 20 * DAY)
    )
    events.move_out_record(actor=street_actor, person=couple.wife, date=today - 5 * DAY)
    couples.target_couples_refresh(actor=actor)
    couple.refresh_from_db()
    return couple


def test_moving_out_keeps_the_state_and_dates_the_closing(checked_then_moved, today) -> None:
    assert checked_then_moved.state == CoupleState.MOVED_OUT
    assert checked_then_moved.closed_on == today - 5 * DAY


def test_the_worklist_shows_the_checkup_of_a_couple_that_moved_out(
    client, checked_then_moved
) -> None:
    page = client.get(reverse("prepregnancy:couple_list")).content.decode()
    row = page[page.index(f'data-couple="{checked_then_moved.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-state="moved_out"' in row
    assert 'data-testid="checked-before-closing"' in row


def test_the_couple_page_shows_who_was_checked_and_prompts_no_more(
    client, actor, checked_then_moved
) -> None:
    file = selectors.couple_file(actor=actor, couple_id=checked_then_moved.pk)
    assert (file.checked_before_closing, file.missing_spouse) == ("wife", None)
    page = client.get(
        reverse("prepregnancy:couple_detail", args=[checked_then_moved.pk])
    ).content.decode()
    assert 'data-testid="checked-before-closing" data-spouse="wife"' in page
    assert 'data-testid="prompt-other-spouse"' not in page
    assert 'data-testid="record-checkup-husband"' not in page
    assert 'data-testid="closed-on"' in page


def test_the_api_shows_the_closing_and_the_checked_spouse(
    worker, client_for, checked_then_moved, today
) -> None:
    detail = client_for(worker).get(f"/api/prepregnancy/couples/{checked_then_moved.pk}").json()
    assert (detail["state"], detail["closed_on"]) == ("moved_out", str(today - 5 * DAY))
    assert (detail["wife_checked"], detail["husband_checked"]) == (True, False)


def test_a_file_served_again_loses_its_closing_date(
    actor, checked_then_moved, street_actor, org, today
) -> None:
    events.move_in_record(
        actor=street_actor, community=org.c1, date=today, person=checked_then_moved.wife
    )
    couples.target_couples_refresh(actor=actor)
    checked_then_moved.refresh_from_db()
    assert (checked_then_moved.state, checked_then_moved.closed_on) == (
        CoupleState.ONE_CHECKED,
        None,
    )


def test_a_divorce_dates_the_closing_by_the_divorce(actor, couple, street_actor, today) -> None:
    events.divorce_record(actor=street_actor, marriage=couple.marriage, date=today - 2 * DAY)
    couples.target_couples_refresh(actor=actor)
    couple.refresh_from_db()
    assert (couple.state, couple.closed_on) == (CoupleState.ENDED, today - 2 * DAY)


def test_the_first_spouse_to_leave_dates_the_closing(actor, couple, street_actor, today) -> None:
    events.move_out_record(actor=street_actor, person=couple.husband, date=today - 9 * DAY)
    events.move_out_record(actor=street_actor, person=couple.wife, date=today - 3 * DAY)
    couples.target_couples_refresh(actor=actor)
    couple.refresh_from_db()
    assert couple.closed_on == today - 9 * DAY
