"""Forms of the pre-pregnancy pages: they check shape only; the services check the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.core import text
from jisheng.core.forms import date_field
from jisheng.core.models import OrgUnit
from jisheng.core.pages import is_id_text
from jisheng.prepregnancy import health
from jisheng.prepregnancy.models import (
    LOGGED_OUTCOMES,
    ContactMethod,
    CoupleSource,
    CoupleState,
    Outcome,
    RiskFactor,
    RiskLevel,
)
from jisheng.prepregnancy.selectors.couples import CoupleFilters
from jisheng.prepregnancy.selectors.indicators import Period
from jisheng.registry.models import LifeEvent

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class CoupleFilterForm(text.Form):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", "—"), *CoupleState.choices], required=False
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", "—"), *CoupleSource.choices], required=False
    )
    community: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        label=_("Community"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)

    def __init__(self, *args: Any, communities: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]

    def filters(self) -> CoupleFilters:
        if not self.is_bound or not self.is_valid():
            return CoupleFilters()
        data = self.cleaned_data
        return CoupleFilters(
            state=data["state"],
            source=data["source"],
            community_id=data["community"].pk if data["community"] else None,
            name=data["name"].strip(),
        )


class PlanningForm(text.Form):
    wife_id_number = forms.CharField(label=_("Wife's ID number"), max_length=20)
    since = date_field(_("Planning a pregnancy since"))


class ContactForm(text.Form):
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[c for c in ContactMethod.choices if c[0] != ContactMethod.SMS],
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, o.label) for o in LOGGED_OUTCOMES],
        widget=forms.RadioSelect,
    )
    date = date_field(_("Date"))
    appointment_date = date_field(_("Appointment date"), required=False, today=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CheckupForm(text.Form):
    """One spouse's checkup; laboratory fields and history appear for the spouse they fit."""

    institution = forms.CharField(label=_("Institution"), max_length=100)
    date = date_field(_("Date of checkup"))
    items = forms.MultipleChoiceField(
        label=_("Service items done"), widget=forms.CheckboxSelectMultiple, required=False
    )
    risk_level = forms.ChoiceField(
        label=_("Risk assessment"), choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors"), widget=forms.CheckboxSelectMultiple, required=False
    )
    risk_note = forms.CharField(
        label=_("Other risk factors"), max_length=500, required=False, widget=TEXTAREA
    )
    advice = forms.CharField(label=_("Advice"), max_length=2000, required=False, widget=TEXTAREA)

    def __init__(
        self, *args: Any, spouse: str, factors: QuerySet[RiskFactor], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spouse = spouse
        self.fields["items"].choices = [  # type: ignore[attr-defined]
            (item.code, item.label) for item in health.SERVICE_ITEMS if item.applies(spouse)
        ]
        self.fields["risk_factors"].choices = [  # type: ignore[attr-defined]
            (f.code, f.name) for f in factors if f.applies_to in ("both", spouse)
        ]
        self.lab_fields = []
        for test in health.LAB_TESTS:
            if test.applies(spouse):
                name = f"lab_{test.code}"
                self.fields[name] = forms.ChoiceField(
                    label=str(test.label), choices=[("", "—"), *test.choices], required=False
                )
                self.lab_fields.append(name)
        self.history_fields = []
        if spouse == health.WIFE:
            for code, label in health.HISTORY_FIELDS:
                name = f"history_{code}"
                self.fields[name] = forms.IntegerField(
                    label=str(label), min_value=0, max_value=30, required=False
                )
                self.history_fields.append(name)

    def checkup_data(self) -> health.CheckupData:
        data = self.cleaned_data
        history = None
        if self.history_fields:
            counts = {name.removeprefix("history_"): data[name] for name in self.history_fields}
            if any(value is not None for value in counts.values()):
                history = health.ReproductiveHistory()
                for key, value in counts.items():
                    setattr(history, key, value or 0)
        return health.CheckupData(
            institution=data["institution"],
            date=data["date"],
            items=list(data["items"]),
            results={
                name.removeprefix("lab_"): data[name] for name in self.lab_fields if data[name]
            },
            history=history,
            risk_level=data["risk_level"],
            risk_factor_codes=list(data["risk_factors"]),
            risk_note=data["risk_note"],
            advice=data["advice"],
        )


class PregnancyForm(text.Form):
    reported_on = date_field(_("Reported on"))
    last_period = date_field(_("Last menstrual period"), required=False, today=False)


YES_NO = ((True, _("Yes")), (False, _("No")))


class EarlyFollowUpForm(text.Form):
    done_on = date_field(_("Date of visit"))
    confirmed = forms.TypedChoiceField(
        label=_("Pregnancy confirmed"),
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        initial=True,
    )
    weeks = forms.IntegerField(
        label=_("Weeks of pregnancy"), min_value=1, max_value=42, required=False
    )
    folic_acid = forms.BooleanField(label=_("Takes folic acid"), required=False)
    prenatal_booked = forms.BooleanField(label=_("Maternal health booklet issued"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=TEXTAREA)

    def findings(self) -> health.EarlyFindings:
        data = self.cleaned_data
        return health.EarlyFindings(
            confirmed=bool(data["confirmed"]),
            weeks=data["weeks"],
            folic_acid=data["folic_acid"],
            prenatal_booked=data["prenatal_booked"],
            note=data["note"],
        )


class OutcomeFollowUpForm(text.Form):
    done_on = date_field(_("Date of visit"))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in Outcome.choices if c[0] != Outcome.NOT_CONFIRMED],
        widget=forms.RadioSelect,
    )
    outcome_date = date_field(_("Date of outcome"), today=False)
    weeks = forms.IntegerField(
        label=_("Weeks of pregnancy"), min_value=4, max_value=45, required=False
    )
    birth_weight_g = forms.IntegerField(
        label=_("Birth weight (grams)"), min_value=200, max_value=7000, required=False
    )
    defect = forms.CharField(label=_("Birth defect"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=TEXTAREA)
    birth_event = forms.TypedChoiceField(
        label=_("Registered birth"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, births: list[LifeEvent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.births = {event.pk: event for event in births}
        self.fields["birth_event"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((e.pk, f"{e.date:%Y-%m-%d} {e.person.name}") for e in births),
        ]

    def details(self) -> health.OutcomeDetails:
        data = self.cleaned_data
        return health.OutcomeDetails(
            weeks=data["weeks"],
            birth_weight_g=data["birth_weight_g"],
            defect=data["defect"],
            note=data["note"],
        )


class BirthLinkForm(text.Form):
    birth_event = forms.TypedChoiceField(label=_("Registered birth"), coerce=int)

    def __init__(self, *args: Any, births: list[LifeEvent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.births = {event.pk: event for event in births}
        self.fields["birth_event"].choices = [  # type: ignore[attr-defined]
            (e.pk, f"{e.date:%Y-%m-%d} {e.person.name}") for e in births
        ]


class ReferralCompleteForm(text.Form):
    completed_on = date_field(_("Completed on"))
    result = forms.CharField(label=_("Result"), max_length=1000, widget=TEXTAREA)


class RiskFactorForm(text.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=100)
    code = forms.SlugField(
        label=_("Code for data exchange (optional)"), max_length=40, required=False
    )
    category = forms.ChoiceField(label=_("Category"), choices=RiskFactor.Category.choices)
    applies_to = forms.ChoiceField(label=_("Applies to"), choices=RiskFactor.AppliesTo.choices)


class PeriodForm(text.Form):
    """A reporting period; the current calendar year unless given."""

    start = date_field(_("From"), required=False, today=False)
    end = date_field(_("To"), required=False, today=False)

    def period(self, today: dt.date) -> Period:
        default = Period.year_of(today)
        if not self.is_bound or not self.is_valid():
            return default
        return Period(
            self.cleaned_data["start"] or default.start, self.cleaned_data["end"] or default.end
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class LettersDeliveredForm(text.Form):
    couple = forms.TypedMultipleChoiceField(coerce=int)
    date = date_field(_("Handed out on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is well-formed here; the service keeps only couples of the worker's area.
        posted = self.data.getlist("couple") if hasattr(self.data, "getlist") else []
        self.fields["couple"].choices = [  # type: ignore[attr-defined]
            (value, value) for value in posted if is_id_text(str(value))
        ]
