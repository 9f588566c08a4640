from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jisheng.core.actors import request_user
from jisheng.reports import selectors
from jisheng.reports.panels import home_panels


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "reports/home.html",
        {
            "counts": selectors.home_figures(user),
            "units": selectors.unit_breakdown(user),
            "panels": home_panels(user),
        },
    )
