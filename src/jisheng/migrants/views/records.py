"""Inflow and outflow lists (printable), one record with its events and visits, opening and
ending records, verification visits and the stale list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.core.actors import Actor, request_user
from jisheng.core.pages import form_page, page_of, posted, query_without_page, submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.migrants.forms import EndForm, InflowForm, OutflowForm, RecordFilterForm, VisitForm
from jisheng.migrants.models import MigrantRecord, MoveKind, Verification
from jisheng.migrants.regions import region_name
from jisheng.migrants.selectors import records as selectors
from jisheng.migrants.services import records as services
from jisheng.registry.services.persons import PersonData

VIEW = Capability.VIEW_PERSONAL
EDIT = Capability.EDIT_REGISTRY


def _rows(items: Any) -> list[dict[str, Any]]:
    return [
        {"record": r, "region": region_name(r.region_code), "owed": selectors.owed_for(r)}
        for r in items
    ]


def _list(request: HttpRequest, kind: str, template: str) -> HttpResponse:
    user = request_user(request)
    form = RecordFilterForm(request.GET or None, user=user)
    context: dict[str, Any] = {"form": form, "query": query_without_page(request), "rows": []}
    if form.is_bound and not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    # A filtered list is what a dashboard bar counted: every move in the months asked,
    # open or ended; the plain list is the open records a worker serves.
    found = selectors.records(
        user,
        kind=kind,
        open_only=not form.filtered,
        month=data.get("month"),
        since=data.get("since"),
        community=data.get("community"),
    )
    page = page_of(request, found)
    context.update(page=page, rows=_rows(page), filtered=form.filtered)
    return render(request, template, context)


@require_GET
@require_capability(VIEW)
def inflow_list(request: HttpRequest) -> HttpResponse:
    return _list(request, MoveKind.INFLOW, "migrants/inflow_list.html")


@require_GET
@require_capability(VIEW)
def outflow_list(request: HttpRequest) -> HttpResponse:
    return _list(request, MoveKind.OUTFLOW, "migrants/outflow_list.html")


@require_GET
@require_capability(VIEW)
def stale_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.stale(request_user(request)))
    return render(
        request,
        "migrants/stale_list.html",
        {
            "page": page,
            "rows": [{"record": r, "region": region_name(r.region_code)} for r in page],
            "query": query_without_page(request),
            "cutoff": selectors.stale_cutoff(),
            "months": services.stale_months(),
        },
    )


def _record_page(
    request: HttpRequest,
    record: MigrantRecord,
    *,
    end_form: EndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "migrants/record_detail.html",
        {
            "record": record,
            "region": region_name(record.region_code),
            "owed": selectors.owed_for(record),
            "events": selectors.events_of(user, record),
            "visits": selectors.visits(user, record),
            "end_form": end_form or EndForm(),
        },
        status=status,
    )


@require_GET
@require_capability(VIEW)
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    return _record_page(request, selectors.record_detail(request_user(request), record_id))


@require_http_methods(["GET", "POST"])
@require_capability(EDIT)
@submit_once
def inflow_create(request: HttpRequest) -> HttpResponse:
    form = InflowForm(posted(request), user=request_user(request))

    def create(actor: Actor, data: dict[str, Any]) -> MigrantRecord:
        person = data["person"]
        arrival = None
        if person is None:
            arrival = PersonData(
                name=data["name"],
                sex=data["sex"],
                birth_date=data["birth_date"],
                id_number=data["id_number"],
                hukou_type=data["hukou_type"],
                hukou_division=data["region_code"],
            )
        return services.inflow_open(
            actor=actor,
            community=data["community"],
            moved_on=data["moved_on"],
            region_code=data["region_code"],
            address=data["address"],
            contact=data["contact"],
            person=person,
            data=arrival,
            complex_=data["complex"],
            landlord=data["landlord"],
            employer=data["employer"],
        )

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Inflow recorded."),
        next_url=lambda record: reverse("migrants:record_detail", args=[record.pk]),
        template="migrants/form.html",
        title=_("Record an inflow"),
        cancel_url=reverse("migrants:inflow_list"),
        context={"form_testid": "inflow-form"},
    )


@require_http_methods(["GET", "POST"])
@require_capability(EDIT)
@submit_once
def outflow_create(request: HttpRequest) -> HttpResponse:
    form = OutflowForm(posted(request), user=request_user(request))

    def create(actor: Actor, data: dict[str, Any]) -> MigrantRecord:
        return services.outflow_open(
            actor=actor,
            person=data["person"],
            moved_on=data["moved_on"],
            region_code=data["region_code"],
            address=data["address"],
            contact=data["contact"],
        )

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Outflow recorded."),
        next_url=lambda record: reverse("migrants:record_detail", args=[record.pk]),
        template="migrants/form.html",
        title=_("Record an outflow"),
        cancel_url=reverse("migrants:outflow_list"),
        context={"form_testid": "outflow-form"},
    )


@require_POST
@require_capability(EDIT)
@submit_once
def record_end(request: HttpRequest, record_id: int) -> HttpResponse:
    record = selectors.record_detail(request_user(request), record_id)
    form = EndForm(request.POST)
    status = 400
    if form.is_valid():
        done, status = submit(
            form,
            lambda: services.record_end(
                actor=Actor.from_request(request),
                record=record,
                ended_on=form.cleaned_data["ended_on"],
                note=form.cleaned_data["note"],
            ),
        )
        if done is not None:
            messages.success(request, _("Record ended."))
            return redirect("migrants:record_detail", record_id=record.pk)
    return _record_page(request, record, end_form=form, status=status)


@require_http_methods(["GET", "POST"])
@require_capability(EDIT)
@submit_once
def record_visit(request: HttpRequest, record_id: int) -> HttpResponse:
    user = request_user(request)
    record = selectors.record_detail(user, record_id)
    initial = {
        "address": record.address,
        "contact": record.contact,
        "employer": record.employer,
        "complex": record.complex_id,
    }
    form = VisitForm(posted(request), user=user, initial=initial)

    def visit(actor: Actor, data: dict[str, Any]) -> Verification:
        return services.record_verify(
            actor=actor,
            record=record,
            visited_on=data["visited_on"],
            address=data["address"],
            contact=data["contact"],
            employer=data["employer"],
            complex_=data["complex"],
            note=data["note"],
        )

    return form_page(
        request,
        form=form,
        operation=visit,
        success=_("Verification visit recorded."),
        next_url=reverse("migrants:record_detail", args=[record.pk]),
        template="migrants/form.html",
        title=_("Verification visit: %(name)s") % {"name": record.person.name},
        context={"form_testid": "visit-form"},
    )
