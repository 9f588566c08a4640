from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.audit.models import AuditEvent
from jisheng.core import text
from jisheng.core.forms import DateInput


class AuditSearchForm(text.Form):
    username = forms.CharField(label=_("User"), max_length=150, required=False)
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", "—"), *AuditEvent.Action.choices], required=False
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=[("", "—"), *AuditEvent.Result.choices], required=False
    )
    object_type = forms.CharField(label=_("Object type"), max_length=64, required=False)
    object_id = forms.CharField(label=_("Object ID"), max_length=64, required=False)
    ip = forms.GenericIPAddressField(label=_("IP address"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
