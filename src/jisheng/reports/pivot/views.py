"""The pivot page, its workbook and print view, and the favourites' two buttons."""

from __future__ import annotations

from typing import IO, Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core import text
from jisheng.core.actors import Actor, request_user
from jisheng.core.charts import Chart
from jisheng.core.errors import NotFound
from jisheng.core.exports import xlsx_response
from jisheng.core.figures_cache import cached_figures
from jisheng.core.pages import MAX_ID
from jisheng.core.permissions import require_capability
from jisheng.reports.dashboards.selectors import ShownChart
from jisheng.reports.forms.exporting import file_name, write_form
from jisheng.reports.forms.views import READERS, asked, table_html
from jisheng.reports.pivot import selectors, services
from jisheng.reports.pivot.query import PivotForm, PivotQuery, measures_for
from jisheng.reports.pivot.selectors import PivotAnswer, TooLarge
from jisheng.reports.rollups import selectors as rollups


class FavouriteForm(text.Form):
    name = forms.CharField(label=gettext_lazy("Name of the favourite"), max_length=40)
    query = forms.CharField(widget=forms.HiddenInput, max_length=2000, required=False)


def _default_question(request: HttpRequest) -> QueryDict:
    """No question asked yet: the first figure the user may see, by unit."""
    data = request.GET.copy()
    if not data.get("measure"):
        offered = measures_for(request_user(request))
        if offered:
            data["measure"] = offered[0].key
            data.setdefault("rows", "unit")
    return data


def _area_and_period(request: HttpRequest, query: PivotQuery) -> tuple[str, str]:
    unit = request_user(request).org_unit
    period = f"{query.start} – {query.end}" if query.measure.periods else _("now")
    return (unit.name if unit else ""), period


def _ask(request: HttpRequest) -> tuple[PivotForm, PivotAnswer | None]:
    """The form bound to the question, and its answer (None: the form says what is wrong)."""
    user = request_user(request)
    today = timezone.localdate()
    form = PivotForm(_default_question(request), user=user, today=today)
    if not form.is_valid():
        return form, None
    try:
        return form, selectors.answer(user, form.cleaned_data["query"], today=today)
    except TooLarge as exc:
        form.add_error(None, str(exc))
        return form, None


def _question(request: HttpRequest, form: PivotForm, found: PivotAnswer | None) -> dict[str, Any]:
    """What the question part of the page shows: the form, and the answer as table and chart."""
    context: dict[str, Any] = {
        "form": form,
        "found": found,
        "outside": request.GET.get("audience") == "outside",
    }
    if found is None:
        return context
    query = found.query
    area, period = _area_and_period(request, query)
    table = selectors.as_table(found, area=area, period=period)
    # Amounts are never suppressed (outside parties get no workbook of them), but the
    # legend follows the audience asked for, as the page always did.
    suppress = context["outside"] and not query.amount
    context.update(
        table=table,
        table_html=table_html(table, outside=context["outside"], suppress=suppress),
        query=urlencode(query.params()),
        outside_query=urlencode([*query.params(), ("audience", "outside")]),
        filters=[
            (d, found.options[d.key], query.filters.get(d.key, frozenset()))
            for d in query.measure.dimensions
        ],
    )
    if query.chart:
        title = str(query.measure.label)
        context["shown"] = ShownChart(
            Chart("pivot", title, lambda _u: None), selectors.as_chart(found)
        )
    return context


def _favourites(request: HttpRequest, found: PivotAnswer | None) -> dict[str, Any]:
    """The user's own favourites, and the form that saves the question on screen."""
    initial = {"query": urlencode(found.query.params())} if found is not None else {}
    return {
        "favourites": selectors.favourites(request_user(request)),
        "favourite_form": FavouriteForm(initial=initial),
    }


def _context(request: HttpRequest, form: PivotForm, found: PivotAnswer | None) -> dict[str, Any]:
    return {**_question(request, form, found), **_favourites(request, found)}


