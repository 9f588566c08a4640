"""One way to name a resident on any form: type a name, its pinyin initials or an ID number,
pick from the matches in your area (htmx, no internet); the form receives the record id."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.pages import is_id_text
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.selectors import PersonFilters, person_list, person_search_record

MATCHES = 10
ID_NUMBER = re.compile(r"\d{15}|\d{17}[\dXx]")


def resident_matches(*, actor: Actor, query: str) -> QuerySet[Person]:
    """At most ten residents in the actor's area whose name or initials begin with ``query``,
    or whose ID number it is (whole, 15 or 18 characters). Audited as a search, like the
    resident list: the matches show names, birth dates and masked ID numbers."""
    query = query.strip()
    if not query:
        return Person.objects.none()
    if ID_NUMBER.fullmatch(query):
        filters = PersonFilters(id_number=query.upper())
    else:
        filters = PersonFilters(name=query[:50])
    person_search_record(actor=actor, filters=filters)
    return person_list(user=actor.user, filters=filters).exclude(status=ResidentStatus.VOIDED)[
        :MATCHES
    ]


def resident_label(person: Person) -> str:
    return " · ".join(
        part
        for part in (
            person.name,
            person.get_sex_display(),
            person.birth_date.isoformat(),
            person.id_number_masked,
            str(person.community),
        )
        if part
    )


class ResidentPicker(forms.HiddenInput):
    """The record id in a hidden input, a search box beside it, and the matches below."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.chosen: Person | None = None

    @property
    def is_hidden(self) -> bool:
        return False  # shown with its label among the visible fields

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = {**(attrs or {}), "data-picked": "1"}
        element_id = attrs.get("id") or f"id_{name}"
        attrs["id"] = element_id
        hidden = super().render(name, value, attrs, renderer)
        chosen = resident_label(self.chosen) if self.chosen is not None else ""
        return format_html(
            '<span class="resident-picker" data-testid="picker-{name}">{hidden}'
            '<input type="search" name="q" autocomplete="off" placeholder="{placeholder}"'
            ' aria-label="{placeholder}" hx-get="{url}"'
            ' hx-trigger="input changed delay:300ms, search"'
            ' hx-target="#{id}-matches" hx-vals=\'{{"for": "{id}"}}\' data-testid="find-{name}">'
            ' <span class="picked" data-picked-for="{id}">{chosen}</span>'
            '<span id="{id}-matches" class="matches"></span></span>',
            name=name,
            hidden=hidden,
            placeholder=_("Name, pinyin initials or ID number"),
            url=reverse("registry:person_pick"),
            id=element_id,
            chosen=chosen,
        )


class ResidentField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A resident of the user's area, chosen with the picker; set the scope with ``for_user``."""

    widget = ResidentPicker

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Person.objects.none())
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("Choose the resident from the matches found in your area.")},
        )
        super().__init__(**kwargs)

    def for_user(self, user: User, chosen: Any = None) -> None:
        # Family members on record who do not live here are nobody's to pick.
        self.queryset = Person.objects.visible_to(user).exclude(
            status__in=[ResidentStatus.VOIDED, ResidentStatus.NON_RESIDENT]
        )
        if chosen:
            self.widget.chosen = (
                self.queryset.filter(pk=str(chosen)).first() if is_id_text(str(chosen)) else None
            )


def scope_residents(form: forms.BaseForm, user: User) -> None:
    """Scope every resident field of ``form`` to ``user``'s area and show who is chosen."""
    for name, field_ in form.fields.items():
        if isinstance(field_, ResidentField):
            value = (
                form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
            )
            field_.for_user(user, value)
