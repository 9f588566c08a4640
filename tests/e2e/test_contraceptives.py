"""Contraceptive supply in a real browser: street staff receive a delivery into the store and
transfer to a community point; the community worker issues to a registered resident (who
appears on the roster), logs a consultation, enters a stocktake with one discrepancy, posts
it, and prints the stock card, which balances.

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
from jisheng.contraceptives.models import (
    DistributionPoint,
    PointKind,
    Product,
    ProductCategory,
    RosterEntry,
    StockBalance,
)
from jisheng.contraceptives.services.catalogue import point_create
from jisheng.core.actors import Actor

pytestmark = pytest.mark.browser


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def submit(page: Page, form: str) -> None:
    with page.expect_navigation():
        page.click(f"[data-testid={form}] [data-testid=submit]")


def test_receive_transfer_issue_consult_count_and_print_the_card(
    page: Page,
    demo: Any,
    login: Callable[..., None],
    logout: Callable[[Page], None],
    page_watch: Any,
    live_server: Any,
) -> None:
    today = timezone.localdate()
    street = User.objects.get(username="demo_street")
    worker = User.objects.get(username="demo_c1")
    pill = Product.objects.create(
        name="复方左炔诺孕酮片", category=ProductCategory.ORAL, unit="板", pack_size=22
    )
    store = point_create(
        actor=Actor(user=street),
        name="坛山街道药具库",
        kind=PointKind.STORE,
        org_unit=street.org_unit,  # type: ignore[arg-type]
        keeper=street,
    )
    point = point_create(
        actor=Actor(user=street),
        name="榴园社区免费药具发放点",
        kind=PointKind.COMMUNITY,
        org_unit=demo.c1,
        keeper=worker,
    )
    woman = demo.c1_persons[0]

    # Street staff: a delivery from the district into the store …
    login(page, "demo_street")
    page.goto(reverse("contraceptives:point_detail", args=[store.pk]))
    with page.expect_navigation():
        page.click("[data-testid=action-receipt]")
    form = "[data-testid=move-form-receipt]"
    page.select_option(f"{form} select[name=product]", str(pill.pk))
    page.fill(f"{form} input[name=lot_number]", "20261101")
    page.fill(f"{form} input[name=expiry_date]", (today + dt.timedelta(days=730)).isoformat())
    page.fill(f"{form} input[name=quantity]", "100")
    page.fill(f"{form} input[name=document_number]", "峄卫药配-2026-031")
    submit(page, "move-form-receipt")
    assert path_of(page) == reverse("contraceptives:point_detail", args=[store.pk])
    assert page.locator("[data-testid=balances] [data-testid=on-hand]").all_text_contents() == [
        "100"
    ]

    # … and a transfer of 40 to the community point.
    with page.expect_navigation():
        page.click("[data-testid=action-transfer_out]")
    form = "[data-testid=move-form-transfer_out]"
    page.select_option(f"{form} select[name=destination]", str(point.pk))
    page.select_option(f"{form} select[name=lot]", index=1)
    page.fill(f"{form} input[name=quantity]", "40")
    submit(page, "move-form-transfer_out")
    assert page.locator("[data-testid=balances] [data-testid=on-hand]").all_text_contents() == [
        "60"
    ]
    logout(page)

    # Community worker: issue to a registered resident, who lands on the roster.
    login(page, "demo_c1")
    page.goto(reverse("contraceptives:point_detail", args=[point.pk]))
    with page.expect_navigation():
        page.click("[data-testid=action-issue]")
    form = "[data-testid=move-form-issue]"
    # The resident is found by the pinyin initials of the name and picked from the matches.
    page.fill(f"{form} [data-testid=find-person]", "wcy")
    page.click(f"{form} [data-testid=pick-{woman.pk}]")
    page.select_option(f"{form} select[name=lot]", index=1)
    page.fill(f"{form} input[name=quantity]", "3")
    submit(page, "move-form-issue")
    assert page.locator(".messages .message.success").count() == 1
    page.goto(reverse("contraceptives:roster_list"))
    row = page.locator(f"[data-testid=roster] tr[data-person='{woman.pk}']")
    assert row.count() == 1
    assert row.get_attribute("data-method") == "oral"
    assert RosterEntry.objects.get(person=woman).point == point

    # A consultation at the point.
    page.goto(reverse("contraceptives:outreach"))
    form = "[data-testid=consultation-form]"
    page.select_option(f"{form} select[name=point]", str(point.pk))
    page.select_option(f"{form} select[name=topic]", "choosing_method")
    page.fill(f"{form} input[name=people]", "6")
    with page.expect_navigation():
        page.click("[data-testid=consultation-submit]")
    assert page.text_content("[data-testid=outreach-totals] [data-count=people]") == "6"

    # Stocktake: the card says 37, the shelf holds 36.
    page.goto(reverse("contraceptives:point_detail", args=[point.pk]))
    with page.expect_navigation():
        page.click("[data-testid=count-start-submit]")
    line = page.locator("[data-testid=count-lines] tbody tr").first
    assert line.locator("[data-testid=on-card]").text_content() == "37"
    line.locator("input[name^=counted_]").fill("36")
    with page.expect_navigation():
        page.click("[data-testid=count-save]")
    line = page.locator("[data-testid=count-lines] tbody tr").first
    assert line.get_attribute("data-difference") == "-1"
    line.locator("select[name^=reason_]").select_option("lost")
    with page.expect_navigation():
        page.click("[data-testid=count-post]")
    assert page.get_attribute("[data-testid=count-state]", "data-state") == "posted"
    assert page.locator("[data-testid=count-agrees]").count() == 1

    # The stock card: every move with its running balance, ending at the count.
    with page.expect_navigation():
        page.click("[data-testid=count-lines] [data-testid=line-card]")
    assert page.locator("[data-testid=running-balance]").all_text_contents() == ["40", "37", "36"]
    assert page.text_content("[data-testid=card-balance]") == "36"
    assert StockBalance.objects.get(point=point).quantity == 36
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("[data-testid=print]")
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    assert not page.locator(".sidebar").is_visible()
    assert not page.locator("[data-testid=print]").is_visible()
    assert page.locator("[data-testid=stock-card]").is_visible()
    assert page.locator("[data-testid=signatures]").is_visible()

    assert page_watch.foreign(live_server.url) == []
    assert page_watch.failed == []
    assert page_watch.console_errors == []
    assert DistributionPoint.objects.count() == 2
