"""Forms in a real browser: a refused action shows its page again with the input and the
reason (no dead end); a saved move is not saved again by Back and Save; residents are found
by pinyin initials.

Elements are found by ``data-testid``, form field names and URLs, not by their text.
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

from jisheng.accounts.models import User
from jisheng.benefits.models import Program
from jisheng.benefits.preload import preload_programs
from jisheng.contraceptives.models import (
    DistributionPoint,
    MoveKind,
    PointKind,
    Product,
    ProductCategory,
    StockCount,
    StockMove,
)
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.catalogue import point_create
from jisheng.contraceptives.services.moves import MoveFacts
from jisheng.core.actors import Actor
from jisheng.demo.seed import seed_demo
from jisheng.registry.models import Person
from jisheng.registry.names import name_initials

pytestmark = pytest.mark.browser


def community_point(demo: Any) -> DistributionPoint:
    street = User.objects.get(username="demo_street")
    return point_create(
        actor=Actor(user=street),
        name="榴园社区免费药具发放点",
        kind=PointKind.COMMUNITY,
        org_unit=demo.c1,
        keeper=User.objects.get(username="demo_c1"),
    )


def test_a_future_stocktake_shows_the_point_again_with_the_date_and_the_reason(
    page: Page, demo: Any, login: Callable[..., None], page_watch: Any
) -> None:
    point = community_point(demo)
    point_url = reverse("contraceptives:point_detail", args=[point.pk])
    future = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    login(page, "demo_c1")
    page.goto(point_url)
    page.fill("[data-testid=count-start] input[name=count_date]", future)
    with page.expect_navigation():
        page.click("[data-testid=count-start-submit]")
    assert page.locator("[data-testid=refusal]").is_visible()
    # The point's own page, at its own address, with the date as typed.
    assert urlsplit(page.url).path == point_url
    assert page.input_value("[data-testid=count-start] input[name=count_date]") == future
    assert not StockCount.objects.exists()
    # Refresh shows the page, not a resubmission; the form works from here.
    page.reload()
    assert not page.locator("[data-testid=refusal]").count()
    page.fill("[data-testid=count-start] input[name=count_date]", timezone.localdate().isoformat())
    with page.expect_navigation():
        page.click("[data-testid=count-start-submit]")
    assert StockCount.objects.count() == 1
    assert not [e for e in page_watch.console_errors if "status of 400" not in e]


def test_save_back_save_issues_once(
    page: Page, demo: Any, login: Callable[..., None], make_person: Callable[..., Any]
) -> None:
    point = community_point(demo)
    street = User.objects.get(username="demo_street")
    pill = Product.objects.create(
        name="复方左炔诺孕酮片", category=ProductCategory.ORAL, unit="板", pack_size=22
    )
    today = timezone.localdate()
    moves.stock_receive(
        actor=Actor(user=street),
        point=point,
        product=pill,
        lot_number="20261101",
        expiry_date=today + dt.timedelta(days=700),
        quantity=20,
        facts=MoveFacts(occurred_on=today, document_number="区配-2026-01"),
    )
    woman = demo.c1_persons[0]
    form = "[data-testid=move-form-issue]"

    def fill_and_save() -> None:
        page.fill(f"{form} [data-testid=find-person]", woman.id_number)
        page.click(f"{form} [data-testid=pick-{woman.pk}]")
        page.select_option(f"{form} select[name=lot]", index=1)
        page.fill(f"{form} input[name=quantity]", "3")
        with page.expect_navigation():
            page.click(f"{form} [data-testid=submit]")

    login(page, "demo_c1")
    page.goto(reverse("contraceptives:move_issue", args=[point.pk]))
    fill_and_save()
    assert urlsplit(page.url).path == reverse("contraceptives:point_detail", args=[point.pk])
    page.go_back()
    fill_and_save()
    assert page.locator("[data-testid=sent-again]").is_visible()
    assert StockMove.objects.filter(kind=MoveKind.ISSUE).count() == 1
    with page.expect_navigation():
        page.click("[data-testid=saved-record]")
    assert page.locator("[data-testid=balances] [data-testid=on-hand]").all_text_contents() == [
        "17"
    ]


def test_demo_residents_and_rare_characters_are_found_by_pinyin_initials(
    page: Page, live_server: Any, settings: Any, login: Callable[..., None]
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    preload_programs(Program)  # transactional tests flush migration data; the demo pays them
    seed_demo(persons=150)
    worker = User.objects.get(username="demo_c1")
    resident = Person.objects.filter(community=worker.org_unit).order_by("pk").first()
    assert resident is not None
    rare = Person.objects.filter(community=worker.org_unit).exclude(pk=resident.pk).first()
    assert rare is not None
    rare.name = "王𠮷"
    rare.save()
    login(page, "demo_c1")
    page.goto(reverse("registry:person_list"))
    for typed, name in ((name_initials(resident.name), resident.name), ("wj", "王𠮷")):
        page.fill("[data-testid=person-filters] input[name=name]", typed)
        with page.expect_navigation():
            page.press("[data-testid=person-filters] input[name=name]", "Enter")
        assert page.get_by_role("link", name=name, exact=True).count() >= 1, typed
