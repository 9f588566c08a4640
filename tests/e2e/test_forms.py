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
from jisheng.contraceptives.models import DistributionPoint, PointKind, StockCount
from jisheng.contraceptives.services.catalogue import point_create
from jisheng.core.actors import Actor

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
