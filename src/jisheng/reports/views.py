"""The home page: the user's work waiting and the figures of their area."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from jisheng.accounts.models import User
from jisheng.core.actors import request_user
from jisheng.core.figures_cache import cached_figures, figures_key
from jisheng.core.modules import HomePanel, home_panel_providers
from jisheng.reports import selectors
from jisheng.reports.rollups import selectors as rollups


def _draw(panel: HomePanel, user: User) -> str:
    return render_to_string(panel.template, {"panel": panel.context_for(user)})


def _to_keep(panels: list[HomePanel], user: User) -> list[str | HomePanel]:
    """Panels as kept: drawn, except those with the user's own values, drawn on every visit."""
    return [panel if panel.own is not None else _draw(panel, user) for panel in panels]


Kept = dict[str, list[str | HomePanel]]


def _kept_panels(user: User) -> tuple[Kept, dt.datetime]:
    """The panels of every app that keeps them, by app, and when they were counted."""
    providers = [provider for provider in home_panel_providers() if provider.kept_for]
    key = figures_key("reports.home_panels", user, version="", personal=True)
    found: tuple[Kept, dt.datetime] | None = cache.get(key)
    if found is None:
        kept = {p.app: _to_keep(panels, user) for p in providers if (panels := p.provide(user))}
        found = (kept, timezone.now())
        # One entry per user, and none when there is nothing to show (most users have none).
        if kept:
            cache.set(key, found, min(p.kept_for for p in providers))
    return found


def _panels(user: User) -> tuple[list[str], dt.datetime | None]:
    """Every app's panels for the user in page order, drawn, and when the kept ones were
    counted (None: every panel shown was counted now). An app's ``panels_kept_for`` lets the
    page keep its counts over the area a short while; the user's own short lists (a panel's
    ``own``) are read every time."""
    kept, counted = _kept_panels(user)
    drawn: list[str] = []
    for provider in home_panel_providers():
        if not provider.kept_for:
            drawn += [_draw(panel, user) for panel in provider.provide(user)]
            continue
        for item in kept.get(provider.app, ()):
            drawn.append(item if isinstance(item, str) else _draw(item, user))
    return drawn, counted if kept else None


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
