"""Forms of the targets pages: shape only; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.core import text
from jisheng.core.forms import date_field
from jisheng.core.models import OrgUnit
from jisheng.targets.models import Department, MeetingKind, PartyKind, Scoring, VetoItem


def _year_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} · {obj.org_unit}" if obj.org_unit_id else str(obj)


class BookForm(text.Form):
    year = _year_field(_("Year"))
    kind = forms.ChoiceField(label=_("Party"), choices=PartyKind.choices)
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=OrgUnit.objects.none(), required=False
    )
    cadre = StaffChoiceField(label=_("Liaison cadre"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        communities: QuerySet[OrgUnit],
        cadres: QuerySet[User],
        departments: QuerySet[Department],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["cadre"].queryset = cadres  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class CopyForm(text.Form):
    year = _year_field(_("Copy into the year"))


class LineForm(text.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=())
    target = forms.DecimalField(label=_("Target value"), max_digits=12, decimal_places=2)
    floor = forms.DecimalField(
        label=_("Floor"),
        help_text=_("The value at which the line scores zero (linear scoring)."),
        max_digits=12,
        decimal_places=2,
    )
    scoring = forms.ChoiceField(label=_("Scoring"), choices=Scoring.choices)
    weight = forms.DecimalField(
        label=_("Weight"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    responsible = StaffChoiceField(
        label=_("Responsible staff member"), queryset=User.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        indicators: list[tuple[str, str]],
        staff: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = staff  # type: ignore[attr-defined]


class VetoItemsForm(text.Form):
    items = forms.ModelMultipleChoiceField(
        label=_("Veto items"),
        queryset=VetoItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, items: QuerySet[VetoItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items  # type: ignore[attr-defined]


class SignForm(text.Form):
    party_signatory = forms.CharField(label=_("Signed for the party by"), max_length=50)
    signed_on = date_field(_("Signed on"))


class RunForm(text.Form):
    quarter = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        choices=[
            (1, _("Quarter 1")),
            (2, _("Quarter 2")),
            (3, _("Quarter 3")),
            (4, _("Quarter 4")),
            (0, _("Whole year")),
        ],
    )


class AdjustmentForm(text.Form):
    points = forms.DecimalField(label=_("Points (+/-)"), max_digits=5, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    evidence = forms.FileField(
        label=_("Evidence"), help_text=_("A scan or photo: PDF, JPG or PNG, at most 10 MB.")
    )


class VetoForm(text.Form):
    veto_item = forms.ModelChoiceField(label=_("Veto item"), queryset=VetoItem.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, items: QuerySet[VetoItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["veto_item"].queryset = items  # type: ignore[attr-defined]


class MeetingForm(text.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    date = date_field(_("Date"))
    title = forms.CharField(label=_("Title"), max_length=200)
    chair = StaffChoiceField(label=_("Chair"), queryset=User.objects.none(), required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_attendees = forms.CharField(label=_("Other attendees"), max_length=500, required=False)
    topics = forms.CharField(label=_("Topics"), widget=forms.Textarea, required=False)
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = staff  # type: ignore[attr-defined]
        self.fields["attendees"].queryset = staff  # type: ignore[attr-defined]


class ActionItemForm(text.Form):
    description = forms.CharField(label=_("Task"), max_length=300)
    owner = StaffChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = date_field(_("Due date"), today=False)

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff  # type: ignore[attr-defined]


class DoneForm(text.Form):
    done_on = date_field(_("Done on"))


class OverviewForm(text.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    quarter = forms.IntegerField(min_value=0, max_value=4, required=False)
    kind = forms.ChoiceField(choices=PartyKind.choices, required=False)


class DepartmentForm(text.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class VetoItemForm(text.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False, widget=forms.Textarea
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class BonusBandForm(text.Form):
    min_score = forms.DecimalField(
        label=_("From total score"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    coefficient = forms.DecimalField(
        label=_("Bonus coefficient"), max_digits=4, decimal_places=2, min_value=0, max_value=10
    )
