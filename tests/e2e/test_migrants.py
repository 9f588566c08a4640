"""Floating population in a real browser: a landlord reports a tenant, the community worker
confirms it from the worklist, the tenant appears as inflow with the move-in event; seven
months later the record is on the stale list until a verification visit.

Elements are found by ``data-testid``, form field names and URLs, not by their text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.migrants.models import MigrantRecord, PartnerKind, PartnerReport
from jisheng.migrants.services import partners
from jisheng.registry.models import LifeEvent
from support.migrants import id_number

pytestmark = pytest.mark.browser


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"migrants-{name}.png"), full_page=True)


def test_landlord_reports_worker_confirms_and_the_stale_list_follows_time(
    page: Page,
    demo: Any,
    login: Callable[..., None],
    logout: Callable[[Page], None],
    page_watch: Any,
    live_server: Any,
    screenshots: Path,
) -> None:
    worker = User.objects.get(username="demo_c1")
    estate = partners.complex_create(
        actor=Actor(user=worker), community=demo.c1, name="枣园小区", address="枣园路 8 号"
    )
    partners.partner_create(
        actor=Actor(user=worker),
        kind=PartnerKind.LANDLORD,
        name="王房东",
        community=demo.c1,
        complex_=estate,
        account=User.objects.get(username="demo_reporter"),
    )
    arrived = timezone.localdate() - dt.timedelta(days=3)

    # The landlord: a menu of reporting pages only, and a report.
    login(page, "demo_reporter")
    assert page.locator("[data-testid=reporting-panel]").is_visible()
    assert page.locator("a[href='/registry/persons/']").count() == 0
    shot(page, screenshots, "partner-home")
    page.click("[data-testid=panel-report-new]")
    form = "[data-testid=report-form]"
    page.check(f"{form} input[name=kind][value=move_in]")
    page.fill(f"{form} input[name=name]", "刘晓梅")
    page.fill(f"{form} input[name=id_number]", id_number(dt.date(1994, 6, 1), "F"))
    page.fill(f"{form} input[name=moved_on]", "2026-02-30")  # no such day: the browser refuses
    assert page.eval_on_selector(f"{form} input[name=moved_on]", "e => e.value") == ""
    page.fill(f"{form} input[name=moved_on]", arrived.isoformat())
    page.select_option(f"{form} select[name=hukou_type]", "rural")
    page.fill(f"{form} input[name=region_code]", "510722")
    page.fill(f"{form} input[name=address]", "枣园小区 3 号楼 201 室")
    with page.expect_navigation():
        page.click(f"{form} [data-testid=submit]")
    assert page.url.endswith("/migrants/my-reports/")
    report = PartnerReport.objects.get()
    assert page.inner_text(f"[data-testid=state-{report.pk}]").strip() == "待社区确认"
    shot(page, screenshots, "partner-reports")
    logout(page)

    # The community worker confirms from the worklist.
    login(page, "demo_c1")
    page.goto("/migrants/worklist/")
    shot(page, screenshots, "worklist")
    with page.expect_navigation():
        page.click(f"[data-testid=report-{report.pk}]")
    with page.expect_navigation():
        page.click("[data-testid=confirm-submit]")
    record = MigrantRecord.objects.get()
    assert page.url.endswith(f"/migrants/records/{record.pk}/")
    assert "四川省绵阳市三台县（510722）" in page.inner_text("[data-testid=record-region]")
    assert page.locator("[data-testid=record-events] tr[data-event=move_in]").count() == 1
    assert LifeEvent.objects.get(pk=record.move_event_id).kind == LifeEvent.Kind.MOVE_IN
    shot(page, screenshots, "record")
    page.goto("/migrants/inflow/")
    assert page.locator(f"[data-testid=records] tr[data-record='{record.pk}']").count() == 1
    assert page.locator("[data-testid=stale] tr[data-record]").count() == 0
    page.goto("/migrants/stale/")
    assert page.locator("[data-testid=stale] tr[data-record]").count() == 0
    logout(page)

    # Seven months on, the record has not been verified: it is on the stale list.
    later = timezone.now() + dt.timedelta(days=214)
    with time_machine.travel(later, tick=True):
        login(page, "demo_c1")
        page.goto("/migrants/stale/")
        assert page.locator(f"[data-testid=stale] tr[data-record='{record.pk}']").count() == 1
        shot(page, screenshots, "stale")
        with page.expect_navigation():
            page.click(f"[data-testid=visit-{record.pk}]")
        visit = "[data-testid=visit-form]"
        page.fill(f"{visit} input[name=address]", "枣园小区 5 号楼 101 室")
        page.fill(f"{visit} input[name=note]", "已搬到 5 号楼")
        with page.expect_navigation():
            page.click(f"{visit} [data-testid=submit]")
        assert page.url.endswith(f"/migrants/records/{record.pk}/")
        assert "已搬到 5 号楼" in page.inner_text("[data-testid=record-visits]")
        page.goto("/migrants/stale/")
        assert page.locator("[data-testid=stale] tr[data-record]").count() == 0
    assert page_watch.foreign(live_server.url) == []
