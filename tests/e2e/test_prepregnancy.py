"""Pre-pregnancy checks in a real browser: a community worker sees a newly married couple
appear on the worklist, logs a phone call, prints the notice letter, records the wife's
high-risk checkup, sees the prompt for the husband and the referral task, records the
early-pregnancy follow-up, and the community's coverage rate changes.

Elements are found by ``data-testid``, data attributes and form field names, never by text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from jisheng.accounts.services import role_grant, user_create
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.prepregnancy.models import (
    Checkup,
    Contact,
    CoupleState,
    FollowUp,
    Referral,
    TargetCouple,
)
from jisheng.prepregnancy.services.couples import target_couples_refresh
from jisheng.registry.services import events

pytestmark = pytest.mark.browser


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def coverage(page: Page, community_id: int) -> str:
    page.goto(reverse("prepregnancy:indicators"))
    cell = page.locator(
        f"[data-testid=indicators] tr[data-community='{community_id}'] td[data-indicator=coverage]"
    )
    return (cell.text_content() or "").strip()


def test_worker_notifies_checks_and_follows_up_a_newly_married_couple(
    page: Page,
    page_watch: Any,
    demo: Any,
    live_server: Any,
    login: Callable[..., None],
    make_person: Callable[..., Any],
) -> None:
    today = timezone.localdate()
    registrar = user_create(
        actor=None, username="registrar", password="Pass-word-2026!", org_unit=demo.c1
    )
    role_grant(actor=None, user=registrar, role=Role.COMMUNITY_WORKER)
    actor = Actor(user=registrar)
    wife, husband = demo.c1_persons[0], demo.c1_persons[2]
    # Another couple of the community already on the list: coverage starts at 0 of 2.
    other_wife = make_person(demo.c1, name="刘晓梅", sex="F", birth_date=dt.date(1997, 1, 9))
    other_husband = make_person(demo.c1, name="陈志强", birth_date=dt.date(1995, 8, 1))
    events.marriage_record(actor=actor, husband=other_husband, wife=other_wife, date=today)
    target_couples_refresh(actor=actor)
    page.add_init_script("window.print = () => { window.__printed = true; };")

    login(page, "demo_c1")
    assert coverage(page, demo.c1.pk) == "0.0%"

    # The marriage is registered; the worklist picks the couple up.
    events.marriage_record(actor=actor, husband=husband, wife=wife, date=today)
    page.goto(reverse("prepregnancy:couple_list"))
    assert page.locator("[data-testid=couples] tr[data-couple]").count() == 1
    with page.expect_navigation():
        page.click("[data-testid=refresh]")
    couple = TargetCouple.objects.get(wife=wife)
    row = page.locator(f"[data-testid=couples] tr[data-couple='{couple.pk}']")
    assert row.get_attribute("data-state") == CoupleState.TO_NOTIFY
    with page.expect_navigation():
        row.locator("a").first.click()
    assert path_of(page) == reverse("prepregnancy:couple_detail", args=[couple.pk])

    # A phone call, logged.
    page.check("[data-testid=contact-form] input[name=method][value=phone]")
    page.check("[data-testid=contact-form] input[name=outcome][value=reached]")
    page.fill("[data-testid=contact-form] input[name=note]", "电话告知，下周来检")
    with page.expect_navigation():
        page.click("[data-testid=log-contact]")
    assert page.locator("[data-testid=contacts] tr[data-method=phone]").count() == 1
    assert page.get_attribute("[data-testid=couple-state]", "data-state") == CoupleState.NOTIFIED
    assert Contact.objects.get(couple=couple).worker.username == "demo_c1"

    # The notice letter, printed: one letter, print layout one per page.
    with page.expect_navigation():
        page.click("[data-testid=letter]")
    assert path_of(page) == reverse("prepregnancy:couple_letter", args=[couple.pk])
    letters = page.locator("[data-testid=letters] article.letter")
    assert letters.count() == 1
    assert wife.name in (letters.first.text_content() or "")
    page.click("[data-testid=print]")
    assert page.evaluate("window.__printed === true")
    # In bulk: one letter per printed page, no blank page after the last.
    page.goto(reverse("prepregnancy:letters"))
    assert letters.count() == 2
    page.emulate_media(media="print")
    assert letters.first.evaluate("e => getComputedStyle(e).breakAfter") == "page"
    assert letters.last.evaluate("e => getComputedStyle(e).breakAfter") == "auto"
    assert page.locator(".sidebar").is_hidden()
    assert page.locator("[data-testid=letters-delivered]").is_hidden()
    page.emulate_media(media="screen")

    # The wife's checkup: high risk.
    page.goto(reverse("prepregnancy:couple_detail", args=[couple.pk]))
    with page.expect_navigation():
        page.click("[data-testid=record-checkup-wife]")
    page.fill("input[name=institution]", "峄城区妇幼保健计划生育服务中心")
    for item in ("education", "history", "physical", "laboratory", "ultrasound"):
        page.check(f"input[name=items][value={item}]")
    page.select_option("select[name=lab_blood_type]", "O")
    page.select_option("select[name=lab_rubella_igg]", "negative")
    page.fill("input[name=history_pregnancies]", "1")
    page.check("input[name=risk_level][value=high]")
    page.fill("textarea[name=risk_note]", "风疹抗体阴性")
    page.fill("textarea[name=advice]", "接种风疹疫苗，三个月后再计划怀孕")
    with page.expect_navigation():
        page.click("[data-testid=checkup-form] [data-testid=submit]")
    assert path_of(page) == reverse("prepregnancy:couple_detail", args=[couple.pk])
    assert Checkup.objects.get(couple=couple).risk_level == "high"

    # The prompt for the husband and the referral task.
    prompt = page.locator("[data-testid=prompt-other-spouse]")
    assert prompt.get_attribute("data-spouse") == "husband"
    assert page.get_attribute("[data-testid=couple-state]", "data-state") == (
        CoupleState.ONE_CHECKED
    )
    referral = Referral.objects.get(couple=couple)
    referral_row = page.locator(f"[data-testid=referrals] tr[data-referral='{referral.pk}']")
    assert referral_row.get_attribute("data-state") == "open"
    assert referral.due_date == today + dt.timedelta(days=30)

    # Pregnant: the early-pregnancy follow-up, recorded.
    with page.expect_navigation():
        page.click("[data-testid=report-pregnancy]")
    page.fill("input[name=last_period]", (today - dt.timedelta(weeks=7)).isoformat())
    with page.expect_navigation():
        page.click("[data-testid=pp-form] [data-testid=submit]")
    early = FollowUp.objects.get(couple=couple, kind="early")
    row = page.locator(f"[data-testid=pregnancies] tr[data-followup='{early.pk}']")
    assert row.get_attribute("data-state") == "open"
    with page.expect_navigation():
        row.locator("[data-testid=record-followup]").click()
    page.fill("input[name=weeks]", "7")
    page.check("input[name=folic_acid]")
    with page.expect_navigation():
        page.click("[data-testid=pp-form] [data-testid=submit]")
    row = page.locator(f"[data-testid=pregnancies] tr[data-followup='{early.pk}']")
    assert row.get_attribute("data-state") == "done"
    assert page.locator("[data-testid=pregnancies] tr[data-kind=outcome]").count() == 1

    # Coverage: one of the two couples checked.
    assert coverage(page, demo.c1.pk) == "50.0%"

    assert page_watch.foreign(live_server.url) == []
    assert page_watch.failed == []
    assert page_watch.console_errors == []
