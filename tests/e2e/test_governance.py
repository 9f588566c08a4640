"""Governance in a real browser: a community worker reports the pregnancy of a floating
woman; months later (time moved forward) it is overdue; the outcome is recorded and it
leaves the overdue list. Street staff then sees the sex-ratio monitor with the demo's
community of high third-order births flagged and its trend chart drawn.

Elements are found by ``data-testid``, data attributes and form field names, never by text.
Screenshots: the ``screenshots`` fixture (docs/screenshots/ with JISHENG_SCREENSHOTS=1).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from jisheng.core.models import OrgUnit
from jisheng.governance import demo as governance_demo
from jisheng.prepregnancy.models import Pregnancy
from jisheng.registry.models import ParentLink, Person

pytestmark = pytest.mark.browser


def click_and_wait(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def mothers_of_two(community: OrgUnit, make_person: Callable[..., Person], count: int) -> None:
    """Women of the community with two children each (born long ago: no birth events)."""
    for number in range(count):
        mother = make_person(
            community,
            name=f"孙{number}英",
            sex="F",
            birth_date=dt.date(1988, 3, 1) + dt.timedelta(days=number),
        )
        for child in range(2):
            kid = make_person(
                community, name=f"孙{number}{child}", birth_date=dt.date(2010 + child, 5, 1)
            )
            ParentLink.objects.create(parent=mother, child=kid)


def test_floating_pregnancy_to_outcome_and_the_street_sees_the_high_ratio(
    page: Page,
    page_watch: Any,
    demo: Any,
    live_server: Any,
    login: Callable[..., None],
    logout: Callable[[Page], None],
    make_person: Callable[..., Person],
    screenshots: Path,
) -> None:
    today = timezone.localdate()
    street = demo.c1.parent
    high = OrgUnit.objects.filter(parent=street, kind="community").order_by("code")[1]
    # The demo gives each mother of two one birth: enough of them for the monitor to judge.
    mothers_of_two(high, make_person, 110)
    governance_demo.demo_seed(street=street, today=today, rng=random.Random(2014))

    woman = make_person(demo.c1, name="刘小梅", sex="F", birth_date=dt.date(1996, 6, 6))
    Person.objects.filter(pk=woman.pk).update(is_floating=True)
    last_period = today - dt.timedelta(weeks=30)

    # The community worker reports her pregnancy, picking her with the resident picker.
    login(page, "demo_c1")
    page.goto(reverse("governance:pregnancy_new"))
    page.fill("[data-testid=find-woman]", "刘小梅")
    page.click(f"[data-testid=pick-{woman.pk}]")
    page.fill("input[name=reported_on]", today.isoformat())
    page.fill("input[name=last_period]", last_period.isoformat())
    click_and_wait(page, "[data-testid=gov-form] [data-testid=submit]")
    pregnancy = Pregnancy.objects.get(woman=woman)
    assert pregnancy.couple is None
    assert page.url.endswith(reverse("governance:pregnancy_detail", args=[pregnancy.pk]))
    assert page.locator("[data-testid=overdue-mark]").count() == 0
    page.screenshot(path=str(screenshots / "governance-pregnancy.png"), full_page=True)
    page.goto(reverse("governance:overdue_list"))
    assert page.locator(f"[data-pregnancy='{pregnancy.pk}']").count() == 0
    logout(page)

    # Four months on: ten weeks past the expected date and no outcome.
    later = today + dt.timedelta(days=120)
    with time_machine.travel(dt.datetime.combine(later, dt.time(10)).astimezone(), tick=True):
        login(page, "demo_c1")
        page.goto(reverse("governance:overdue_list"))
        row = page.locator(f"[data-testid=overdue] [data-pregnancy='{pregnancy.pk}']")
        assert row.count() == 1
        page.screenshot(path=str(screenshots / "governance-overdue.png"), full_page=True)
        click_and_wait(page, f"[data-pregnancy='{pregnancy.pk}'] .btn")
        page.fill("input[name=done_on]", later.isoformat())
        page.check("input[name=outcome][value=live_birth]")
        page.fill("input[name=outcome_date]", (later - dt.timedelta(days=40)).isoformat())
        page.select_option("select[name=sex]", "F")
        page.fill("input[name=weight_g]", "3150")
        page.fill("input[name=birth_order]", "1")
        page.fill("input[name=hospital]", "峄城区妇幼保健院")
        click_and_wait(page, "[data-testid=gov-form] [data-testid=submit]")
        assert page.locator("[data-testid=outcome]").count() == 1
        page.goto(reverse("governance:overdue_list"))
        assert page.locator(f"[data-pregnancy='{pregnancy.pk}']").count() == 0
        logout(page)
    pregnancy.refresh_from_db()
    assert pregnancy.closed

    # The street sees the monitor: the demo community's third-order births are high.
    login(page, "demo_street")
    page.goto(reverse("governance:srb") + "?order=3")
    high_row = page.locator(f"[data-testid=srb-row][data-unit='{high.pk}']")
    assert high_row.get_attribute("data-verdict") == "high"
    assert page.locator(f"[data-testid=srb-alerts] [data-unit='{high.pk}']").count() == 1
    page.locator("#srb-chart canvas").first.wait_for()
    assert page.get_attribute("#srb-chart", "data-rendered") == "1"
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshots / "governance-srb.png"), full_page=True)
    click_and_wait(page, f"[data-testid=srb-row][data-unit='{high.pk}'] [data-testid=srb-births]")
    assert page.locator("[data-testid=birth-row]").count() > 0
    assert page_watch.console_errors == []
    assert page_watch.failed == []
