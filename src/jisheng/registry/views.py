from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jisheng.accounts.decorators import request_user, require_capability
from jisheng.accounts.roles import Capability
from jisheng.audit.services import Actor
from jisheng.core.errors import JishengError
from jisheng.core.models import OrgUnit
from jisheng.registry import selectors
from jisheng.registry.forms import PersonFilterForm


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def person_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    communities = OrgUnit.objects.visible_to(user).filter(kind__in=["community", "village"])
    form = PersonFilterForm(request.GET or None, communities=communities)
    if form.is_bound and not form.is_valid():
        raise JishengError(form.errors.as_text(), code="invalid_filter")
    data = form.cleaned_data if form.is_bound else {}
    filters = selectors.PersonFilters(
        name=data.get("name") or "",
        id_number=data.get("id_number") or "",
        community_id=data["community"].pk if data.get("community") else None,
        status=data.get("status") or "",
    )
    persons = selectors.person_list(user=user, filters=filters)
    selectors.person_search_record(actor=Actor.from_request(request), filters=filters)
    page = Paginator(persons, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/person_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_detail(actor=Actor.from_request(request), person_id=person_id)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "membership": selectors.current_household(person),
        },
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def household_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.household_list(user=request_user(request)), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "registry/household_list.html", {"page": page, "query": ""})


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = selectors.household_detail(
        actor=Actor.from_request(request), household_id=household_id
    )
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": selectors.household_members(household),
        },
    )
