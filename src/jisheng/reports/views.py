from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jisheng.core.actors import request_user
from jisheng.core.modules import home_panels
from jisheng.reports import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "reports/home.html",
        {
            "counts": selectors.home_figures(user),
            "units": selectors.unit_breakdown(user),
            "as_of": selectors.figures_as_of(user),
            "panels": home_panels(user),
        },
    )
