"""Stocktake pages: start a count, enter and compare it line by line, post or cancel it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jisheng.contraceptives.forms import AddLotForm, CountLinesForm, CountStartForm
from jisheng.contraceptives.models import MoveReason, StockCount
from jisheng.contraceptives.selectors import stock
from jisheng.contraceptives.services import stocktake
from jisheng.contraceptives.services.stocktake import LineEntry
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.pages import posted, submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability


@require_POST
@require_capability(Capability.MANAGE_STOCK)
def count_start(request: HttpRequest, point_id: int) -> HttpResponse:
    """Start a count (not ``submit_once``: a second start opens the count in progress)."""
    point = stock.point_or_404(request_user(request), point_id)
    form = CountStartForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("Give the count date."), code="count_date")
    try:
        count = stocktake.stock_count_start(
            actor=Actor.from_request(request),
            point=point,
            count_date=form.cleaned_data["count_date"],
        )
    except Conflict as refused:
        draft = stock.draft_count(request_user(request), point)
        if refused.code != "count_in_progress" or draft is None:
            raise
        messages.info(request, str(refused.message))
        count = draft
    return redirect("contraceptives:count_detail", stock_count_id=count.pk)


def _lines_form(request: HttpRequest, count: StockCount) -> CountLinesForm:
    rows = stock.count_rows(count)
    initial = {}
    for row in rows:
        line = row.line
        initial.update(
            {
                f"counted_{line.pk}": line.counted,
                f"reason_{line.pk}": line.reason,
                f"note_{line.pk}": line.note,
            }
        )
    return CountLinesForm(
        posted(request),
        initial=initial,
        line_ids=[row.line.pk for row in rows],
    )


def _entries(form: CountLinesForm) -> list[LineEntry]:
    data = form.cleaned_data
    return [
        LineEntry(
            line_id=pk,
            counted=data[f"counted_{pk}"],
            reason=data[f"reason_{pk}"],
            note=data[f"note_{pk}"],
        )
        for pk in form.line_ids
    ]


def _page(
    request: HttpRequest, count: StockCount, form: CountLinesForm, status: int
) -> HttpResponse:
    rows = stock.count_rows(count)
    return render(
        request,
        "contraceptives/count_detail.html",
        {
            "count": count,
            "point": count.point,
            "rows": [(row, *form.bound(row.line.pk)) for row in rows]
            if count.state == StockCount.State.DRAFT
            else rows,
            "form": form,
            "add_form": AddLotForm(lots=stock.lots_addable_to_count(count)),
            "reason_labels": dict(MoveReason.choices),
            "differences": sum(1 for row in rows if row.difference),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
def count_detail(request: HttpRequest, stock_count_id: int) -> HttpResponse:
    """The draft beside the card; POST keeps what was counted so far."""
    count = stock.count_or_404(request_user(request), stock_count_id)
    form = _lines_form(request, count)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, count, form, 400)
        saved, status = submit(
            form,
            lambda: stocktake.stock_count_save(
                actor=Actor.from_request(request), count=count, entries=_entries(form)
            ),
        )
        if saved is None:
            return _page(request, count, form, status)
        messages.success(request, _("Counts saved."))
        return redirect("contraceptives:count_detail", stock_count_id=count.pk)
    return _page(request, count, form, 200)


@require_POST
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def count_post(request: HttpRequest, stock_count_id: int) -> HttpResponse:
    """Save what was typed and post the count as adjustments."""
    count = stock.count_or_404(request_user(request), stock_count_id)
    form = _lines_form(request, count)
    if not form.is_valid():
        return _page(request, count, form, 400)
    moves, status = submit(
        form,
        lambda: stocktake.stock_count_post(
            actor=Actor.from_request(request), count=count, entries=_entries(form)
        ),
    )
    if moves is None:
        return _page(request, count, form, status)
    messages.success(
        request,
        _("Count posted: %(n)d adjustment(s); the card now agrees with the count.")
        % {"n": len(moves)},
    )
    return redirect("contraceptives:count_detail", stock_count_id=count.pk)


@require_POST
@require_capability(Capability.MANAGE_STOCK)
def count_cancel(request: HttpRequest, stock_count_id: int) -> HttpResponse:
    count = stock.count_or_404(request_user(request), stock_count_id)
    stocktake.stock_count_cancel(actor=Actor.from_request(request), count=count)
    messages.success(request, _("Count cancelled."))
    return redirect("contraceptives:point_detail", point_id=count.point_id)


@require_POST
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def count_add_lot(request: HttpRequest, stock_count_id: int) -> HttpResponse:
    count = stock.count_or_404(request_user(request), stock_count_id)
    form = AddLotForm(request.POST, lots=stock.lots_addable_to_count(count))
    if not form.is_valid():
        raise JishengError(_("Choose a lot."), code="lot")
    stocktake.stock_count_add_lot(
        actor=Actor.from_request(request), count=count, lot=form.cleaned_data["lot"]
    )
    return redirect("contraceptives:count_detail", stock_count_id=count.pk)
