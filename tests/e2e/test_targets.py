"""Target responsibility in a real browser: the street drafts this year's book for a community
from last year's, signs it, runs the quarter's assessment, applies one adjustment with
evidence; the leader approves it, sees the ranking and chart, and prints the sheet.

Elements are found by ``data-testid``, form field names and URLs, not by their text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.indicators import Period
from jisheng.targets import services
from jisheng.targets.models import (
    AssessmentState,
    BonusBand,
    BookState,
    MeetingKind,
    PartyKind,
    Scoring,
    TargetBook,
    VetoItem,
)

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n%evidence\n"


def submit(page: Page, form: str = "form") -> None:
    with page.expect_navigation():
        page.click(f"[data-testid={form}] [data-testid=submit]")


def test_copy_sign_assess_adjust_approve_and_print(
    page: Page,
    demo: Any,
    login: Callable[..., None],
    logout: Callable[[Page], None],
    page_watch: Any,
    live_server: Any,
) -> None:
    today = timezone.localdate()
    street_user = User.objects.get(username="demo_street")
    staff = Actor(user=street_user)
    street = street_user.org_unit
    BonusBand.objects.create(street=street, min_score=Decimal(0), coefficient=Decimal("0.8"))
    veto = VetoItem.objects.create(name="统计数据弄虚作假")
    last = services.book_create(
        actor=staff, year=today.year - 1, kind=PartyKind.COMMUNITY, community=demo.c1
    )
    for key, weight in (("targets.joint_meetings_monthly", 70), ("benefits.decided_in_time", 30)):
        services.book_line_set(
            actor=staff,
            book=last,
            indicator=key,
            target=Decimal(100),
            floor=Decimal(0),
            scoring=Scoring.LINEAR,
            weight=Decimal(weight),
        )
    services.book_veto_items_set(actor=staff, book=last, items=[veto])
    services.book_sign(
        actor=staff,
        book=last,
        party_signatory="一社区书记",
        signed_on=dt.date(today.year - 1, 1, 9),
    )
    services.meeting_create(
        actor=staff, kind=MeetingKind.JOINT, date=today.replace(day=1), title="本月联席会"
    )

    # The street copies last year's book into this year and signs it.
    login(page, "demo_street")
    page.goto(reverse("targets:book_detail", args=[last.pk]))
    with page.expect_navigation():
        page.click("[data-testid=book-copy]")
    assert page.input_value("input[name=year]") == str(today.year)
    submit(page)
    book = TargetBook.objects.get(year=today.year, community=demo.c1)
    assert page.url.endswith(reverse("targets:book_detail", args=[book.pk]))
    assert page.inner_text("[data-testid=weight-sum]") == "100.00"
    with page.expect_navigation():
        page.click("[data-testid=book-sign]")
    page.fill("input[name=party_signatory]", "一社区书记")
    submit(page)
    assert page.get_attribute("[data-testid=book-state]", "data-state") == BookState.SIGNED

    # The quarter's assessment from live data, then one adjustment with its evidence.
    quarter = Period.quarter_of(today).quarter
    with page.expect_navigation():
        page.click("[data-testid=assessment-run]")
    page.select_option("select[name=quarter]", str(quarter))
    submit(page)
    assessment = book.assessments.get()
    before = Decimal(page.inner_text("[data-testid=total]").split()[0])
    assert assessment.total == before
    with page.expect_navigation():
        page.click("[data-testid=adjust]")
    page.fill("input[name=points]", "-2")
    page.fill("input[name=reason]", "随访记录补录不及时")
    page.set_input_files(
        "input[name=evidence]",
        files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    submit(page)
    assert page.inner_text("[data-testid=adjustment-points]") == "-2.00"
    assert Decimal(page.inner_text("[data-testid=total]").split()[0]) == max(Decimal(0), before - 2)
    logout(page)

    # The leader approves it: frozen; the overview ranks it and draws the trend.
    login(page, "demo_leader")
    page.goto(reverse("targets:assessment_detail", args=[assessment.pk]))
    with page.expect_navigation():
        page.click("[data-testid=approve]")
    assert page.get_attribute("[data-testid=assessment-state]", "data-state") == "approved"
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.APPROVED
    assert not page.locator("[data-testid=adjust]").count()

    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("[data-testid=print]")
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    assert page.locator("[data-testid=assessment-sheet]").is_visible()
    assert not page.locator("[data-testid=print]").is_visible()
    page.emulate_media(media="screen")

    page.goto(reverse("targets:overview") + f"?year={today.year}&quarter={quarter}")
    assert page.locator("[data-testid=rank-row]").count() == 1
    page.wait_for_selector("#trend-chart[data-rendered='1']")
    assert page.locator("#trend-chart canvas").count() >= 1

    assert page_watch.foreign(live_server.url) == []
    assert page_watch.failed == []
    assert page_watch.console_errors == []
