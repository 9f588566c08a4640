"""Family pages: the printable family view, and one form per family correction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.accounts.models import User
from jisheng.core.actors import Actor, request_user
from jisheng.core.lookups import visible_or_404
from jisheng.core.pages import form_page, posted
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability
from jisheng.registry import selectors
from jisheng.registry.family.forms import (
    HeadChangeForm,
    NonResidentChildForm,
    NonResidentFactsForm,
    ParentLinkForm,
    RelationForm,
    SpouseLinkForm,
    UnlinkForm,
)
from jisheng.registry.models import LifeEvent, NonResident, Person, ResidentStatus, Sex
from jisheng.registry.services import family

Record = Callable[[Actor, dict[str, Any]], LifeEvent]


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def person_family(request: HttpRequest, person_id: int) -> HttpResponse:
    """Parents, spouses, children (resident or not, alive or not) and the household: the
    facts the benefit rules read, for the worker who explains a decision. Printable."""
    user = request_user(request)
    found = selectors.person_family(actor=Actor.from_request(request), person_id=person_id)
    return render(
        request,
        "registry/person_family.html",
        {
            "family": found,
            "person": found.person,
            "can_edit": user.has_capability(Capability.EDIT_REGISTRY)
            and found.person.status != ResidentStatus.VOIDED,
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
def parent_link(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    form = ParentLinkForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        other = selectors.person_by_id_number(user=user, id_number=data["other_id_number"])
        parent, child = (other, person) if data["role"] == form.ROLE_PARENT else (person, other)
        return family.parent_link(actor=actor, parent=parent, child=child, grounds=form.grounds())

    return _family_page(
        request, person=person, form=form, record=record, title=_("Link a parent or child")
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
def spouse_link(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    form = SpouseLinkForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        spouse = selectors.person_by_id_number(user=user, id_number=data["spouse_id_number"])
        husband, wife = (person, spouse) if person.sex == Sex.MALE else (spouse, person)
        return family.spouse_link(
            actor=actor,
            husband=husband,
            wife=wife,
            married_on=data["married_on"],
            grounds=form.grounds(),
        )

    return _family_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Link a spouse"),
        intro=_("For a marriage of the past, shown by the marriage certificate or 户口簿."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
def non_resident_child(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    spouse = next(
        (
            m.wife if m.husband_id == person.pk else m.husband
            for m in selectors.person_marriages(user, person)
            if m.end_date is None
        ),
        None,
    )
    form = NonResidentChildForm(posted(request), spouse_name=spouse.name if spouse else None)

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return family.non_resident_child_record(
            actor=actor,
            parent=person,
            child=form.child_data(),
            other_parent=spouse if data.get("with_spouse") else None,
            grounds=form.grounds(),
        )

    return _family_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Add a child who does not live here"),
        success=_("The child is on record."),
        intro=_(
            "A child living elsewhere, or one who died before the registry began: counted by "
            "the programs, never among the residents."
        ),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
def non_resident_facts(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    facts = visible_or_404(NonResident, user=user, pk=person.pk)
    form = NonResidentFactsForm(
        posted(request),
        initial={
            "lives_in": person.address,
            "death_date": facts.death_date,
            "disability_grade": facts.disability_grade,
        },
    )

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return family.non_resident_update(
            actor=actor,
            person=person,
            lives_in=data["lives_in"],
            death_date=data["death_date"],
            disability_grade=data["disability_grade"],
            grounds=form.grounds(),
        )

    return _family_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Change the facts of a family member"),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
def parent_unlink(request: HttpRequest, person_id: int, other_id: int) -> HttpResponse:
    """Remove the tie between this person and a parent or child of theirs."""
    user = request_user(request)
    person = _person(user, person_id)
    parents = {p.pk: p for p in selectors.person_parents(user, person)}
    if other_id in parents:
        parent, child = parents[other_id], person
        other = parent
    else:
        parent = person
        child = other = visible_or_404(
            selectors.person_children(user, person), user=user, pk=other_id
        )
    form = UnlinkForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return family.parent_unlink(actor=actor, parent=parent, child=child, grounds=form.grounds())

    return _family_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Remove a parent–child tie"),
        summary=[
            (_("Parent"), parent.name),
            (_("Child"), child.name),
            (_("Other person"), other.name),
        ],
        intro=_("Only for a tie entered by mistake; the history keeps it."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
def spouse_unlink(request: HttpRequest, person_id: int, marriage_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    marriage = visible_or_404(selectors.person_marriages(user, person), user=user, pk=marriage_id)
    spouse = marriage.wife if marriage.husband_id == person.pk else marriage.husband
    form = UnlinkForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return family.spouse_unlink(actor=actor, marriage=marriage, grounds=form.grounds())

    return _family_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Remove a marriage entered by mistake"),
        summary=[(_("Spouse"), spouse.name), (_("Date of marriage"), marriage.date.isoformat())],
        intro=_("Not a divorce: a divorce is recorded on the resident's page."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
def member_relation(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user(request)
    person = _person(user, person_id)
    membership = selectors.current_household(person)
    form = RelationForm(
        posted(request), initial={"relation": membership.relation if membership else None}
    )

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        return family.member_relation_change(
            actor=actor, person=person, relation=data["relation"], grounds=form.grounds()
        )

    return _family_page(
        request,
        person=person,
        form=form,
        record=record,
        title=_("Correct the relation to the head"),
        summary=[(_("Current household"), str(membership.household) if membership else "—")],
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
def household_head(request: HttpRequest, household_id: int) -> HttpResponse:
    household = selectors.household_detail(
        actor=Actor.from_request(request), household_id=household_id
    )
    members = [
        m.person
        for m in selectors.household_members(household).filter(end_date__isnull=True)
        if m.person_id != household.head_id
    ]
    form = HeadChangeForm(posted(request), members=[(p.pk, p.name) for p in members])

    def record(actor: Actor, data: dict[str, Any]) -> LifeEvent:
        head = next(p for p in members if p.pk == data["head"])
        return family.household_head_change(
            actor=actor,
            household=household,
            head=head,
            former_head_relation=data["former_head_relation"],
            grounds=form.grounds(),
        )

    url = reverse("registry:household_detail", args=[household.pk])
    return form_page(
        request,
        form=form,
        operation=record,
        success=_("The family record was corrected."),
        next_url=url,
        template="registry/event_form.html",
        title=_("Change the head of household"),
        context={
            "summary": [
                (_("Household"), str(household)),
                (_("Head of household"), household.head.name if household.head else "—"),
            ],
            "intro": "",
        },
    )


def _person(user: User, person_id: int) -> Person:
    return selectors.person_masked(user=user, person_id=person_id)


def _family_page(
    request: HttpRequest,
    *,
    person: Person,
    form: forms.Form,
    record: Record,
    title: str,
    summary: list[tuple[str, str]] | None = None,
    intro: str | Promise = "",
    success: str | Promise = "",
) -> HttpResponse:
    """A family correction's form; once recorded, the family view of the person."""
    url = reverse("registry:person_family", args=[person.pk])
    return form_page(
        request,
        form=form,
        operation=record,
        success=str(success or _("The family record was corrected.")),
        next_url=url,
        template="registry/event_form.html",
        title=title,
        context={"person": person, "summary": summary or [], "intro": intro},
    )
