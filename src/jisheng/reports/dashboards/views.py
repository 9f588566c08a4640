"""The dashboard page: every chart the user's duties cover, each with its table."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jisheng.core.actors import request_user
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability
from jisheng.reports.dashboards import selectors


@require_GET
@require_capability(Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES, Capability.MANAGE_STOCK)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request, "reports/dashboards/dashboard.html", {"charts": selectors.dashboard_for(user)}
    )
