"""Forms of the publicity pages: shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.core import text
from jisheng.core.forms import date_field
from jisheng.core.models import OrgUnit
from jisheng.publicity.models import ActivityKind, Asset, AssetKind

IMAGE_ACCEPT = {"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"}


def cost_field() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Cost (yuan)"), min_value=0, max_value=10_000_000, decimal_places=2, initial=0
    )


def photo_field(*, required: bool) -> forms.FileField:
    return forms.FileField(
        label=_("Photo"),
        required=required,
        help_text=_("JPEG or PNG, at most 10 MB"),
        widget=forms.ClearableFileInput(attrs=IMAGE_ACCEPT),
    )


class UnitForm(text.Form):
    """A form whose first field is the community (or the street) it records for."""

    org_unit = forms.ModelChoiceField(label=_("Community"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        if units.count() == 1:
            self.fields["org_unit"].initial = units.first()


class ActivityForm(UnitForm):
    date = date_field(_("Date"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    organiser = forms.CharField(label=_("Organiser"), max_length=100)
    partners = forms.CharField(
        label=_("Partner departments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One department per line"),
    )
    audience = forms.IntegerField(label=_("Audience"), min_value=0, max_value=1_000_000, initial=0)
    materials = forms.IntegerField(
        label=_("Materials handed out (copies)"), min_value=0, max_value=1_000_000, initial=0
    )
    materials_note = forms.CharField(label=_("Which materials"), max_length=200, required=False)
    cost = cost_field()
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = photo_field(required=False)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class CostForm(text.Form):
    cost = cost_field()


class PhotoForm(text.Form):
    photo = photo_field(required=True)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class AssetForm(UnitForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Asset.Status.choices)
    opened_on = date_field(_("In use since"), required=False, today=False)
    closed_on = date_field(_("Closed on"), required=False, today=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class AssetEditForm(text.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Asset.Status.choices)
    opened_on = date_field(_("In use since"), required=False, today=False)
    closed_on = date_field(_("Closed on"), required=False, today=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class StaffChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        unit = obj.org_unit.name if obj.org_unit else ""
        return f"{obj} · {unit}"


class TrainingForm(UnitForm):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    trainer = forms.CharField(label=_("Trainer"), max_length=100)
    start_date = date_field(_("First day"))
    end_date = date_field(_("Last day"))
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0.5, max_value=1000, decimal_places=1, initial=4
    )
    cost = cost_field()
    attendees = StaffChoiceField(
        label=_("Attendees"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = staff  # type: ignore[attr-defined]
        self.fields["org_unit"].label = _("Organised by")
