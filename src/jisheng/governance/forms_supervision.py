"""Forms of the supervision pages: shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jisheng.core import text
from jisheng.core.forms import date_field
from jisheng.core.models import OrgUnit
from jisheng.governance.models import Department, DeviceStatus, OutletKind


class _UnitForm(text.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class GroupForm(text.Form):
    name = forms.CharField(label=_("Name of the group"), max_length=100)
    established_on = date_field(_("Established on"), required=False)


class MemberForm(text.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    post = forms.CharField(label=_("Post in the group"), max_length=50)
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)
    title = forms.CharField(label=_("Title in the department"), max_length=100, required=False)
    from_date = date_field(_("From"))
    to_date = date_field(_("To"), required=False, today=False)


class MemberEndForm(text.Form):
    to_date = date_field(_("Left the group on"), today=False)


class DutyForm(text.Form):
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)
    duties = forms.CharField(label=_("Duties"), widget=forms.Textarea(attrs={"rows": 4}))


class DeviceEditForm(text.Form):
    institution = forms.CharField(label=_("Institution"), max_length=100)
    model_name = forms.CharField(label=_("Model"), max_length=100)
    serial_number = forms.CharField(label=_("Serial number"), max_length=64)
    location = forms.CharField(label=_("Location"), max_length=200)
    licence = forms.CharField(label=_("Licence"), max_length=64, required=False)


class DeviceForm(_UnitForm, DeviceEditForm):
    field_order = ("unit",)


class DeviceStatusForm(text.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DeviceStatus.choices)


class OperatorForm(_UnitForm):
    institution = forms.CharField(label=_("Institution"), max_length=100)
    name = forms.CharField(label=_("Name"), max_length=50)
    qualification = forms.CharField(label=_("Qualification"), max_length=100)
    trained_on = date_field(_("Last trained on"), required=False)
    training_due = date_field(_("Next training due"), required=False, today=False)


class PledgeForm(text.Form):
    signed_on = date_field(_("Signed on"))
    scan = forms.FileField(
        label=_("Signed pledge"), help_text=_("A scan or photo: PDF, JPG or PNG, at most 10 MB.")
    )


class InspectionForm(text.Form):
    date = date_field(_("Inspection date"))
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200)
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rectification_due = date_field(_("Rectification due"), required=False, today=False)


class RectifiedForm(text.Form):
    done_on = date_field(_("Rectified on"))


class OutletEditForm(text.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OutletKind.choices)
    name = forms.CharField(label=_("Name of the pharmacy or clinic"), max_length=100)
    licence = forms.CharField(label=_("Licence"), max_length=64, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)


class OutletForm(_UnitForm, OutletEditForm):
    field_order = ("unit",)


class DispensingForm(text.Form):
    dispensed_on = date_field(_("Date dispensed"))
    drug = forms.CharField(label=_("Drug"), max_length=100)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000)
    buyer_name = forms.CharField(label=_("Buyer"), max_length=50)
    buyer_id_number = forms.CharField(label=_("Buyer's ID number"), max_length=18)
    prescriber = forms.CharField(label=_("Prescriber"), max_length=50, required=False)
    prescription_ref = forms.CharField(
        label=_("Prescription reference"), max_length=64, required=False
    )


class DispensingImportForm(text.Form):
    file = forms.FileField(
        label=_("Monthly list (.xlsx or .csv)"),
        help_text=_(
            "First row: 日期, 药品, 数量, 购药人, 身份证号码, 处方医师, 处方编号. "
            "Nothing is imported while any row has a problem."
        ),
    )
