"""Forms of the floating-population pages: shape only; the services check the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.core import text
from jisheng.core.dates import month_start
from jisheng.core.errors import JishengError
from jisheng.core.forms import date_field
from jisheng.core.lookups import community_choices
from jisheng.core.models import OrgUnit
from jisheng.migrants.models import Partner, PartnerKind, ReportKind, ResidentialComplex
from jisheng.registry.models import HukouType, Sex
from jisheng.registry.picker import ResidentField, scope_residents

XLSX_ACCEPT = {"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def region_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=6,
        max_length=6,
        help_text=_("6-digit GB/T 2260 division code, e.g. 370404"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ScopedForm(text.Form):
    """A form whose choices (communities, complexes, partners, residents) are the user's."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and not isinstance(field, ResidentField):
                field.queryset = self.choices(name)
        scope_residents(self, user)

    def choices(self, name: str) -> QuerySet[Any]:
        if name == "community":
            return community_choices(self.user)
        if name == "complex":
            return ResidentialComplex.objects.visible_to(self.user).order_by("name")
        if name == "landlord":
            return Partner.objects.visible_to(self.user).filter(kind=PartnerKind.LANDLORD)
        if name == "property_company":
            return Partner.objects.visible_to(self.user).filter(kind=PartnerKind.PROPERTY)
        raise KeyError(name)


class InflowForm(ScopedForm):
    person = ResidentField(
        label=_("Resident already on record"),
        required=False,
        help_text=_("Leave empty for a new arrival and fill in the person below."),
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    birth_date = date_field(_("Birth date"), required=False, today=False)
    hukou_type = forms.ChoiceField(label=_("Hukou type"), choices=HukouType.choices)
    region_code = region_field(_("Registered in (origin)"))
    moved_on = date_field(_("Date of arrival"))
    community = forms.ModelChoiceField(label=_("Community"), queryset=OrgUnit.objects.none())
    address = forms.CharField(label=_("Address here"), max_length=200)
    complex = forms.ModelChoiceField(
        label=_("Residential complex"), queryset=OrgUnit.objects.none(), required=False
    )
    landlord = forms.ModelChoiceField(
        label=_("Landlord"), queryset=OrgUnit.objects.none(), required=False
    )
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") is None:
            for name in ("name", "sex", "id_number"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a new arrival."))
        return data


class OutflowForm(ScopedForm):
    person = ResidentField(label=_("Resident"))
    region_code = region_field(_("Now living in (destination)"))
    moved_on = date_field(_("Date of departure"))
    address = forms.CharField(label=_("Address there"), max_length=200, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)


class RecordFilterForm(ScopedForm):
    """The inflow and outflow lists' filter: the month of the move (or the months from one on,
    the dashboard's last twelve) and the community; every field optional."""

    month = forms.CharField(
        label=_("Month of the move"),
        max_length=7,
        required=False,
        help_text=_("A month as year-month, e.g. 2026-03"),
    )
    since = forms.CharField(
        label=_("Moves since (month)"),
        max_length=7,
        required=False,
        help_text=_("A month as year-month, e.g. 2026-03"),
    )
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )

    def _month(self, name: str) -> dt.date | None:
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return None
        try:
            return month_start(value)
        except JishengError as bad:
            raise forms.ValidationError(str(bad.message)) from None

    def clean_month(self) -> dt.date | None:
        return self._month("month")

    def clean_since(self) -> dt.date | None:
        return self._month("since")

    @property
    def filtered(self) -> bool:
        """Whether the user asked for anything (then ended records are listed too)."""
        return self.is_bound and any(self.cleaned_data.get(n) for n in self.fields)


class EndForm(text.Form):
    ended_on = date_field(_("Date"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class VisitForm(ScopedForm):
    visited_on = date_field(_("Date of visit"))
    address = forms.CharField(label=_("Address"), max_length=200)
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    complex = forms.ModelChoiceField(
        label=_("Residential complex"), queryset=OrgUnit.objects.none(), required=False
    )
    note = forms.CharField(label=_("What the visit found"), max_length=200, required=False)


class ComplexForm(ScopedForm):
    community = forms.ModelChoiceField(label=_("Community"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200)
    property_company = forms.ModelChoiceField(
        label=_("Property company"), queryset=OrgUnit.objects.none(), required=False
    )


class PartnerForm(ScopedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    community = forms.ModelChoiceField(label=_("Community"), queryset=OrgUnit.objects.none())
    complex = forms.ModelChoiceField(
        label=_("Residential complex"), queryset=OrgUnit.objects.none(), required=False
    )
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    account = forms.ModelChoiceField(
        label=_("Reporting account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("A partner reporter account of your area; it sees only its own reports."),
    )

    def __init__(self, *args: Any, accounts: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=[a.pk for a in accounts]
        ).order_by("username")

    def choices(self, name: str) -> QuerySet[Any]:
        if name == "account":
            return User.objects.none()  # set from ``accounts`` after the scoped choices
        return super().choices(name)


class ReportForm(text.Form):
    kind = forms.ChoiceField(
        label=_("Moved in or out"), choices=ReportKind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    moved_on = date_field(_("Date of the move"))
    hukou_type = forms.ChoiceField(
        label=_("Hukou type"), choices=[("", "—"), *HukouType.choices], required=False
    )
    region_code = forms.CharField(
        label=_("Registered in (origin)"),
        max_length=6,
        required=False,
        help_text=_("For a move in: the 6-digit GB/T 2260 code of the registered residence."),
    )
    address = forms.CharField(label=_("Address here"), max_length=200, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"), widget=forms.FileInput(attrs=XLSX_ACCEPT))


class RejectForm(text.Form):
    reason = forms.CharField(label=_("Reason (the partner reads it)"), max_length=200)
