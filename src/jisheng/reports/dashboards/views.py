"""The dashboard page: every chart the user's duties cover, each with its table."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from jisheng.core.actors import request_user
from jisheng.core.figures_cache import cached_figures
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability
from jisheng.reports.dashboards import selectors
from jisheng.reports.rollups import selectors as rollups


@require_GET
@require_capability(Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES, Capability.MANAGE_STOCK)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    # The charts and their tables, rendered once per area, duties and rollup version: building
    # and drawing them costs many times the page around them.
    charts_html = cached_figures(
        "reports.dashboard",
        user,
        lambda: render_to_string(
            "reports/dashboards/_charts.html", {"charts": selectors.dashboard_for(user)}
        ),
        version=rollups.as_of(),
    )
    return render(request, "reports/dashboards/dashboard.html", {"charts_html": charts_html})
