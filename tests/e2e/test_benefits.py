"""One childcare-subsidy application through the whole path in a real browser: the community
worker applies and checks, the street reviews and publishes the notice, an objection is
recorded and resolved, the leader approves, the street builds a batch, the leader approves it,
the street downloads the disbursement file and records payment; a second batch pays nobody.

Elements are found by ``data-testid``, form field names and URLs, not by their text.
"""

from __future__ import annotations

import datetime as dt
import io
import signal
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page

from jisheng.accounts.models import User
from jisheng.benefits.models import Application, Entitlement, Payment, PaymentBatch, Program
from jisheng.benefits.preload import preload_programs
from jisheng.core.actors import Actor
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData
from support.benefits import steps_taken_on

pytestmark = pytest.mark.browser


def run_worker() -> None:
    """The task worker, once through the queue, here: the live server only queues."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    finally:
        for sig, handler in saved.items():  # the worker installs its own handlers
            signal.signal(sig, handler)


def click_and_wait(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_childcare_subsidy_from_application_to_payment(
    page: Page, demo: Any, login: Callable[..., None], logout: Callable[[Page], None]
) -> None:
    preload_programs(Program)  # transactional tests flush migration data
    today = timezone.localdate()
    mother, father = demo.c1_persons[0], demo.c1_persons[1]
    street_user = User.objects.get(username="demo_street")
    events.marriage_record(
        actor=Actor(user=street_user), husband=father, wife=mother, date=dt.date(2018, 1, 1)
    )
    child = events.birth_record(
        actor=Actor(user=street_user),
        mother=mother,
        father=father,
        child=PersonData(name="王小宝", sex="M", birth_date=today - dt.timedelta(days=200)),
    ).person

    # The community worker sees the child qualifies, applies and does the community check.
    login(page, "demo_c1")
    page.goto(f"/registry/persons/{child.pk}/")
    click_and_wait(page, "[data-testid=benefits-person_benefits]")
    assert page.get_attribute("[data-program=childcare-subsidy]", "data-eligible") == "yes"
    click_and_wait(page, "[data-program=childcare-subsidy] a.btn")
    assert page.input_value("input[name=person_id]") == str(child.pk)
    click_and_wait(page, "[data-testid=application-form] [data-testid=submit]")
    application = Application.objects.get(person=child)
    assert application.payee == mother
    click_and_wait(page, "[data-testid=act-check]")
    assert page.get_attribute("[data-testid=state]", "data-state") == "community_checked"
    logout(page)

    # The street reviews it and publishes the notice, posted ten days ago.
    login(page, "demo_street")
    page.goto(f"/benefits/applications/{application.pk}/")
    click_and_wait(page, "[data-testid=act-review]")
    # The notice was posted ten days ago, so the steps before it were taken earlier still.
    steps_taken_on(application, today - dt.timedelta(days=11))
    page.goto("/benefits/programs/childcare-subsidy/notice/")
    page.select_option("select[name=application_ids]", str(application.pk))
    page.fill("input[name=starts_on]", (today - dt.timedelta(days=10)).isoformat())
    page.fill("input[name=days]", "7")
    click_and_wait(page, "[data-testid=notice-form] [data-testid=submit]")
    assert page.inner_text("[data-testid=masked-name]") == "王*宝"

    # An objection comes in during the notice and is resolved as unfounded.
    form = "[data-testid=objection-form]"
    page.select_option(f"{form} select[name=application_id]", str(application.pk))
    page.fill(f"{form} input[name=received_on]", (today - dt.timedelta(days=8)).isoformat())
    page.fill(f"{form} textarea[name=content]", "听说孩子不在本社区居住")
    click_and_wait(page, "[data-testid=objection-submit]")
    page.select_option("[data-testid=resolve-form] select[name=upheld]", "no")
    page.fill(
        "[data-testid=resolve-form] textarea[name=resolution]", "入户核实，孩子随母亲在本社区居住"
    )
    click_and_wait(page, "[data-testid=resolve]")
    assert application.objections.get().upheld is False
    logout(page)

    # The leader approves after the notice has ended.
    login(page, "demo_leader")
    page.goto(f"/benefits/applications/{application.pk}/")
    click_and_wait(page, "[data-testid=act-approve]")
    assert page.get_attribute("[data-testid=state]", "data-state") == "approved"
    assert Entitlement.objects.filter(person=child, status="active").exists()
    logout(page)

    # The street builds this year's batch; the leader approves it.
    login(page, "demo_street")
    page.goto("/benefits/programs/childcare-subsidy/batch/")
    page.fill("input[name=period]", str(today.year))
    click_and_wait(page, "[data-testid=batch-form] [data-testid=submit]")
    # The batch is built by the task worker; the progress page polls until it lands on it.
    page.wait_for_selector("[data-testid=batch-build] [data-state=queued]")
    run_worker()
    batch = PaymentBatch.objects.get()
    page.wait_for_url(f"**/benefits/batches/{batch.pk}/")
    line = batch.lines.get()
    assert line.person == child
    assert line.amount > 0
    click_and_wait(page, "[data-testid=batch-review]")
    logout(page)
    login(page, "demo_leader")
    page.goto(f"/benefits/batches/{batch.pk}/")
    click_and_wait(page, "[data-testid=batch-approve]")
    assert page.get_attribute("[data-testid=batch-state]", "data-state") == "approved"
    logout(page)

    # The street downloads the disbursement file and records the bank's answer.
    login(page, "demo_street")
    page.goto(f"/benefits/batches/{batch.pk}/")
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert mother.name in rows[1]
    assert child.name in rows[1]
    page.check("[data-testid=all-pending]")
    page.select_option("[data-testid=outcome]", "paid")
    click_and_wait(page, "[data-testid=settle-submit]")
    assert page.inner_text("[data-total=paid]") == f"{line.amount:.2f}"
    assert page.inner_text("[data-total=pending]") == "0.00"

    # A second batch for the same period pays nobody twice.
    page.goto("/benefits/programs/childcare-subsidy/batch/")
    page.fill("input[name=period]", str(today.year))
    click_and_wait(page, "[data-testid=batch-form] [data-testid=submit]")
    run_worker()
    page.wait_for_selector("[data-testid=build-error]")
    assert PaymentBatch.objects.count() == 1
    assert Payment.objects.filter(person=child, period=str(today.year)).count() == 1
