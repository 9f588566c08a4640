"""Registry pages in a real browser: a community worker records a birth on the mother's page,
finds the child by pinyin initials, records a move-out and reverses it on the timeline.

Elements are found by ``data-testid`` and form field names, not by their (Chinese) text.
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

from jisheng.registry.models import HouseholdMember, LifeEvent, Person, ResidentStatus

pytestmark = pytest.mark.browser


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.click("[data-testid=event-form] [data-testid=submit]")


def test_birth_search_move_out_and_reversal(
    page: Page, demo: Any, login: Callable[..., None]
) -> None:
    mother: Person = demo.c1_persons[0]
    household = demo.households[0]
    born = timezone.localdate() - dt.timedelta(days=10)

    login(page, "demo_c1")
    page.goto(reverse("registry:person_detail", args=[mother.pk]))
    with page.expect_navigation():
        page.click("[data-testid=action-birth]")
    assert path_of(page) == reverse("registry:person_birth", args=[mother.pk])
    page.fill("input[name=name]", "王小明")
    page.check("input[name=sex][value=M]")
    page.fill("input[name=birth_date]", born.isoformat())
    page.select_option("select[name=hukou_type]", "urban")
    submit(page)

    assert path_of(page) == reverse("registry:person_detail", args=[mother.pk])
    assert page.locator(".messages .message.success").count() == 1
    assert page.locator("[data-testid=family] tr[data-relation=child]").count() == 1
    child = Person.objects.get(name="王小明")
    assert HouseholdMember.objects.get(person=child, end_date__isnull=True).household == household

    page.goto(reverse("registry:person_list"))
    page.fill("[data-testid=person-filters] input[name=name]", "wxm")
    with page.expect_navigation():
        page.click("[data-testid=person-filters] button[type=submit]")
    rows = page.locator("[data-testid=persons] tbody a")
    assert rows.all_text_contents() == ["王小明"]
    with page.expect_navigation():
        rows.first.click()
    assert path_of(page) == reverse("registry:person_detail", args=[child.pk])
    assert page.text_content("h1") == "王小明"

    with page.expect_navigation():
        page.click("[data-testid=action-move-out]")
    page.fill("input[name=destination]", "济南市历下区")
    submit(page)
    assert path_of(page) == reverse("registry:person_detail", args=[child.pk])
    move_out = page.locator("[data-testid=timeline] tr[data-kind=move_out]")
    assert move_out.count() == 1
    assert "济南市历下区" in (move_out.text_content() or "")
    assert move_out.locator("del").count() == 0
    assert Person.objects.get(pk=child.pk).status == ResidentStatus.MOVED_OUT

    with page.expect_navigation():
        move_out.locator("[data-testid=action-reverse]").click()
    page.fill("input[name=reason]", "登记错误")
    submit(page)
    assert path_of(page) == reverse("registry:person_detail", args=[child.pk])
    move_out = page.locator("[data-testid=timeline] tr[data-kind=move_out]")
    assert move_out.get_attribute("data-reversed") == "true"
    assert move_out.locator("del").count() >= 1
    assert "登记错误" in (move_out.locator("[data-testid=reversed-by]").text_content() or "")
    correction = page.locator("[data-testid=timeline] tr[data-kind=correction]")
    assert correction.count() == 1
    assert "登记错误" in (correction.text_content() or "")
    assert Person.objects.get(pk=child.pk).status == ResidentStatus.LIVING
    assert LifeEvent.objects.filter(person=child, reverses__kind="move_out").exists()

    # Everything held on the child, one printable page reached from their page.
    with page.expect_navigation():
        page.click("[data-testid=registry-person_data_report]")
    assert path_of(page) == reverse("registry:person_data_report", args=[child.pk])
    sections = page.locator("[data-testid=report-section]")
    keys = {sections.nth(i).get_attribute("data-key") for i in range(sections.count())}
    assert {"registry.person", "registry.relatives", "registry.lifeevent"} <= keys
    assert "个人信息报告" in (page.locator("h1").text_content() or "")


def test_after_back_the_search_fields_show_the_search_of_the_rows(
    page: Page, demo: Any, login: Callable[..., None]
) -> None:
    """The browser puts back what was last chosen on a page; the fields are reset to the
    search the rows shown were found with."""
    login(page, "demo_street")
    page.goto(reverse("registry:person_list") + "?status=living")
    community = str(demo.c1_persons[0].community_id)
    page.select_option("[data-testid=person-filters] select[name=community]", community)
    with page.expect_navigation():
        page.click("[data-testid=person-filters] button[type=submit]")
    assert page.input_value("[data-testid=person-filters] select[name=community]") == community
    with page.expect_navigation():
        page.go_back()
    assert page.input_value("[data-testid=person-filters] select[name=community]") == ""
    assert page.input_value("[data-testid=person-filters] select[name=status]") == "living"
