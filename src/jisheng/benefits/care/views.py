"""Pages of hardship visits and certifications: thin views, one per operation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.accounts.models import User
from jisheng.benefits.care import selectors, services
from jisheng.benefits.care.forms import (
    CertificationFilterForm,
    CertificationForm,
    PhotoForm,
    RevokeForm,
    VerifyForm,
    VisitFilterForm,
    VisitForm,
)
from jisheng.benefits.models import Certification, Visit
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.exports import xlsx_response
from jisheng.core.lookups import community_choices
from jisheng.core.pages import (
    form_page,
    is_id_text,
    page_of,
    posted,
    query_without_page,
    submit,
)
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.core.uploads import stored_file_response
from jisheng.registry.models import Person
from jisheng.registry.picker import scope_residents

PRINT_LIMIT = 5000


def _resident(form: forms.Form) -> Person:
    person: Person = form.cleaned_data["person"]  # picked within the user's area
    return person


def _preset_resident(request: HttpRequest, user: User) -> Person | None:
    """The resident a "record for this resident" link names (``?person=``), inside scope."""
    # Only the link's: a posted resident is the picker's, checked by the form (a form error).
    raw = request.GET.get("person", "") if request.method == "GET" else ""
    if not is_id_text(raw):
        return None
    return selectors.resident_for(user, person_id=int(raw))


# ------------------------------------------------------------------------------- visits


def _visit_filter_form(request: HttpRequest, user: User) -> VisitFilterForm:
    return VisitFilterForm(
        request.GET or None,
        programs=selectors.relief_programs(user, include_ended=True),
        communities=community_choices(user),
        years=selectors.visit_years(user),
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def visit_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = _visit_filter_form(request, user)
    context: dict[str, Any] = {
        "form": form,
        "query": query_without_page(request),
        "can_record": user.has_capability(Capability.APPLY_BENEFITS),
    }
    if form.is_bound and not form.is_valid():
        return render(request, "benefits/care/visit_list.html", context, status=400)
    filters = form.filters()
    visits = selectors.visit_list(user, filters)
    selectors.list_view_record(actor=Actor.from_request(request), model=Visit, filters=filters)
    figures = selectors.visit_figures(user, filters)
    context.update(
        page=page_of(
            request,
            visits,
            ids_first=True,
            rows=lambda ids: selectors.visit_rows(user=user, ids=ids),
        ),
        totals=figures.totals,
        by_community=figures.by_community,
    )
    return render(request, "benefits/care/visit_list.html", context)


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def visit_print(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = _visit_filter_form(request, user)
    if form.is_bound and not form.is_valid():
        raise JishengError(_("The filters are not valid."))
    filters = form.filters()
    visits = selectors.visit_list(user, filters)
    selectors.list_view_record(
        actor=Actor.from_request(request), model=Visit, filters=filters, printing=True
    )
    rows = list(visits[: PRINT_LIMIT + 1])
    return render(
        request,
        "benefits/care/visit_print.html",
        {
            "rows": rows[:PRINT_LIMIT],
            "truncated": len(rows) > PRINT_LIMIT,
            "limit": PRINT_LIMIT,
            "totals": selectors.visit_totals(visits),
            "by_community": selectors.visit_totals_by_community(visits),
            "filters": form.cleaned_data if form.is_bound else {},
        },
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def visit_export(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    form = _visit_filter_form(request, user)
    if form.is_bound and not form.is_valid():
        raise JishengError(_("The filters are not valid."))
    actor = Actor.from_request(request)
    return xlsx_response(
        lambda target: selectors.visit_export_xlsx(
            actor=actor, filters=form.filters(), destination=target
        ),
        filename=_("visits.xlsx"),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.APPLY_BENEFITS)
@submit_once
def visit_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    preset = _preset_resident(request, user)
    form = VisitForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"person": preset.pk if preset else None},
        programs=selectors.relief_programs(user),
    )
    scope_residents(form, user)

    def record(actor: Actor, data: dict[str, Any]) -> Visit:
        person = _resident(form)
        return services.visit_record(
            actor=actor,
            program=data["program"],
            person=person,
            household=selectors.current_household(user, person) if data["with_household"] else None,
            date=data["date"],
            visitors=data["visitors"],
            given=data["given"],
            cost=data["cost"],
            note=data["note"],
            photos=data["photos"],
        )

    return form_page(
        request,
        form=form,
        operation=record,
        success=_("Visit recorded."),
        next_url=lambda visit: reverse("benefits:visit_detail", kwargs={"visit_id": visit.pk}),
        template="benefits/care/visit_form.html",
        context={"preset": preset},
    )


def _visit_page(
    request: HttpRequest, visit: Visit, photo_form: PhotoForm, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "benefits/care/visit_detail.html",
        {
            "visit": visit,
            "photos": selectors.visit_photos(user, visit),
            "photo_form": photo_form,
            "can_record": user.has_capability(Capability.APPLY_BENEFITS),
        },
        status=status,
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = selectors.visit_detail(actor=Actor.from_request(request), visit_id=visit_id)
    return _visit_page(request, visit, PhotoForm())


@require_POST
@require_capability(Capability.APPLY_BENEFITS)
@submit_once
def visit_photo_add(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = selectors.visit_detail(actor=Actor.from_request(request), visit_id=visit_id)
    form = PhotoForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        photos, status = submit(
            form,
            lambda: services.visit_photos_attach(
                actor=Actor.from_request(request), visit=visit, uploads=form.cleaned_data["photos"]
            ),
        )
        if photos is not None:
            messages.success(request, _("Photos attached."))
            return redirect("benefits:visit_detail", visit_id=visit.pk)
    return _visit_page(request, visit, form, status=status)


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def visit_photo(request: HttpRequest, visit_photo_id: int) -> HttpResponseBase:
    """The photo's bytes, only to users whose scope holds its visit; never cached."""
    photo = selectors.visit_photo_for(actor=Actor.from_request(request), photo_id=visit_photo_id)
    return stored_file_response(photo.file)


