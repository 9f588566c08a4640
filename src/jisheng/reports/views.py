from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jisheng.accounts.models import User
from jisheng.reports import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(request, "reports/home.html", {
        "counts": selectors.home_figures(user),
        "units": selectors.unit_breakdown(user),
    })
