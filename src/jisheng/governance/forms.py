"""The shape of the governance forms; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.core import text
from jisheng.core.forms import date_field
from jisheng.governance.selectors.srb import LEVELS, ORDERS, RESIDENCES
from jisheng.governance.services.pregnancies import OUTCOMES, REPORT_SOURCES, OutcomeData
from jisheng.prepregnancy.models import Outcome, PregnancySource
from jisheng.registry.models import LifeEvent, Sex
from jisheng.registry.picker import ResidentField

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class PregnancyReportForm(text.Form):
    woman = ResidentField(label=_("Woman"))
    source = forms.ChoiceField(
        label=_("Source of the report"),
        choices=[(s.value, s.label) for s in PregnancySource if s in REPORT_SOURCES],
        initial=PregnancySource.COMMUNITY,
    )
    reported_on = date_field(_("Reported on"))
    last_period = date_field(_("Last menstrual period"))


class OutcomeForm(text.Form):
    done_on = date_field(_("Date of visit"))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, o.label) for o in Outcome if o in OUTCOMES],
        widget=forms.RadioSelect,
    )
    outcome_date = date_field(_("Date of outcome"))
    sex = forms.ChoiceField(
        label=_("Sex of the child"),
        choices=[("", "—"), *Sex.choices],
        required=False,
    )
    weight_g = forms.IntegerField(
        label=_("Birth weight (grams)"), min_value=200, max_value=7000, required=False
    )
    birth_order = forms.IntegerField(
        label=_("Birth order"), min_value=1, max_value=20, required=False
    )
    hospital = forms.CharField(label=_("Hospital of birth"), max_length=100, required=False)
    weeks = forms.IntegerField(
        label=_("Weeks of pregnancy"), min_value=4, max_value=45, required=False
    )
    medical_reason = forms.CharField(
        label=_("Medical reason"), max_length=500, required=False, widget=TEXTAREA
    )
    institution = forms.CharField(label=_("Certifying institution"), max_length=100, required=False)
    certificate = forms.CharField(label=_("Certificate reference"), max_length=50, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=TEXTAREA)
    birth_event = forms.TypedChoiceField(
        label=_("Registered birth"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, births: list[LifeEvent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.births = {event.pk: event for event in births}
        self.fields["birth_event"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((e.pk, f"{e.date:%Y-%m-%d} {e.person.get_sex_display()}") for e in births),
        ]

    def outcome_data(self) -> OutcomeData:
        data = self.cleaned_data
        return OutcomeData(
            outcome=data["outcome"],
            outcome_date=data["outcome_date"],
            sex=data["sex"],
            weight_g=data["weight_g"],
            birth_order=data["birth_order"],
            hospital=data["hospital"],
            weeks=data["weeks"],
            medical_reason=data["medical_reason"],
            institution=data["institution"],
            certificate=data["certificate"],
            note=data["note"],
        )


class ReviewForm(text.Form):
    note = forms.CharField(label=_("Review finding"), max_length=500, widget=TEXTAREA)


class TerminationImportForm(text.Form):
    institution = forms.CharField(label=_("Hospital"), max_length=100)
    file = forms.FileField(label=_("Monthly list (.xlsx or .csv)"))


LEVEL_LABELS = {"community": _("Community"), "street": _("Street"), "district": _("District")}
ORDER_LABELS = {"": _("All births"), "1": _("First"), "2": _("Second"), "3": _("Third or later")}
RESIDENCE_LABELS = {"": _("Everyone"), "resident": _("Registered here"), "floating": _("Floating")}
PERIOD_KIND_LABELS = {
    "month": _("Month"),
    "quarter": _("Quarter"),
    "year": _("Year"),
    "rolling": _("Rolling 12 months"),
}


class SrbFilterForm(text.Form):
    """The monitor's filters (a GET form): level, period, birth order, residence."""

    level = forms.ChoiceField(
        label=_("Figures by"), choices=[(k, LEVEL_LABELS[k]) for k in LEVELS], required=False
    )
    kind = forms.ChoiceField(
        label=_("Period"), choices=list(PERIOD_KIND_LABELS.items()), required=False
    )
    month = forms.CharField(
        label=_("Month (the period holding it or, rolling, ending with it)"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    order = forms.ChoiceField(
        label=_("Birth order"),
        choices=[("", ORDER_LABELS[""]), *((k, ORDER_LABELS[k]) for k in ORDERS)],
        required=False,
    )
    residence = forms.ChoiceField(
        label=_("Household registration"),
        choices=[("", RESIDENCE_LABELS[""]), *((k, RESIDENCE_LABELS[k]) for k in RESIDENCES)],
        required=False,
    )
