"""Exchange forms: shape only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.core import text
from jisheng.migrants.models import Peer


class FeedbackForm(text.Form):
    feedback = forms.CharField(
        label=_("Feedback"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done for this person: services delivered, details updated."),
    )


class QueryForm(text.Form):
    peer = forms.ModelChoiceField(label=_("Peer"), queryset=Peer.objects.none())
    id_number = forms.CharField(label=_("ID number"), max_length=18, min_length=18)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=200,
        help_text=_("The provision or case that makes this query lawful; it is recorded."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["peer"].queryset = Peer.objects.order_by("region_code")  # type: ignore[attr-defined]


class PeriodForm(text.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Whole year")), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
    )
