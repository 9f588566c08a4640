"""Forms of the funds pages: shape only; the services check amounts, units and dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jisheng.core import text
from jisheng.core.forms import date_field
from jisheng.core.models import OrgUnit
from jisheng.funds.models import BUDGET_LEVELS, Category, Level

LEVEL_CHOICES = [(level.value, level.label) for level in BUDGET_LEVELS]


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


def _amount_field(label: Any) -> forms.CharField:
    # Text, not a DecimalField: the service's own check gives the one message for pages and API.
    return forms.CharField(
        label=label, max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )


class BudgetLineForm(text.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    org_unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    amount = _amount_field(_("Budget (yuan)"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(
        self, *args: Any, categories: QuerySet[Category], units: QuerySet[OrgUnit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]


class BudgetAmountForm(text.Form):
    amount = _amount_field(_("Budget (yuan)"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class VoucherForm(text.Form):
    day = date_field(_("Date"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES, initial=Level.STREET)
    org_unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    amount = _amount_field(_("Amount (yuan)"))
    description = forms.CharField(label=_("What the money was spent on"), max_length=300)
    attachment = forms.FileField(label=_("Attachment (PDF, JPEG or PNG)"), allow_empty_file=False)

    def __init__(
        self, *args: Any, categories: QuerySet[Category], units: QuerySet[OrgUnit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]


class ReverseForm(text.Form):
    reason = forms.CharField(label=_("Reason for the reversal"), max_length=300)
