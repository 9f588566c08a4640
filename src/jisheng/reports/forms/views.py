"""Standard form pages: the list, one form for a period, its workbook and its print view."""

from __future__ import annotations

from typing import IO, Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor, request_user
from jisheng.core.exports import xlsx_response
from jisheng.core.figures_cache import cached_figures
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability
from jisheng.reports.forms.exporting import file_name, write_form
from jisheng.reports.forms.periods import PeriodForm, default_period
from jisheng.reports.forms.standard import FORMS, StandardForm
from jisheng.reports.forms.tables import FormTable
from jisheng.reports.rollups import selectors as rollups

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


def table_html(table: FormTable, *, outside: bool, suppress: bool | None = None) -> str:
    """The table as the pages and print views show it: ``suppress`` small cells (default: as
    ``outside``, the audience whose legend it carries)."""
    suppressed = outside if suppress is None else suppress
    grid = list(zip([*table.rows, table.total], table.grid(outside=suppressed), strict=True))
    return render_to_string(
        "reports/forms/_table.html", {"table": table, "grid": grid, "outside": outside}
    )


def asked(request: HttpRequest) -> list[tuple[str, str]]:
    """The query string as typed (a form on the page shows it back as it came)."""
    return [(key, value) for key, values in sorted(request.GET.lists()) for value in values]


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
    # The table, and the page drawn around it, are kept per area, duties, period (as asked)
    # and rollup version: computing and drawing them costs many times the page's shell.
    version = rollups.as_of()

    def table_of() -> FormTable:
        return cached_figures(
            f"reports.form.{slug}",
            user,
            lambda: form.build(user, period),
            version=version,
            params=period.query.items(),
        )

    if view == "xlsx":
        table = table_of()
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

    def context() -> dict[str, Any]:
        table = table_of()
        query = period.query
        return {
            "form": form,
            "picker": picker,
            "table": table,
            "table_html": table_html(table, outside=outside),
            "outside": outside,
            "query": urlencode(query),
            "outside_query": urlencode({**query, "audience": "outside"}),
            "current_query": urlencode({**query, **({"audience": "outside"} if outside else {})}),
        }

    if view == "print":  # not kept: it says when it was made
        return render(request, "reports/forms/print.html", context())
    body = cached_figures(
        f"reports.form_page.{slug}",
        user,
        lambda: render_to_string("reports/forms/_show_body.html", context()),
        version=version,
        params=asked(request),
    )
    return render(request, "reports/forms/show.html", {"form": form, "body": body})


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
