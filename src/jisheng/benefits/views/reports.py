"""Per-program, per-year totals by community: persons paid and net amount."""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.benefits import selectors
from jisheng.benefits.models import Category
from jisheng.benefits.selectors_care import relief_spending, spending_total
from jisheng.core.actors import request_user
from jisheng.core.errors import JishengError
from jisheng.core.pages import is_id_text
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def year_totals(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("year", "") or str(timezone.localdate().year)
    if not is_id_text(raw) or not 2000 <= int(raw) <= 2100:
        raise JishengError(_("Write the year with four digits, like 2026."))
    year = int(raw)
    rows = selectors.program_year_totals(request_user(request), year=year)
    programs = []
    for name, group in groupby(rows, key=lambda row: row["program__name"]):
        communities = list(group)
        programs.append(
            {
                "name": name,
                "communities": communities,
                "persons": sum(row["persons"] for row in communities),
                "amount": sum((row["amount"] for row in communities), Decimal("0.00")),
            }
        )
    user = request_user(request)
    relief = []
    for program in selectors.program_list(user).filter(category=Category.RELIEF):
        spending = relief_spending(user, program, year)
        if spending:
            relief.append({"program": program, "rows": spending, "total": spending_total(spending)})
    return render(
        request,
        "benefits/year_totals.html",
        {
            "year": year,
            "programs": programs,
            "grand_total": sum((p["amount"] for p in programs), Decimal("0.00")),
            "relief": relief,
        },
    )
