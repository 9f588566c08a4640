"""Forms of the case pages: shape only; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.core import text
from jisheng.core.forms import date_field
from jisheng.governance.models import CaseResult, ClueSource, TransferTo

DUE_HELP = _("Leave empty for the usual time of this step.")


class ClueForm(text.Form):
    source = forms.ChoiceField(label=_("Source"), choices=ClueSource.choices)
    received_on = date_field(_("Received on"))
    summary = forms.CharField(label=_("Clue"), widget=forms.Textarea(attrs={"rows": 4}))
    informant = forms.CharField(
        label=_("Informant (name and contact)"),
        required=False,
        help_text=_("Kept encrypted and shown to nobody, not even to you after saving."),
    )
    source_reference = forms.CharField(label=_("Source reference"), max_length=100, required=False)
    dispensing_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    inspection_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    due_on = date_field(_("Deadline"), required=False, today=False)
    due_on.help_text = DUE_HELP


class InvestigateForm(text.Form):
    started_on = date_field(_("Investigation started on"))
    due_on = date_field(_("Deadline"), required=False, today=False)
    due_on.help_text = DUE_HELP


class TransferForm(text.Form):
    transfer_to = forms.ChoiceField(label=_("Transferred to"), choices=TransferTo.choices)
    receiving_unit = forms.CharField(label=_("Receiving unit"), max_length=100)
    reference = forms.CharField(label=_("Transfer reference"), max_length=64)
    transferred_on = date_field(_("Transferred on"))
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = date_field(_("Deadline"), required=False, today=False)
    due_on.help_text = DUE_HELP


class CloseForm(text.Form):
    closed_on = date_field(_("Closed on"))
    result = forms.ChoiceField(label=_("Result"), choices=CaseResult.choices)
    result_text = forms.CharField(
        label=_("Result in detail"), widget=forms.Textarea(attrs={"rows": 3})
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvidenceForm(text.Form):
    description = forms.CharField(label=_("Description"), max_length=200)
    file = forms.FileField(
        label=_("File"), help_text=_("A scan or photo: PDF, JPG or PNG, at most 10 MB.")
    )
