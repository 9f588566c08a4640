"""Family forms: shape only; ``services.family`` refuses what cannot be."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.core import text
from jisheng.core.forms import date_field
from jisheng.registry.models import Relation, Sex
from jisheng.registry.services.family import EVIDENCE_LENGTH, Grounds, NonResidentData

DISABILITY_CHOICES = (
    ("", _("None")),
    ("1", _("Grade 1")),
    ("2", _("Grade 2")),
    ("3", _("Grade 3")),
    ("4", _("Grade 4")),
)
# Every relation but the head's: the head changes through its own form.
MEMBER_RELATIONS = [(code, label) for code, label in Relation.choices if code != Relation.HEAD]


def _disability_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Disability grade"),
        choices=DISABILITY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )


class GroundsForm(text.Form):
    """Why the family record changes: evidence document, reason, date; last on every form."""

    evidence = forms.CharField(
        label=_("Evidence document"),
        max_length=EVIDENCE_LENGTH,
        help_text=_(
            "The document that shows it, e.g. 户口簿, 结婚证 or 出生医学证明 and its number"
        ),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    date = date_field(_("Date of the correction"))

    def grounds(self) -> Grounds:
        data = self.cleaned_data
        return Grounds(evidence=data["evidence"], reason=data["reason"], date=data["date"])


class ParentLinkForm(GroundsForm):
    ROLE_PARENT = "parent"
    ROLE_CHILD = "child"

    role = forms.ChoiceField(
        label=_("The other resident is"),
        choices=(
            (ROLE_PARENT, _("this resident's parent")),
            (ROLE_CHILD, _("this resident's child")),
        ),
        widget=forms.RadioSelect,
        initial=ROLE_CHILD,
    )
    other_id_number = forms.CharField(
        label=_("The other resident's ID number"),
        max_length=20,
        help_text=_("Already registered in your area; a child living elsewhere is added below"),
    )

    field_order = ("role", "other_id_number")


class SpouseLinkForm(GroundsForm):
    spouse_id_number = forms.CharField(
        label=_("Spouse's ID number"),
        max_length=20,
        help_text=_("The spouse must already be registered in your area"),
    )
    married_on = date_field(_("Date of marriage"), today=False)

    field_order = ("spouse_id_number", "married_on")


class NonResidentFactsForm(GroundsForm):
    lives_in = forms.CharField(
        label=_("Lives in"),
        max_length=200,
        required=False,
        help_text=_("Where the family member lives now (city, address)"),
    )
    death_date = date_field(_("Date of death"), required=False, today=False)
    disability_grade = _disability_field()

    field_order: tuple[str, ...] = ("lives_in", "death_date", "disability_grade")


class NonResidentChildForm(NonResidentFactsForm):
    """A child of this resident who is not a resident here."""

    name = forms.CharField(label=_("Name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = date_field(_("Birth date"), today=False)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=20,
        required=False,
        help_text=_("Optional; if given it must be valid and not belong to a registered resident"),
    )
    with_spouse = forms.BooleanField(
        label=_("Also the child of the current spouse"), required=False, initial=True
    )

    field_order = (
        "name",
        "sex",
        "birth_date",
        "id_number",
        "lives_in",
        "death_date",
        "disability_grade",
        "with_spouse",
    )

    def __init__(self, *args: Any, spouse_name: str | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].label = _("Date entered")  # an addition, not a correction
        if spouse_name is None:
            del self.fields["with_spouse"]
        else:
            self.fields["with_spouse"].help_text = spouse_name

    def child_data(self) -> NonResidentData:
        data = self.cleaned_data
        return NonResidentData(
            name=data["name"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            id_number=data["id_number"],
            lives_in=data["lives_in"],
            death_date=data["death_date"],
            disability_grade=data["disability_grade"],
        )


class HeadChangeForm(GroundsForm):
    head = forms.TypedChoiceField(label=_("New head of household"), coerce=int)
    former_head_relation = forms.ChoiceField(
        label=_("Former head's relation to the new head"), choices=MEMBER_RELATIONS
    )

    field_order = ("head", "former_head_relation")

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["head"].choices = members  # type: ignore[attr-defined]


class RelationForm(GroundsForm):
    relation = forms.ChoiceField(label=_("Relation to head"), choices=MEMBER_RELATIONS)

    field_order = ("relation",)


class UnlinkForm(GroundsForm):
    """Remove a tie entered by mistake."""
