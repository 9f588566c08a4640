"""Roster pages. Lists and details are health data: the selectors audit every read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.contraceptives.forms import FollowUpForm, RosterEnrollForm, RosterFilterForm, StopForm
from jisheng.contraceptives.models import RosterEntry, RosterFollowUp
from jisheng.contraceptives.selectors import roster as selectors
from jisheng.contraceptives.services import roster as services
from jisheng.contraceptives.views.common import FORM_TEMPLATE
from jisheng.core.actors import Actor, request_user
from jisheng.core.lookups import community_choices
from jisheng.core.pages import form_page, page_of, posted, query_without_page
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.registry.picker import scope_residents


def _entry_url(entry_id: int) -> str:
    return reverse("contraceptives:roster_detail", args=[entry_id])


def _form_entry(request: HttpRequest, entry_id: int) -> RosterEntry:
    """The entry a form page is about; showing the form (GET) is an audited read, since it
    names the person beside their method. A POST is audited by the service it calls."""
    return selectors.roster_entry_for_form(
        actor=Actor.from_request(request), entry_id=entry_id, shown=request.method == "GET"
    )


@require_GET
@require_capability(Capability.VIEW_HEALTH)
def roster_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = RosterFilterForm(request.GET or None, communities=community_choices(user))
    filters = selectors.RosterFilters()
    if form.is_bound and not form.is_valid():
        # The list's page again, with the filter as typed and what is wrong with it.
        context = {"form": form, "page": None, "query": query_without_page(request)}
        return render(request, "contraceptives/roster_list.html", context, status=400)
    if form.is_bound:
        community = form.cleaned_data["community"]
        filters = selectors.RosterFilters(
            method=form.cleaned_data["method"],
            community_id=community.pk if community else None,
            active_only=not form.cleaned_data["include_stopped"],
        )
    entries = selectors.roster_pages(user=user, filters=filters)
    selectors.roster_search_record(actor=Actor.from_request(request), filters=filters)
    return render(
        request,
        "contraceptives/roster_list.html",
        {
            "form": form,
            "page": page_of(
                request, entries, rows=lambda ids: selectors.roster_rows(user=user, ids=ids)
            ),
            "query": query_without_page(request),
        },
    )


@require_GET
@require_capability(Capability.VIEW_HEALTH)
def roster_detail(request: HttpRequest, roster_entry_id: int) -> HttpResponse:
    user = request_user(request)
    entry = selectors.roster_entry_detail(
        actor=Actor.from_request(request), entry_id=roster_entry_id
    )
    return render(
        request,
        "contraceptives/roster_detail.html",
        {
            "entry": entry,
            "follow_ups": selectors.follow_ups(entry=entry, user=user),
            "other_entries": selectors.person_entries(entry=entry, user=user),
            "supplies": selectors.supply_history(entry=entry, user=user),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.VIEW_HEALTH)
@submit_once
def roster_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = RosterEnrollForm(posted(request))
    scope_residents(form, user)

    def enroll(actor: Actor, data: dict[str, Any]) -> RosterEntry:
        return services.roster_enroll(
            actor=actor,
            person=data["person"],
            method=data["method"],
            start_date=data["start_date"],
            notes=data["notes"],
        )

    return form_page(
        request,
        form=form,
        operation=enroll,
        success=_("Put on the roster."),
        next_url=lambda entry: _entry_url(entry.pk),
        template=FORM_TEMPLATE,
        title=_("Put a person on the roster"),
        cancel_url=reverse("contraceptives:roster_list"),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.VIEW_HEALTH)
@submit_once
def roster_follow_up(request: HttpRequest, roster_entry_id: int) -> HttpResponse:
    entry = _form_entry(request, roster_entry_id)
    form = FollowUpForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> RosterFollowUp:
        return services.roster_follow_up_record(
            actor=actor,
            entry=entry,
            date=data["date"],
            satisfaction=data["satisfaction"],
            side_effects=data["side_effects"],
            notes=data["notes"],
            switch_to=data["switch_to"],
        )

    return form_page(
        request,
        form=form,
        operation=record,
        success=_("Follow-up recorded."),
        next_url=_entry_url(entry.pk),
        template=FORM_TEMPLATE,
        title=_("Record a follow-up"),
        context={"entry": entry},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.VIEW_HEALTH)
def roster_stop(request: HttpRequest, roster_entry_id: int) -> HttpResponse:
    entry = _form_entry(request, roster_entry_id)
    form = StopForm(posted(request))

    def stop(actor: Actor, data: dict[str, Any]) -> RosterEntry:
        return services.roster_stop(
            actor=actor, entry=entry, stop_date=data["stop_date"], reason=data["reason"]
        )

    return form_page(
        request,
        form=form,
        operation=stop,
        success=_("Method stopped."),
        next_url=_entry_url(entry.pk),
        template=FORM_TEMPLATE,
        title=_("Stop the method"),
        context={"entry": entry},
    )
