"""Registry forms: they check shape only (dates parse, choices exist); services check rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jisheng.core import text
from jisheng.core.dates import month_start
from jisheng.core.errors import JishengError
from jisheng.core.forms import ConfirmableForm, date_field
from jisheng.core.models import OrgUnit
from jisheng.registry.models import (
    Household,
    HukouType,
    MaritalStatus,
    Relation,
    ResidentStatus,
    Sex,
)
from jisheng.registry.picker import ResidentField
from jisheng.registry.selectors import PersonFilters
from jisheng.registry.services.events import CORRECTABLE_FIELDS
from jisheng.registry.services.persons import PersonData

# GB 3304 codes and names, in the standard's order (01–56, then 97 and 98).
ETHNICITIES = (
    ("01", _("Han")),
    ("02", _("Mongol")),
    ("03", _("Hui")),
    ("04", _("Tibetan")),
    ("05", _("Uyghur")),
    ("06", _("Miao")),
    ("07", _("Yi")),
    ("08", _("Zhuang")),
    ("09", _("Bouyei")),
    ("10", _("Korean")),
    ("11", _("Manchu")),
    ("12", _("Dong")),
    ("13", _("Yao")),
    ("14", _("Bai")),
    ("15", _("Tujia")),
    ("16", _("Hani")),
    ("17", _("Kazakh")),
    ("18", _("Dai")),
    ("19", _("Li")),
    ("20", _("Lisu")),
    ("21", _("Va")),
    ("22", _("She")),
    ("23", _("Gaoshan")),
    ("24", _("Lahu")),
    ("25", _("Shui")),
    ("26", _("Dongxiang")),
    ("27", _("Naxi")),
    ("28", _("Jingpo")),
    ("29", _("Kyrgyz")),
    ("30", _("Tu")),
    ("31", _("Daur")),
    ("32", _("Mulao")),
    ("33", _("Qiang")),
    ("34", _("Blang")),
    ("35", _("Salar")),
    ("36", _("Maonan")),
    ("37", _("Gelao")),
    ("38", _("Xibe")),
    ("39", _("Achang")),
    ("40", _("Pumi")),
    ("41", _("Tajik")),
    ("42", _("Nu")),
    ("43", _("Uzbek")),
    ("44", _("Russian")),
    ("45", _("Ewenki")),
    ("46", _("De'ang")),
    ("47", _("Bonan")),
    ("48", _("Yugur")),
    ("49", _("Gin")),
    ("50", _("Tatar")),
    ("51", _("Derung")),
    ("52", _("Oroqen")),
    ("53", _("Hezhen")),
    ("54", _("Monba")),
    ("55", _("Lhoba")),
    ("56", _("Jino")),
    ("97", _("Other ethnic group")),
    ("98", _("Foreign-born, naturalised")),
)


def _community_field() -> forms.ModelChoiceField[OrgUnit]:
    return forms.ModelChoiceField(label=_("Community"), queryset=OrgUnit.objects.none())


def _relation_field(initial: str = Relation.HEAD) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Relation to head"), choices=Relation.choices, initial=initial, required=False
    )


class PersonFilterForm(text.Form):
    """The resident list's search: every field optional, ages whole numbers, from ≤ to."""

    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        required=False,
        help_text=_("Beginning of the name, or pinyin initials such as zsm"),
    )
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    household = forms.CharField(label=_("Household number"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    community: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        label=_("Community"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    age_min = forms.IntegerField(label=_("Age from"), min_value=0, max_value=150, required=False)
    age_max = forms.IntegerField(label=_("Age to"), min_value=0, max_value=150, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *ResidentStatus.choices], required=False
    )
    born_in = forms.CharField(
        label=_("Born here in"),
        max_length=7,
        required=False,
        help_text=_("A month as year-month, e.g. 2026-03: births recorded here in it"),
    )

    def __init__(self, *args: Any, communities: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        for name in ("name", "id_number", "household", "address"):
            self.fields[name].strip = True  # type: ignore[attr-defined]

    def filters(self) -> PersonFilters:
        """The search as the selector takes it (empty for an unbound form)."""
        data = self.cleaned_data if self.is_bound else {}
        return PersonFilters(
            name=data.get("name") or "",
            id_number=data.get("id_number") or "",
            household=data.get("household") or "",
            address=data.get("address") or "",
            community_id=data["community"].pk if data.get("community") else None,
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            status=data.get("status") or "",
            born_in=data.get("born_in") or "",
        )

    def clean_born_in(self) -> str:
        value: str = (self.cleaned_data.get("born_in") or "").strip()
        if value:
            try:
                month_start(value)
            except JishengError as bad:
                raise forms.ValidationError(str(bad.message)) from None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age_min, age_max = data.get("age_min"), data.get("age_max")
        if age_min is not None and age_max is not None and age_min > age_max:
            raise forms.ValidationError(_("“Age from” must not be greater than “Age to”."))
        return data


class HouseholdNumberField(forms.CharField):
    """A household entered by its number, resolved within the households the user may see."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Household number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.households: QuerySet[Household] = Household.objects.none()

    def clean(self, value: Any) -> Household | None:
        number = super().clean(value)
        if not number:
            return None
        found = list(self.households.filter(number=number)[:2])
        if not found:
            raise forms.ValidationError(_("No household with this number in your area."))
        if len(found) > 1:
            raise forms.ValidationError(_("Several households have this number."))
        return found[0]


class ScopedForm(text.Form):
    """A form whose community and household fields offer only what the user may see."""

    def __init__(
        self,
        *args: Any,
        communities: QuerySet[OrgUnit] | None = None,
        households: QuerySet[Household] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if "community" in self.fields and communities is not None:
            field = self.fields["community"]
            field.queryset = communities  # type: ignore[attr-defined]
            if field.initial is None and len(communities) == 1:
                field.initial = communities[0].pk
        if "household" in self.fields and households is not None:
            self.fields["household"].households = households  # type: ignore[attr-defined]


class PersonDataForm(ScopedForm):
    """The facts of a new resident, as the registration, move-in and birth forms ask them."""

    name = forms.CharField(label=_("Name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = date_field(_("Birth date"), today=False)
    id_number = forms.CharField(label=_("ID number"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=ETHNICITIES, initial="01")
    hukou_type = forms.ChoiceField(label=_("Hukou type"), choices=HukouType.choices)
    hukou_division = forms.CharField(
        label=_("Registered residence"),
        max_length=12,
        required=False,
        help_text=_("Division code of 6, 9 or 12 digits; empty: taken from the ID number"),
    )
    is_floating = forms.BooleanField(label=_("Floating resident"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=MaritalStatus.choices, initial=MaritalStatus.UNMARRIED
    )

    def person_data(self) -> PersonData:
        data = self.cleaned_data
        fields = set(PersonData.__dataclass_fields__) - {"problems"}
        return PersonData(**{name: data[name] for name in fields if name in data})


class RegistrationForm(PersonDataForm):
    """Registration (建档) of a resident already living here."""

    community = _community_field()
    date = date_field(_("Date of registration"))
    household = HouseholdNumberField(help_text=_("Optional: the household the resident belongs to"))
    relation = _relation_field()

    field_order = ("community", "date")


class NewcomerForm(PersonDataForm):
    """A new resident moving in from elsewhere."""

    community = _community_field()
    date = date_field(_("Date of moving in"))
    origin = forms.CharField(label=_("Moved in from"), max_length=200, required=False)
    household = HouseholdNumberField(help_text=_("Optional: the household the resident joins"))
    relation = _relation_field()

    field_order = ("community", "date", "origin")


class BirthForm(PersonDataForm):
    """A child born to the mother whose page this is; the father defaults to her husband."""

    father = forms.TypedChoiceField(label=_("Father"), coerce=int, required=False, empty_value=None)
    father_id_number = forms.CharField(
        label=_("Or the father's ID number"),
        max_length=20,
        required=False,
        help_text=_("Only if the father is not the husband shown above"),
    )
    household = HouseholdNumberField(help_text=_("Empty: the mother's household"))

    field_order = ("name", "sex", "birth_date", "id_number")

    def __init__(self, *args: Any, fathers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["marital_status"], self.fields["is_floating"], self.fields["phone"]
        id_number = self.fields["id_number"]
        id_number.required = False
        id_number.help_text = _("Optional for a newborn")
        self.fields["address"].help_text = _("Empty: the mother's address")
        father = self.fields["father"]
        father.choices = [("", _("Not recorded")), *fathers]  # type: ignore[attr-defined]
        if fathers:
            father.initial = fathers[0][0]


class DeathForm(text.Form):
    date = date_field(_("Date of death"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MoveOutForm(text.Form):
    date = date_field(_("Date of moving out"))
    destination = forms.CharField(label=_("Moved to"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MoveBackInForm(ScopedForm):
    """A resident who moved out comes back."""

    community = _community_field()
    date = date_field(_("Date of moving in"))
    origin = forms.CharField(label=_("Moved in from"), max_length=200, required=False)
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("Empty: keep the address on record"),
    )
    household = HouseholdNumberField(help_text=_("Optional: the household the resident joins"))
    relation = _relation_field()


class HouseholdChangeForm(ScopedForm):
    """Join another household, or found a new one at an address."""

    date = date_field(_("Date of the change"))
    household = HouseholdNumberField(help_text=_("The household the resident joins"))
    relation = _relation_field(Relation.OTHER)
    address = forms.CharField(
        label=_("Or the address of a new household"),
        max_length=200,
        required=False,
        help_text=_("Leave the household number empty to found a new household here"),
    )


class MarriageForm(text.Form):
    spouse_id_number = forms.CharField(
        label=_("Spouse's ID number"),
        max_length=20,
        help_text=_("The spouse must already be registered in your area"),
    )
    date = date_field(_("Date of marriage"))


class DivorceForm(text.Form):
    date = date_field(_("Date of divorce"))


class CorrectionForm(text.Form):
    """Correct wrongly entered facts: only the fields that differ from the record are sent."""

    FACTS = CORRECTABLE_FIELDS  # the service's list: a field it accepts is a field shown

    name = forms.CharField(label=_("Name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = date_field(_("Birth date"), today=False)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=ETHNICITIES)
    hukou_type = forms.ChoiceField(label=_("Hukou type"), choices=HukouType.choices)
    hukou_division = forms.CharField(label=_("Registered residence"), max_length=12, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    is_floating = forms.BooleanField(label=_("Floating resident"), required=False)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)
    date = date_field(_("Date of the correction"))

    def changes(self) -> dict[str, Any]:
        """The corrected facts and their new values (call after ``is_valid``)."""
        return {name: self.cleaned_data[name] for name in self.FACTS if name in self.changed_data}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.changes():
            raise forms.ValidationError(_("Nothing was changed."))
        return data


class ReverseForm(text.Form):
    reason = forms.CharField(label=_("Reason for the reversal"), max_length=200)
    date = date_field(_("Date of the correction"))


class MergeForm(text.Form):
    keep = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class HouseholdFilterForm(text.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=50,
        required=False,
        help_text=_("Household number, address, or the head's name or pinyin initials"),
    )


class HouseholdNewForm(text.Form, ConfirmableForm):
    head = ResidentField(label=_("Head of household"))
    address = forms.CharField(label=_("Address"), max_length=200)
    date = date_field(_("Date"))
