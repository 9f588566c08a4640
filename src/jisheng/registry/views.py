"""Registry pages: thin views, one per operation.

Each event page shows a form (GET) and, on POST, calls exactly one service of
``services.events`` with the acting user; a refusal goes back onto the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.accounts.models import User
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError, NeedsConfirmation, NotFound
from jisheng.core.lookups import community_choices, visible_or_404
from jisheng.core.navigation import person_links
from jisheng.core.pages import form_page, page_of, posted, query_without_page
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.registry import picker, selectors, subject_access
from jisheng.registry.forms import (
    BirthForm,
    CorrectionForm,
    DeathForm,
    DivorceForm,
    HouseholdChangeForm,
    HouseholdFilterForm,
    HouseholdNewForm,
    MarriageForm,
    MergeForm,
    MoveBackInForm,
    MoveOutForm,
    NewcomerForm,
    PersonFilterForm,
    RegistrationForm,
    ReverseForm,
)
from jisheng.registry.models import (
    LifeEvent,
    Person,
    ResidentStatus,
    Sex,
)
from jisheng.registry.services import duplicates, events, family

Kind = LifeEvent.Kind
Record = Callable[[Actor, dict[str, Any]], LifeEvent]


# ---------------------------------------------------------------- list and pages


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def person_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PersonFilterForm(request.GET or None, communities=community_choices(user))
    context: dict[str, Any] = {
        "form": form,
        "page": None,
        "query": query_without_page(request),
        "can_edit": user.has_capability(Capability.EDIT_REGISTRY),
    }
    if form.is_bound and not form.is_valid():
        return render(request, "registry/person_list.html", context, status=400)
    filters = form.filters()
    persons = selectors.person_search(user=user, filters=filters)
    selectors.person_search_record(actor=Actor.from_request(request), filters=filters)
    if isinstance(persons, list):  # the lookup by ID number: at most one, already read
        context["page"] = page_of(request, [selectors.PersonRow.of(p) for p in persons])
    else:
        context["page"] = page_of(
            request,
            persons,
            ids_first=True,
            rows=lambda ids: selectors.person_rows(user=user, ids=ids),
        )
    return render(request, "registry/person_list.html", context)


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = selectors.person_detail(actor=Actor.from_request(request), person_id=person_id)
    marriages = selectors.marriages_of(user, person)
    can_edit = (
        user.has_capability(Capability.EDIT_REGISTRY) and person.status != ResidentStatus.VOIDED
    )
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "membership": selectors.current_household(person),
            "parents": selectors.parents_of(user, person),
            "children": selectors.children_of(user, person),
            "marriages": [
                (m, m.wife if m.husband_id == person.pk else m.husband) for m in marriages
            ],
            "married": any(m.end_date is None for m in marriages),
            "timeline": _timeline(user, person, offer_reversal=can_edit),
            "module_links": person_links(user, person.pk),
            "can_edit": can_edit,
        },
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def person_data_report(request: HttpRequest, person_id: int) -> HttpResponse:
    """Everything held on a resident, printable; ``?format=json`` downloads it."""
    report = subject_access.subject_access_report(
        actor=Actor.from_request(request), person_id=person_id
    )
    if request.GET.get("format") == "json":
        response = JsonResponse(
            subject_access.report_json(report), json_dumps_params={"ensure_ascii": False}
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"居民个人信息-{report.person.pk}.json"
        )
        return response
    return render(request, "registry/person_data_report.html", {"report": report})


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def person_pick(request: HttpRequest) -> HttpResponse:
    """The resident picker's matches (an htmx partial)."""
    query = request.GET.get("q", "")
    matches = picker.resident_matches(actor=Actor.from_request(request), query=query)
    return render(
        request,
        "registry/_person_pick.html",
        {
            "matches": [(person, picker.resident_label(person)) for person in matches],
            "target": request.GET.get("for", "")[:50],
            "query": query,
        },
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def household_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = HouseholdFilterForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if query:
        selectors.household_search_record(actor=Actor.from_request(request))
    page = page_of(
        request,
        selectors.household_pages(user=user, query=query),
        rows=lambda ids: selectors.household_rows(user=user, ids=ids),
    )
    return render(
        request,
        "registry/household_list.html",
        {"page": page, "query": query_without_page(request), "form": form},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def household_new(request: HttpRequest) -> HttpResponse:
    """A new household: its head moves into it at its address (a household change)."""
    user = request_user(request)
    form = HouseholdNewForm(posted(request), initial={"head": request.GET.get("person")})
    picker.scope_residents(form, user)

    def found(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        try:
            return events.household_found(
                actor=actor,
                head=data["head"],
                date=data["date"],
                address=data["address"],
                confirmed=data["confirm"],
            )
        except NeedsConfirmation:
            form.ask_to_confirm()
            raise

    return form_page(
        request,
        form=form,
        operation=lambda actor, data: found(actor, data),
        success=_("Household created."),
        next_url=lambda event: reverse(
            "registry:household_detail", args=[event.data["household_id"]]
        ),
        cancel_url=reverse("registry:household_list"),
        template="registry/event_form.html",
        title=_("New household"),
    )


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
            "members": selectors.household_member_list(household),
            "can_edit": request_user(request).has_capability(Capability.EDIT_REGISTRY),
        },
    )


# ---------------------------------------------------------------- new residents


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_register(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = RegistrationForm(
        posted(request),
        initial={"household": request.GET.get("household", "")},
        communities=community_choices(user),
        households=selectors.household_list(user=user),
    )

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return events.registration_record(
            actor=actor,
            community=data["community"],
            data=form.person_data(),
            date=data["date"],
            household=data["household"],
            relation=data["relation"],
        )

    return _event_page(
        request,
        form=form,
        record=record,
        title=_("Register resident"),
        success=_("Resident registered."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_move_in_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = NewcomerForm(
        posted(request),
        communities=community_choices(user),
        households=selectors.household_list(user=user),
    )

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return events.move_in_record(
            actor=actor,
            community=data["community"],
            date=data["date"],
            data=form.person_data(),
            household=data["household"],
            relation=data["relation"],
            origin=data["origin"],
        )

    return _event_page(
        request,
        form=form,
        record=record,
        title=_("Register newcomer (move in)"),
        success=_("Move-in recorded."),
    )


# ---------------------------------------------------------------- events of one resident


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_birth(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    mother = _person(user, person_id)
    husbands = [
        m.husband
        for m in selectors.person_marriages(user, mother)
        if m.end_date is None and m.wife_id == mother.pk
    ]
    form = BirthForm(
        posted(request),
        fathers=[(h.pk, h.name) for h in husbands],
        households=selectors.household_list(user=user),
    )

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        father: Person | None = None
        if data["father_id_number"]:
            father = selectors.person_by_id_number(user=user, id_number=data["father_id_number"])
        elif data["father"] is not None:
            father = next(h for h in husbands if h.pk == data["father"])
        return events.birth_record(
            actor=actor,
            mother=mother,
            child=form.person_data(),
            father=father,
            household=data["household"],
        )

    return _event_page(
        request,
        person=mother,
        form=form,
        record=record,
        title=_("Record a birth"),
        success=_("Birth recorded."),
        summary=[(_("Mother"), mother.name)],
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_death(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request_user(request), person_id)
    form = DeathForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return events.death_record(actor=actor, person=person, date=data["date"], note=data["note"])

    return _event_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Record a death"),
        success=_("Death recorded."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_move_out(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request_user(request), person_id)
    form = MoveOutForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return events.move_out_record(
            actor=actor,
            person=person,
            date=data["date"],
            destination=data["destination"],
            note=data["note"],
        )

    return _event_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Record moving out"),
        success=_("Move-out recorded."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_move_in(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    form = MoveBackInForm(
        posted(request),
        initial={"community": person.community_id},
        communities=community_choices(user),
        households=selectors.household_list(user=user),
    )

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return events.move_in_record(
            actor=actor,
            community=data["community"],
            date=data["date"],
            person=person,
            address=data["address"],
            household=data["household"],
            relation=data["relation"],
            origin=data["origin"],
        )

    return _event_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Record moving back in"),
        success=_("Move-in recorded."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_household_change(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    form = HouseholdChangeForm(posted(request), households=selectors.household_list(user=user))
    membership = selectors.current_household(person)

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return events.household_change_record(
            actor=actor,
            person=person,
            date=data["date"],
            household=data["household"],
            address=data["address"],
            relation=data["relation"],
        )

    return _event_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Record a household change"),
        success=_("Household change recorded."),
        summary=[(_("Current household"), str(membership.household) if membership else "—")],
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_marriage(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    form = MarriageForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        spouse = selectors.person_by_id_number(user=user, id_number=data["spouse_id_number"])
        husband, wife = (person, spouse) if person.sex == Sex.MALE else (spouse, person)
        return events.marriage_record(actor=actor, husband=husband, wife=wife, date=data["date"])

    return _event_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Record a marriage"),
        success=_("Marriage recorded."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_divorce(request: HttpRequest, person_id: int, marriage_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    marriage = visible_or_404(selectors.person_marriages(user, person), user=user, pk=marriage_id)
    spouse = marriage.wife if marriage.husband_id == person.pk else marriage.husband
    form = DivorceForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return events.divorce_record(actor=actor, marriage=marriage, date=data["date"])

    return _event_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Record a divorce"),
        success=_("Divorce recorded."),
        summary=[
            (_("Spouse"), spouse.name),
            (_("Date of marriage"), marriage.date.isoformat()),
        ],
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_correct(request: HttpRequest, person_id: int) -> HttpResponse:
    # The form shows the full ID number and phone, so the read is the audited one.
    person = selectors.person_detail(actor=Actor.from_request(request), person_id=person_id)
    initial = {name: getattr(person, name) for name in CorrectionForm.FACTS}
    initial["id_number"] = person.id_number or ""
    initial["phone"] = person.phone or ""
    form = CorrectionForm(posted(request), initial=initial)

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return events.person_correct(
            actor=actor,
            person=person,
            changes=form.changes(),
            reason=data["reason"],
            date=data["date"],
        )

    return _event_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Correct the record"),
        success=_("Correction recorded."),
        intro=_("Change only what was entered wrongly; the old values are kept in the history."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def event_reverse(request: HttpRequest, person_id: int, event_id: int) -> HttpResponse:
    person = _person(request_user(request), person_id)
    user = request_user(request)
    event = visible_or_404(selectors.person_timeline(user, person), user=user, pk=event_id)
    form = ReverseForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return events.event_reverse(
            actor=actor, event=event, reason=data["reason"], date=data["date"]
        )

    return _event_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Reverse an event"),
        success=_("The event was reversed."),
        summary=[
            (_("Event"), str(event.get_kind_display())),
            (_("Date"), event.date.isoformat()),
            (_("Note"), event.note or "—"),
        ],
        intro=_(
            "A correction event will undo this event. Both stay in the history; "
            "only the latest event can be reversed."
        ),
    )


# ---------------------------------------------------------------- possible duplicates


@require_GET
@require_capability(Capability.EDIT_REGISTRY)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = page_of(request, selectors.duplicate_flags(user=user), 20)
    return render(
        request,
        "registry/duplicate_list.html",
        {"page": page, "query": "", "scope_ids": set(user.scope_unit_ids())},
    )


@require_POST
@require_capability(Capability.EDIT_REGISTRY)
def duplicate_dismiss(request: HttpRequest, flag_id: int) -> HttpResponse:
    try:
        duplicates.duplicate_dismiss(actor=Actor.from_request(request), flag_id=flag_id)
    except NotFound:
        raise
    except JishengError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Marked as two different residents."))
    return redirect("registry:duplicate_list")


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def duplicate_merge(request: HttpRequest, flag_id: int) -> HttpResponse:
    user = request_user(request)
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        try:
            kept = duplicates.duplicate_merge(
                actor=Actor.from_request(request),
                flag_id=flag_id,
                # No valid choice: the service refuses it (after the scope check).
                keep_id=form.cleaned_data["keep"] if form.is_valid() else 0,
            )
        except NotFound:
            raise
        except JishengError as exc:
            messages.error(request, str(exc.message))
            return redirect("registry:duplicate_list")
        messages.success(request, _("The two records were merged into one."))
        return redirect("registry:person_detail", person_id=kept.pk)
    flag = visible_or_404(selectors.duplicate_flags(user=user), user=user, pk=flag_id)
    keep_id = form.cleaned_data["keep"] if form.is_valid() else None
    if keep_id not in (flag.person_id, flag.candidate_id):
        raise JishengError(_("Choose the record to keep."), code="invalid_keep")
    keep, drop = (
        (flag.person, flag.candidate)
        if keep_id == flag.person_id
        else (flag.candidate, flag.person)
    )
    return render(
        request,
        "registry/duplicate_merge.html",
        {
            "flag": flag,
            "keep": keep,
            "drop": drop,
            "form": MergeForm(initial={"keep": keep.pk}),
            "scope_ids": set(user.scope_unit_ids()),
        },
    )


# ---------------------------------------------------------------- helpers


def _person(user: User, person_id: int) -> Person:
    """A resident in the user's scope, with masked numbers only; 404 otherwise."""
    persons = selectors.person_list(user=user, filters=selectors.PersonFilters())
    return visible_or_404(persons, user=user, pk=person_id)


def _event_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    record: Record,
    title: str,
    success: str,
    person: Person | None = None,
    summary: list[tuple[str, str]] | None = None,
    intro: str | Promise = "",
) -> HttpResponse:
    """An event's form; once recorded, the page of the person it happened to."""

    def person_page(event: LifeEvent) -> str:
        target = person.pk if person is not None else event.person_id
        return reverse("registry:person_detail", args=[target])

    return form_page(
        request,
        form=form,
        operation=record,
        success=success,
        next_url=person_page,
        template="registry/event_form.html",
        title=title,
        cancel_url=(
            reverse("registry:person_detail", args=[person.pk])
            if person is not None
            else reverse("registry:person_list")
        ),
        context={"person": person, "summary": summary or [], "intro": intro},
    )


@dataclass
class TimelineRow:
    """One event as a person's page shows it."""

    event: LifeEvent
    counterpart: Person | None = None
    counterpart_label: str = ""
    reversed_by: LifeEvent | None = None
    reversible: bool = False
    details: list[str] = field(default_factory=list)


def _timeline(user: User, person: Person, *, offer_reversal: bool) -> list[TimelineRow]:
    """The person's events, each with the correction that reversed it, if any.

    With ``offer_reversal``, the latest event still in effect offers "Reverse" when
    ``event_reverse`` would accept it (the page shows the action to editors only).
    """
    timeline = selectors.timeline_of(user, person)
    reversals = {e.reverses_id: e for e in timeline if e.reverses_id is not None}
    in_effect = [e for e in timeline if e.reverses_id is None and e.pk not in reversals]
    latest = max((e.pk for e in in_effect), default=None) if offer_reversal else None
    rows = []
    for event in timeline:
        row = TimelineRow(
            event=event,
            reversed_by=reversals.get(event.pk),
            reversible=event.pk == latest and events.event_can_be_reversed(event),
        )
        own = event.person_id == person.pk
        row.counterpart = event.other_person if own else event.person
        if event.reverses is not None:
            row.counterpart = None
            row.details.append(
                _("Reverses: %(kind)s of %(date)s")
                % {
                    "kind": event.reverses.get_kind_display(),
                    "date": event.reverses.date.isoformat(),
                }
            )
        elif event.kind == Kind.BIRTH:
            row.counterpart_label = _("Mother") if own else _("Child")
            if event.data.get("birth_order"):
                row.details.append(_("Birth order: %(n)s") % {"n": event.data["birth_order"]})
        elif event.kind in (Kind.MARRIAGE, Kind.DIVORCE):
            row.counterpart_label = _("Spouse")
        elif event.kind == Kind.MOVE_OUT and event.data.get("destination"):
            row.details.append(_("To: %(place)s") % {"place": event.data["destination"]})
        elif event.kind == Kind.MOVE_IN and event.data.get("origin"):
            row.details.append(_("From: %(place)s") % {"place": event.data["origin"]})
        elif event.kind == Kind.CORRECTION and event.data.get("change") in family.CHANGE_LABELS:
            row.counterpart_label = _("Family member")
            row.details.append(str(family.CHANGE_LABELS[event.data["change"]]))
            row.details.append(_("Evidence: %(document)s") % {"document": event.data["evidence"]})
        elif event.kind == Kind.CORRECTION and event.data.get("fields"):
            labels = [_field_label(name) for name in event.data["fields"]]
            row.details.append(_("Corrected: %(fields)s") % {"fields": "、".join(labels)})
        rows.append(row)
    return rows


def _field_label(name: str) -> str:
    model_field = Person._meta.get_field(name)
    return str(getattr(model_field, "verbose_name", name))
