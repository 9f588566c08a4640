"""The family view in a real browser: a community worker opens a mother's family view, adds
a child who lives elsewhere, links her husband as spouse, and prints the page.

Elements are found by ``data-testid`` and form field names, not by their (Chinese) text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from jisheng.registry.models import Marriage, ParentLink, Person, ResidentStatus

pytestmark = pytest.mark.browser


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.click("[data-testid=event-form] [data-testid=submit]")


def fill_grounds(page: Page) -> None:
    page.fill("input[name=evidence]", "户口簿 第2页")
    page.fill("input[name=reason]", "导入后补录家庭关系")


def test_family_view_add_a_child_elsewhere_and_link_a_spouse(
    page: Page, demo: Any, login: Callable[..., None]
) -> None:
    mother: Person = demo.c1_persons[0]
    husband: Person = demo.c1_persons[1]
    family_path = reverse("registry:person_family", args=[mother.pk])

    login(page, "demo_c1")
    page.goto(reverse("registry:person_detail", args=[mother.pk]))
    with page.expect_navigation():
        page.click("[data-testid=action-family]")
    assert path_of(page) == family_path
    assert page.locator("[data-testid=family-child] tr[data-person]").count() == 0

    with page.expect_navigation():
        page.click("[data-testid=action-child-elsewhere]")
    page.fill("input[name=name]", "王晓红")
    page.check("input[name=sex][value=F]")
    page.fill("input[name=birth_date]", "2016-03-01")
    page.fill("input[name=lives_in]", "上海市浦东新区")
    fill_grounds(page)
    submit(page)

    assert path_of(page) == family_path
    assert page.locator(".messages .message.success").count() == 1
    child = Person.objects.get(name="王晓红")
    assert child.status == ResidentStatus.NON_RESIDENT
    row = page.locator(f"[data-testid=family-child] tr[data-person='{child.pk}']")
    assert row.get_attribute("data-resident") == "false"
    assert "上海市浦东新区" in (row.text_content() or "")
    assert page.text_content("[data-fact=children]") == "1"

    with page.expect_navigation():
        page.click("[data-testid=action-link-spouse]")
    page.fill("input[name=spouse_id_number]", husband.id_number or "")
    page.fill("input[name=married_on]", "2015-01-01")
    fill_grounds(page)
    submit(page)

    assert path_of(page) == family_path
    spouse = page.locator(f"[data-testid=family-spouse] tr[data-person='{husband.pk}']")
    assert spouse.count() == 1
    assert "2015-01-01" in (spouse.text_content() or "")
    assert Marriage.objects.filter(husband=husband, wife=mother, end_date__isnull=True).exists()
    assert ParentLink.objects.filter(parent=mother, child=child).exists()

    page.emulate_media(media="print")
    assert not page.locator("[data-testid=family-actions]").is_visible()
    assert page.locator("[data-testid=family-child]").is_visible()


def test_a_bad_entry_comes_back_on_the_form_with_the_input_kept(
    page: Page, demo: Any, login: Callable[..., None]
) -> None:
    mother: Person = demo.c1_persons[0]

    login(page, "demo_c1")
    page.goto(reverse("registry:family_non_resident_child", args=[mother.pk]))
    page.fill("input[name=name]", "王晓红")
    page.check("input[name=sex][value=F]")
    page.fill("input[name=birth_date]", "2016-03-01")
    page.fill("input[name=death_date]", dt.date(2015, 1, 1).isoformat())
    fill_grounds(page)
    submit(page)

    assert "死亡日期早于出生日期。" in (page.text_content("[data-testid=event-form]") or "")
    assert page.input_value("input[name=name]") == "王晓红"
    assert not Person.objects.filter(name="王晓红").exists()