def _refused(request: HttpRequest, form: PivotForm) -> HttpResponse:
    """The page again with the form's messages: the question cannot be answered (400)."""
    return render(request, "reports/pivot/pivot.html", _context(request, form, None), status=400)


def _answered(request: HttpRequest) -> tuple[str, str, bool] | None:
    """The question part of the page drawn, the fields of the form that saves it as a
    favourite drawn, and whether it is drawn as a chart; None: the question cannot be
    answered."""
    form, found = _ask(request)
    if found is None:
        return None
    # The save form's fields hold only the question (no user's data, no token): drawing
    # its widgets cost more than the rest of a kept page's shell.
    saving = FavouriteForm(initial={"query": urlencode(found.query.params())})
    return (
        render_to_string("reports/pivot/_question.html", _question(request, form, found)),
        render_to_string("reports/pivot/_favourite_fields.html", {"favourite_form": saving}),
        found.query.chart,
    )


@require_GET
@require_capability(*READERS)
def pivot(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    # The question and its answer, drawn, kept per question as asked, area, duties and
    # rollup version; the favourites (the user's own, with their forms) are read each time.
    kept = cached_figures(
        "reports.pivot_page",
        user,
        lambda: _answered(request),
        version=rollups.as_of(),
        params=asked(request),
    )
    if kept is None:
        form, _found = _ask(request)
        return _refused(request, form)
    question_html, favourite_fields_html, chart = kept
    return render(
        request,
        "reports/pivot/pivot.html",
        {
            "question_html": question_html,
            "found": True,
            "shown": chart,
            "favourites": selectors.favourites(user),
            "favourite_fields_html": favourite_fields_html,
        },
    )


@require_GET
@require_capability(*READERS)
def pivot_print(request: HttpRequest) -> HttpResponse:
    form, found = _ask(request)
    if found is None:
        return render(
            request, "reports/pivot/pivot.html", _context(request, form, None), status=400
        )
    return render(request, "reports/pivot/print.html", _context(request, form, found))


@require_GET
@require_capability(*READERS)
def pivot_xlsx(request: HttpRequest) -> HttpResponseBase:
    form, found = _ask(request)
    outside = request.GET.get("audience") == "outside"
    if found is not None and outside and found.query.amount:
        form.add_error(None, _("Workbooks for outside parties hold counts only, not amounts."))
        found = None
    if found is None:
        return render(
            request, "reports/pivot/pivot.html", _context(request, form, None), status=400
        )
    area, period = _area_and_period(request, found.query)
    table = selectors.as_table(found, area=area, period=period)
    audit.record(
        action=Action.EXPORT,
        actor=Actor.from_request(request),
        object_type="reports.pivot",
        detail={"question": urlencode(found.query.params()), "outside": outside},
    )

    def write(handle: IO[bytes]) -> None:
        write_form(handle, table, outside=outside)

    return xlsx_response(write, filename=file_name(table, outside=outside))


@require_POST
@require_capability(*READERS)
def favourite_save(request: HttpRequest) -> HttpResponseBase:
    """Save the question on screen under a name; a name in use is replaced."""
    favourite = FavouriteForm(request.POST)
    user = request_user(request)
    if favourite.is_valid():
        query = favourite.cleaned_data["query"]
        asked = PivotForm(QueryDict(query), user=user, today=timezone.localdate())
        if asked.is_valid():
            services.favourite_save(
                actor=Actor.from_request(request), name=favourite.cleaned_data["name"], query=query
            )
            return redirect(f"{reverse('reports:pivot')}?{query}")
        favourite.add_error(None, _("Only a question the page can answer can be saved."))
    form, found = _ask(request)
    context = _context(request, form, found)
    context["favourite_form"] = favourite
    return render(request, "reports/pivot/pivot.html", context, status=400)


@require_POST
@require_capability(*READERS)
def favourite_delete(request: HttpRequest, favourite_id: int) -> HttpResponseBase:
    if favourite_id > MAX_ID:
        raise NotFound()
    services.favourite_delete(actor=Actor.from_request(request), favourite_id=favourite_id)
    return redirect("reports:pivot")
