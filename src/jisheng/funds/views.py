"""Funds pages: the execution report (page, print, xlsx), the budget, entries and vouchers.

Thin: each page reads through a selector or calls one service."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError, NotFound
from jisheng.core.exports import xlsx_response
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.pages import form_page, page_of, posted, query_int, query_without_page, submit
from jisheng.core.permissions import may, require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.core.uploads import stored_file_response
from jisheng.funds import selectors, services
from jisheng.funds.exports import report_xlsx
from jisheng.funds.forms import BudgetAmountForm, BudgetLineForm, ReverseForm, VoucherForm
from jisheng.funds.models import Entry, Level, Voucher
from jisheng.funds.services import FIRST_YEAR


def _units(request: HttpRequest) -> Any:
    return OrgUnit.objects.visible_to(request_user(request)).filter(
        kind__in=[OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE]
    )


LAST_YEAR = 2100  # the year fields' bound, as on the budget form


def _years(request: HttpRequest) -> tuple[int, int]:
    """The report's years from ``?first=&last=`` (default: the last five years to this one);
    a refusal names what is wrong with them in Chinese."""
    this_year = timezone.localdate().year
    raw_first, raw_last = request.GET.get("first", ""), request.GET.get("last", "")
    try:
        last = int(raw_last) if raw_last.strip() else this_year
        first = int(raw_first) if raw_first.strip() else last - 4
    except ValueError:
        raise JishengError(
            _("Enter the years as whole numbers, such as 2013."), code="years"
        ) from None
    if not (FIRST_YEAR <= first <= LAST_YEAR and FIRST_YEAR <= last <= LAST_YEAR):
        raise JishengError(
            _("Years run from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="years",
        )
    if first > last:
        raise JishengError(_("Choose a first year no later than the last year."), code="years")
    if last - first >= selectors.MAX_YEARS:
        raise JishengError(
            _("A report covers at most %(n)d years.") % {"n": selectors.MAX_YEARS}, code="years"
        )
    return first, last


def _report_context(request: HttpRequest) -> tuple[dict[str, Any], int]:
    """The report page's context and status: years that cannot be give the last five years'
    report with the typed years kept in the form and the reason above it (400)."""
    status, error = 200, ""
    try:
        first, last = _years(request)
    except JishengError as refused:
        last = timezone.localdate().year
        first, status, error = last - 4, 400, str(refused.message)
    report = selectors.execution_report(request_user(request), first_year=first, last_year=last)
    context = {
        "report": report,
        "query": f"first={first}&last={last}",
        "years_error": error,
        "typed_first": request.GET.get("first", first) if error else first,
        "typed_last": request.GET.get("last", last) if error else last,
    }
    return context, status


@require_GET
@require_capability(Capability.VIEW_FUNDS)
def report(request: HttpRequest) -> HttpResponse:
    context, status = _report_context(request)
    return render(request, "funds/report.html", context, status=status)


@require_GET
@require_capability(Capability.VIEW_FUNDS)
def report_print(request: HttpRequest) -> HttpResponse:
    context, status = _report_context(request)
    return render(request, "funds/report_print.html", context, status=status)


@require_GET
@require_capability(Capability.VIEW_FUNDS)
def report_export(request: HttpRequest) -> FileResponse:
    first, last = _years(request)
    found = selectors.execution_report(request_user(request), first_year=first, last_year=last)
    return xlsx_response(
        lambda target: report_xlsx(found, target),
        filename=_("funds-execution-%(first)d-%(last)d.xlsx") % {"first": first, "last": last},
    )


# ------------------------------------------------------------------------------ budget


@require_GET
@require_capability(Capability.VIEW_FUNDS)
def budget(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = query_int(request, "year") or timezone.localdate().year
    lines = list(selectors.budget_lines(user, year=year))
    return render(
        request,
        "funds/budget.html",
        {
            "year": year,
            "lines": lines,
            "can_manage": may(user, Capability.MANAGE_FUNDS),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_FUNDS)
@submit_once
def budget_new(request: HttpRequest) -> HttpResponse:
    year = query_int(request, "year") or timezone.localdate().year
    form = BudgetLineForm(
        posted(request),
        categories=selectors.categories(),
        units=_units(request),
        initial={"year": year, "level": Level.STREET},
    )
    return form_page(
        request,
        form=form,
        operation=lambda actor, data: services.budget_set(actor=actor, **data),
        success=_("The budget line is saved."),
        next_url=lambda line: f"{reverse('funds:budget')}?year={line.year}",
        cancel_url=f"{reverse('funds:budget')}?year={year}",
        template="funds/form.html",
        title=_("Enter a budget line"),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_FUNDS)
@submit_once
def budget_edit(request: HttpRequest, budget_line_id: int) -> HttpResponse:
    user = request_user(request)
    line = visible_or_404(selectors.budget_lines(user), user=user, pk=budget_line_id)
    form = BudgetAmountForm(posted(request), initial={"amount": line.amount, "note": line.note})
    return form_page(
        request,
        form=form,
        operation=lambda actor, data: services.budget_update(actor=actor, line=line, **data),
        success=_("The budget line is saved."),
        next_url=f"{reverse('funds:budget')}?year={line.year}",
        template="funds/form.html",
        title=_("Change the budget of %(line)s") % {"line": line},
    )


# ------------------------------------------------------------------------------ entries


def _entry_filters(request: HttpRequest) -> selectors.EntryFilters:
    return selectors.EntryFilters(
        first_year=query_int(request, "first") or query_int(request, "year"),
        last_year=query_int(request, "last") or query_int(request, "year"),
        category=request.GET.get("category", "")[:32],
        level=request.GET.get("level", "")[:12],
        budget_line_id=query_int(request, "line"),
        over_budget=request.GET.get("over") == "1",
        unbudgeted=request.GET.get("unbudgeted") == "1",
    )


@require_GET
@require_capability(Capability.VIEW_FUNDS)
def entry_list(request: HttpRequest) -> HttpResponse:
    filters = _entry_filters(request)
    found = selectors.entries(request_user(request), filters)
    return render(
        request,
        "funds/entry_list.html",
        {
            "page": page_of(request, found),
            "filters": filters,
            "category_name": dict(selectors.categories().values_list("code", "name")).get(
                filters.category, ""
            ),
            "level_name": dict(Level.choices).get(filters.level, ""),
            "query": query_without_page(request),
        },
    )


@require_GET
@require_capability(Capability.VIEW_FUNDS)
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = request_user(request)
    entry: Entry = visible_or_404(selectors.entries(user), user=user, pk=entry_id)
    return render(request, "funds/entry_detail.html", {"entry": entry})


# ------------------------------------------------------------------------------ vouchers


@require_GET
@require_capability(Capability.VIEW_FUNDS)
def voucher_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "funds/voucher_list.html",
        {
            "page": page_of(request, selectors.vouchers(user)),
            "can_manage": may(user, Capability.MANAGE_FUNDS),
            "query": query_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_FUNDS)
@submit_once
def voucher_new(request: HttpRequest) -> HttpResponse:
    data = posted(request)
    form = VoucherForm(
        data,
        request.FILES if data is not None else None,
        categories=selectors.categories(),
        units=_units(request),
    )
    return form_page(
        request,
        form=form,
        operation=lambda actor, cleaned: services.voucher_create(actor=actor, **cleaned),
        success=_("The voucher is recorded."),
        next_url=lambda voucher: reverse("funds:voucher_detail", args=[voucher.pk]),
        cancel_url=reverse("funds:voucher_list"),
        template="funds/form.html",
        title=_("Record a voucher"),
        context={"multipart": True},
    )


@require_GET
@require_capability(Capability.VIEW_FUNDS)
def voucher_detail(request: HttpRequest, voucher_id: int) -> HttpResponse:
    user = request_user(request)
    voucher = visible_or_404(selectors.vouchers(user), user=user, pk=voucher_id)
    return render(
        request,
        "funds/voucher_detail.html",
        {
            "voucher": voucher,
            "entries": selectors.entries(user).filter(
                source=services.VOUCHER_SOURCE, source_id=voucher.pk
            ),
            "form": ReverseForm(),
            "can_manage": may(user, Capability.MANAGE_FUNDS),
        },
    )


@require_POST
@require_capability(Capability.MANAGE_FUNDS)
@submit_once
def voucher_reverse(request: HttpRequest, voucher_id: int) -> HttpResponse:
    user = request_user(request)
    voucher: Voucher = visible_or_404(selectors.vouchers(user), user=user, pk=voucher_id)
    form = ReverseForm(request.POST)
    if form.is_valid():
        actor = Actor.from_request(request)
        done, status = submit(
            form,
            lambda: services.voucher_reverse(
                actor=actor, voucher=voucher, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            return redirect("funds:voucher_detail", voucher_id=voucher.pk)
    else:
        status = 400
    context = {
        "voucher": voucher,
        "entries": selectors.entries(user).filter(
            source=services.VOUCHER_SOURCE, source_id=voucher.pk
        ),
        "form": form,
        "can_manage": True,
    }
    return render(request, "funds/voucher_detail.html", context, status=status)


@require_GET
@require_capability(Capability.VIEW_FUNDS)
def voucher_attachment(request: HttpRequest, voucher_id: int) -> FileResponse:
    user = request_user(request)
    voucher = visible_or_404(selectors.vouchers(user), user=user, pk=voucher_id)
    if not voucher.attachment:
        raise NotFound()
    return stored_file_response(voucher.attachment)
