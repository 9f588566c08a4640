"""The home page: the user's work waiting and the figures of their area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from jisheng.accounts.models import User
from jisheng.core.actors import request_user
from jisheng.core.figures_cache import cached_figures
from jisheng.core.modules import HomePanel, home_panel_providers
from jisheng.reports import selectors
from jisheng.reports.rollups import selectors as rollups


def _drawn(panels: list[HomePanel]) -> list[str]:
    return [render_to_string(panel.template, {"panel": panel.context}) for panel in panels]


def _counted(
    provide: Callable[[User], list[HomePanel]], user: User
) -> tuple[list[str], dt.datetime]:
    return _drawn(provide(user)), timezone.now()


def _panels(user: User) -> tuple[list[str], dt.datetime | None]:
    """Every app's panels for the user, drawn, and when the oldest kept one was counted (None:
    every panel shown was counted now). An app's ``panels_kept_for`` lets the page keep its
    counts over the area a short while; the user's own short lists are read every time."""
    drawn: list[str] = []
    oldest: dt.datetime | None = None
    for provider in home_panel_providers():
        if not provider.kept_for:
            drawn += _drawn(provider.provide(user))
            continue
        kept, counted = cached_figures(
            f"reports.home_panels.{provider.app}",
            user,
            partial(_counted, provider.provide, user),
            version="",
            personal=True,
            lifetime=provider.kept_for,
        )
        if kept:
            drawn += kept
            oldest = counted if oldest is None else min(oldest, counted)
    return drawn, oldest


def _figures_html(user: User) -> str:
    counts = selectors.home_figures(user)
    if not counts:
        return ""
    return render_to_string(
        "reports/_home_figures.html",
        {
            "area": user.org_unit,
            "counts": counts,
            "units": selectors.unit_breakdown(user),
            "as_of": selectors.figures_as_of(user),
        },
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    # The area's figures, drawn (nothing for roles that hold no personal data).
    figures_html = cached_figures(
        "reports.home",
        user,
        lambda: _figures_html(user),
        version=rollups.as_of(),
    )
    panels, panels_as_of = _panels(user)
    return render(
        request,
        "reports/home.html",
        {
            "figures_html": figures_html,
            "panels": panels,
            "panels_as_of": panels_as_of,
        },
    )
