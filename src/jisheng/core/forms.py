from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import OrgUnit


class OrgUnitForm(forms.Form):
    parent = forms.ModelChoiceField(
        label=_("parent unit"), queryset=OrgUnit.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("kind"), choices=OrgUnit.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    code = forms.CharField(label=_("division code"), max_length=15)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units  # type: ignore[attr-defined]
