from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import OrgUnit
from jisheng.registry.models import ResidentStatus


class PersonFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    community: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        label=_("Community"), queryset=OrgUnit.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *ResidentStatus.choices], required=False
    )

    def __init__(self, *args: object, communities: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
