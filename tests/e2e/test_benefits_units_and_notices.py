"""Two benefits journeys in a real browser: a couple program finds, takes and refuses a
couple as one unit; a public notice cannot be backdated past the street review of its
applications, shows the days each was listed, and a too-early approval says why on the page.

Elements are found by ``data-testid``, form field names and URLs; refusals are checked in
Chinese, as a street office reads them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from tests.e2e.test_benefits import run_worker

from jisheng.accounts.models import User
from jisheng.benefits.models import Application, Program
from jisheng.benefits.preload import preload_programs
from jisheng.benefits.services.applications import application_create, application_transition
from jisheng.core.actors import Actor
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData

pytestmark = pytest.mark.browser


def click_and_wait(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def married_parents(demo: Any, *, child_birth: dt.date) -> tuple[Any, Any, Any]:
    """王建国 and 王春燕 of community 1, married, with one child."""
    mother, father = demo.c1_persons[0], demo.c1_persons[1]
    street = Actor(user=User.objects.get(username="demo_street"))
    events.marriage_record(actor=street, husband=father, wife=mother, date=dt.date(2018, 1, 1))
    child = events.birth_record(
        actor=street,
        mother=mother,
        father=father,
        child=PersonData(name="王小宝", sex="M", birth_date=child_birth),
    ).person
    return father, mother, child


def test_a_couple_benefit_is_found_and_taken_once_per_couple(
    page: Page, demo: Any, login: Callable[..., None]
) -> None:
    preload_programs(Program)  # transactional tests flush migration data
    father, mother, _child = married_parents(demo, child_birth=dt.date(2019, 4, 1))

    login(page, "demo_c1")
    page.goto("/benefits/programs/only-child-parents/eligible/")
    # No list yet: making one queues it; the bar polls until the worker has made it.
    assert page.is_visible("[data-testid=no-snapshot]")
    click_and_wait(page, "[data-testid=refresh]")
    page.wait_for_selector("[data-testid=snapshot-progress] [data-state=queued]")
    run_worker()
    page.wait_for_selector("[data-testid=eligible]")
    assert "数据截至" in page.inner_text("[data-testid=snapshot-as-of]")
    assert page.is_visible("[data-testid=couple-note]")
    table = "[data-testid=eligible]"
    # One row for the couple (the spouse with the lower record number), naming the other.
    listed, other = sorted((father, mother), key=lambda person: person.pk)
    assert page.locator(f"{table} input[value='{listed.pk}']").count() == 1
    assert page.locator(f"{table} input[value='{other.pk}']").count() == 0
    assert other.name in page.inner_text(f"{table} [data-testid=spouse]")
    page.check(f"{table} input[value='{listed.pk}']")
    click_and_wait(page, "[data-testid=apply-selected]")
    assert Application.objects.get(program__code="only-child-parents").spouse == other

    # Applying for the other spouse as well is refused on the form, the input kept, in Chinese.
    page.goto("/benefits/programs/only-child-parents/apply/")
    page.fill("[data-testid=find-person_id]", other.id_number)  # the picker, by ID number
    page.click(f"[data-testid=pick-{other.pk}]")
    page.fill("input[name=bank_account]", "6222000011112222")
    click_and_wait(page, "[data-testid=application-form] [data-testid=submit]")
    assert "每对夫妻（或每户）只发放一份" in page.inner_text(".errorlist")
    assert page.input_value("input[name=bank_account]") == "6222000011112222"
    assert page.input_value("input[name=person_id]") == str(other.pk)
    assert Application.objects.filter(program__code="only-child-parents").count() == 1


def test_a_notice_cannot_start_before_the_street_review(
    page: Page, demo: Any, login: Callable[..., None], logout: Callable[[Page], None]
) -> None:
    preload_programs(Program)
    today = timezone.localdate()
    _father, _mother, child = married_parents(demo, child_birth=today - dt.timedelta(days=200))
    worker = Actor(user=User.objects.get(username="demo_c1"))
    application = application_create(
        actor=worker, program=Program.objects.get(code="childcare-subsidy"), person=child
    )
    application_transition(actor=worker, application=application, action="check")

    # The street reviews it today, then tries a notice "posted" ten days ago: refused.
    login(page, "demo_street")
    page.goto(f"/benefits/applications/{application.pk}/")
    click_and_wait(page, "[data-testid=act-review]")
    page.goto("/benefits/programs/childcare-subsidy/notice/")
    early = (today - dt.timedelta(days=10)).isoformat()
    page.select_option("select[name=application_ids]", str(application.pk))
    page.fill("input[name=starts_on]", early)
    page.fill("input[name=days]", "7")
    click_and_wait(page, "[data-testid=notice-form] [data-testid=submit]")
    assert "才通过街道审核" in page.inner_text(".errorlist")
    assert page.input_value("input[name=starts_on]") == early
    assert page.input_value("input[name=days]") == "7"

    # Starting today is accepted, and the notice shows the days the application is listed.
    page.fill("input[name=starts_on]", today.isoformat())
    click_and_wait(page, "[data-testid=notice-form] [data-testid=submit]")
    listed = page.inner_text("[data-testid=listed]")
    assert listed.startswith(today.isoformat())
    assert (today + dt.timedelta(days=6)).isoformat() in listed
    logout(page)

    # The leader cannot approve during the notice: the page says why and keeps the comment.
    login(page, "demo_leader")
    page.goto(f"/benefits/applications/{application.pk}/")
    page.fill("input[name=comment]", "材料齐全")
    click_and_wait(page, "[data-testid=act-approve]")
    assert "公示" in page.inner_text("[data-testid=refusal]")
    assert page.input_value("input[name=comment]") == "材料齐全"
    assert page.get_attribute("[data-testid=state]", "data-state") == "in_notice"
