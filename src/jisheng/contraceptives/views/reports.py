"""Report pages and their Excel exports."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jisheng.contraceptives import exports
from jisheng.contraceptives.forms import YearForm
from jisheng.contraceptives.selectors import reports
from jisheng.contraceptives.views.common import year_from
from jisheng.core.actors import Actor, request_user
from jisheng.core.exports import xlsx_response
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability

# Supply reports are counts and totals: leaders and supervisors read them too.
REPORT_READERS = (Capability.MANAGE_STOCK, Capability.VIEW_AGGREGATES)
# Users per method and community: counts of health records, no one named.
ROSTER_READERS = (Capability.VIEW_HEALTH, Capability.VIEW_AGGREGATES)


def _file(workbook: exports.Workbook) -> FileResponse:
    return xlsx_response(workbook.write, filename=workbook.file_name)


@require_GET
@require_capability(*REPORT_READERS)
def report_issues(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET or None)
    year = year_from(form)
    return render(
        request,
        "contraceptives/report_issues.html",
        {
            "form": form,
            "year": year,
            "table": reports.issues_by_month(user=request_user(request), year=year),
            "months": range(1, 13),
        },
    )


@require_GET
@require_capability(*REPORT_READERS)
def report_issues_xlsx(request: HttpRequest) -> FileResponse:
    year = year_from(YearForm(request.GET or None))
    return _file(exports.issues_workbook(actor=Actor.from_request(request), year=year))


@require_GET
@require_capability(*REPORT_READERS)
def report_stock(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "contraceptives/report_stock.html",
        {"rows": reports.stock_on_hand(user=request_user(request), today=today), "today": today},
    )


@require_GET
@require_capability(*REPORT_READERS)
def report_stock_xlsx(request: HttpRequest) -> FileResponse:
    return _file(
        exports.stock_workbook(actor=Actor.from_request(request), today=timezone.localdate())
    )


@require_GET
@require_capability(*REPORT_READERS)
def report_expiry(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "contraceptives/report_expiry.html",
        {"balances": reports.expiry_list(user=request_user(request), today=today), "today": today},
    )


@require_GET
@require_capability(*REPORT_READERS)
def report_expiry_xlsx(request: HttpRequest) -> FileResponse:
    return _file(
        exports.expiry_workbook(actor=Actor.from_request(request), today=timezone.localdate())
    )


@require_GET
@require_capability(*ROSTER_READERS)
def report_roster(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "contraceptives/report_roster.html",
        {"table": reports.roster_by_method(user=request_user(request))},
    )


@require_GET
@require_capability(*ROSTER_READERS)
def report_roster_xlsx(request: HttpRequest) -> FileResponse:
    return _file(
        exports.roster_workbook(actor=Actor.from_request(request), today=timezone.localdate())
    )
