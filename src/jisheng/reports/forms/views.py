"""Standard form pages: the list, one form for a period, its workbook and its print view."""

from __future__ import annotations

from typing import IO

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor, request_user
from jisheng.core.exports import xlsx_response
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability
from jisheng.reports.forms.exporting import file_name, header_labels, write_form
from jisheng.reports.forms.periods import PeriodForm, default_period
from jisheng.reports.forms.standard import FORMS, StandardForm

# Who sends forms up or reads them: everyone who works with residents' records or oversees.
READERS = (Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES)


def _form_of(slug: str) -> StandardForm:
    form = FORMS.get(slug)
    if form is None:
        raise Http404
    return form


@require_GET
@require_capability(*READERS)
def form_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/forms/index.html", {"forms": FORMS.values()})


def _render(request: HttpRequest, slug: str, *, view: str) -> HttpResponseBase:
    """The form for the period asked: the page, the workbook or the print view; a bad
    period shows the page again with the message (400)."""
    form = _form_of(slug)
    user = request_user(request)
    today = timezone.localdate()
    if request.GET.get("kind"):
        picker = PeriodForm(request.GET, today=today)
        period = picker.cleaned_data["period"] if picker.is_valid() else None
    else:
        period = default_period(today)
        picker = PeriodForm(initial=PeriodForm.initial_for(period), today=today)
    if period is None:
        return render(
            request,
            "reports/forms/show.html",
            {"form": form, "picker": picker, "table": None},
            status=400,
        )
    outside = request.GET.get("audience") == "outside"
    table = form.build(user, period)
    if view == "xlsx":
        with_period = {"form": slug, "period": period.label, "outside": outside}
        audit.record(
            action=Action.EXPORT,
            actor=Actor.from_request(request),
            object_type="reports.standard_form",
            detail=with_period,
        )

        def write(handle: IO[bytes]) -> None:
            write_form(handle, table, outside=outside)

        return xlsx_response(write, filename=file_name(table, outside=outside))
    query = period.query
    return render(
        request,
        "reports/forms/print.html" if view == "print" else "reports/forms/show.html",
        {
            "form": form,
            "picker": picker,
            "table": table,
            "labels": header_labels(table)[1:],
            "grid": list(zip([*table.rows, table.total], table.grid(outside=outside), strict=True)),
            "outside": outside,
            "query": urlencode(query),
            "outside_query": urlencode({**query, "audience": "outside"}),
            "current_query": urlencode({**query, **({"audience": "outside"} if outside else {})}),
        },
    )


@require_GET
@require_capability(*READERS)
def form_show(request: HttpRequest, form: str) -> HttpResponseBase:
    return _render(request, form, view="page")


@require_GET
@require_capability(*READERS)
def form_xlsx(request: HttpRequest, form: str) -> HttpResponseBase:
    return _render(request, form, view="xlsx")


@require_GET
@require_capability(*READERS)
def form_print(request: HttpRequest, form: str) -> HttpResponseBase:
    return _render(request, form, view="print")
