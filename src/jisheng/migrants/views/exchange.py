"""Exchange pages: the worklist of received notices, sent notices awaiting feedback,
overdue lists, a notice with its feedback, queries, the two-way assessment and the peers."""

from __future__ import annotations

import json
from typing import IO, Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.exports import write_xlsx, xlsx_response
from jisheng.core.indicators import Period
from jisheng.core.pages import form_page, page_of, posted, query_without_page
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.migrants.exchange import keys, selectors, services
from jisheng.migrants.exchange.forms import FeedbackForm, PeriodForm, QueryForm
from jisheng.migrants.models import Direction, Notice, Query

READ = Capability.VIEW_PERSONAL


def _notice_list(request: HttpRequest, direction: str) -> HttpResponse:
    user = request_user(request)
    show = request.GET.get("show", "open")
    if show not in {"open", "overdue", "all"}:
        raise JishengError(_("Unknown list."), code="invalid_input")
    found = selectors.notices(
        user, direction=direction, open_only=show == "open", overdue=show == "overdue"
    )
    return render(
        request,
        "migrants/exchange/notice_list.html",
        {
            "direction": direction,
            "show": show,
            "page": page_of(request, found),
            "query": query_without_page(request),
            "today": timezone.localdate(),
        },
    )


@require_GET
@require_capability(READ)
def received(request: HttpRequest) -> HttpResponse:
    return _notice_list(request, Direction.RECEIVED)


@require_GET
@require_capability(READ)
def sent(request: HttpRequest) -> HttpResponse:
    return _notice_list(request, Direction.SENT)


@require_http_methods(["GET", "POST"])
@require_capability(READ)
@submit_once
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = selectors.notice_detail(request_user(request), notice_id)
    form = FeedbackForm(posted(request))

    def answer(actor: Actor, data: dict[str, Any]) -> Notice:
        return services.feedback_send(actor=actor, notice=notice, text=data["feedback"])

    url = reverse("migrants_exchange:notice_detail", args=[notice.pk])
    return form_page(
        request,
        form=form,
        operation=answer,
        success=_("Feedback sent."),
        next_url=url,
        template="migrants/exchange/notice_detail.html",
        title=_("Exchange notice"),
        context={"notice": notice, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@require_capability(READ)
@submit_once
def queries(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = QueryForm(posted(request))

    def ask(actor: Actor, data: dict[str, Any]) -> Query:
        return services.query_send(
            actor=actor,
            peer=data["peer"],
            id_number=data["id_number"],
            legal_basis=data["legal_basis"],
        )

    return form_page(
        request,
        form=form,
        operation=ask,
        success=_("Query sent; the answer appears here when it arrives."),
        next_url=lambda query: reverse("migrants_exchange:query_detail", args=[query.pk]),
        template="migrants/exchange/queries.html",
        title=_("Cross-region queries"),
        cancel_url=reverse("migrants_exchange:queries"),
        context={"page": page_of(request, selectors.queries(user))},
    )


@require_GET
@require_capability(READ)
def query_detail(request: HttpRequest, query_id: int) -> HttpResponse:
    query = selectors.query_detail(request_user(request), query_id)
    answer = json.loads(query.answer) if query.answer else None
    return render(
        request, "migrants/exchange/query_detail.html", {"query": query, "answer": answer}
    )


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    today = timezone.localdate()
    data = request.GET if "year" in request.GET else None
    form = PeriodForm(data, initial={"year": today.year})
    if data is None:
        return form, Period(today.year)
    if not form.is_valid():
        raise JishengError(_("Choose a year between 2000 and 2100 and a quarter."))
    return form, Period(form.cleaned_data["year"], form.cleaned_data["quarter"])


@require_GET
@require_capability(READ)
def assessment(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    figures = selectors.assessment(request_user(request), period)
    return render(
        request,
        "migrants/exchange/assessment.html",
        {"form": form, "period": period, "figures": figures, "query": request.GET.urlencode()},
    )


def _rate(value: object) -> object:
    return "" if value is None else value


@require_GET
@require_capability(READ)
def assessment_xlsx(request: HttpRequest) -> HttpResponseBase:
    _form, period = _period(request)
    figures = selectors.assessment(request_user(request), period)
    header = [
        _("Peer"),
        _("Region code"),
        _("Notices sent"),
        _("Answered by the peer"),
        _("Feedback rate (%)"),
        _("On-time rate (%)"),
        _("Median answer days"),
        _("Notices received"),
        _("Answered by us"),
        _("Our feedback rate (%)"),
        _("Our on-time rate (%)"),
        _("Our median answer days"),
    ]
    rows = [
        [
            f.peer.name,
            f.peer.region_code,
            f.sent.notices,
            f.sent.answered,
            _rate(f.sent.feedback_rate),
            _rate(f.sent.on_time_rate),
            _rate(f.sent.median_days),
            f.received.notices,
            f.received.answered,
            _rate(f.received.feedback_rate),
            _rate(f.received.on_time_rate),
            _rate(f.received.median_days),
        ]
        for f in figures
    ]
    title = _("Two-way assessment of the exchange") + f" {period.label}"

    def write(target: IO[bytes]) -> None:
        write_xlsx(target, header, rows, title=title, text_columns=(1,))

    return xlsx_response(write, filename=f"{title}.xlsx")


@require_GET
@require_capability(READ)
def peers(request: HttpRequest) -> HttpResponse:
    found = [
        (peer, keys.fingerprint(peer.public_key)) for peer in selectors.peers(request_user(request))
    ]
    own = keys.public_key_text()
    return render(
        request,
        "migrants/exchange/peers.html",
        {
            "peers": found,
            "region": services.own_region(),
            "public_key": own,
            "fingerprint": keys.fingerprint(own),
        },
    )