# ------------------------------------------------------------------------------- certifications


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def certification_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = CertificationFilterForm(
        request.GET or None,
        programs=selectors.certification_programs(user, include_ended=True),
        communities=community_choices(user),
    )
    context: dict[str, Any] = {
        "form": form,
        "query": query_without_page(request),
        "can_issue": user.has_capability(Capability.APPLY_BENEFITS),
    }
    if form.is_bound and not form.is_valid():
        return render(request, "benefits/care/certification_list.html", context, status=400)
    filters = form.filters()
    selectors.list_view_record(
        actor=Actor.from_request(request), model=Certification, filters=filters
    )
    certifications = selectors.certification_list(user, filters)
    context["page"] = page_of(request, certifications)
    return render(request, "benefits/care/certification_list.html", context)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.APPLY_BENEFITS)
@submit_once
def certification_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    preset = _preset_resident(request, user)
    form = CertificationForm(
        posted(request),
        initial={"person": preset.pk if preset else None},
        programs=selectors.certification_programs(user),
    )
    scope_residents(form, user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            certification, status = submit(
                form,
                lambda: services.certification_issue(
                    actor=Actor.from_request(request),
                    program=data["program"],
                    person=_resident(form),
                    purpose=data["purpose"],
                    details=data["details"],
                    issued_on=data["issued_on"],
                ),
            )
            if certification is not None:
                messages.success(
                    request,
                    _("Certificate issued: %(number)s.") % {"number": certification.number},
                )
                return redirect("benefits:certification_detail", certification_id=certification.pk)
    return render(
        request,
        "benefits/care/certification_form.html",
        {"form": form, "preset": preset},
        status=status,
    )


def _certification_page(
    request: HttpRequest, certification: Certification, revoke_form: RevokeForm, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "benefits/care/certification_detail.html",
        {
            "certification": certification,
            "revoke_form": revoke_form,
            "can_revoke": user.has_capability(Capability.APPLY_BENEFITS)
            and certification.status == Certification.Status.VALID,
        },
        status=status,
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def certification_detail(request: HttpRequest, certification_id: int) -> HttpResponse:
    certification = selectors.certification_detail(
        actor=Actor.from_request(request), certification_id=certification_id
    )
    return _certification_page(request, certification, RevokeForm())


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def certification_print(request: HttpRequest, certification_id: int) -> HttpResponse:
    certification = selectors.certification_detail(
        actor=Actor.from_request(request), certification_id=certification_id, printing=True
    )
    if certification.status != Certification.Status.VALID:
        raise JishengError(_("A revoked certificate is not printed."), code="revoked")
    street = certification.community.parent
    return render(
        request,
        "benefits/care/certification_print.html",
        {"certification": certification, "street": street, "person": certification.person},
    )


@require_POST
@require_capability(Capability.APPLY_BENEFITS)
def certification_revoke(request: HttpRequest, certification_id: int) -> HttpResponse:
    certification = selectors.certification_detail(
        actor=Actor.from_request(request), certification_id=certification_id
    )
    form = RevokeForm(request.POST)
    status = 400
    if form.is_valid():
        revoked, status = submit(
            form,
            lambda: services.certification_revoke(
                actor=Actor.from_request(request),
                certification=certification,
                reason=form.cleaned_data["reason"],
            ),
        )
        if revoked is not None:
            messages.success(request, _("Certificate revoked."))
            return redirect("benefits:certification_detail", certification_id=certification.pk)
    return _certification_page(request, certification, form, status=status)


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def certification_verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    verification = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            verification = selectors.certification_verify(
                actor=Actor.from_request(request), number=form.cleaned_data["number"]
            )
        else:
            status = 400
    return render(
        request,
        "benefits/care/certification_verify.html",
        {"form": form, "verification": verification},
        status=status,
    )
