"""Account forms: shape only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisheng.core import text
from jisheng.core.forms import date_field
from jisheng.core.models import CalendarDay, OrgUnit
from jisheng.core.roles import Role


class LoginForm(text.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=256)


class PasswordChangeForm(text.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            raise forms.ValidationError(_("The two new passwords differ."))
        return data


class UserCreateForm(text.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.@-]+$",
        error_messages={"invalid": _("Use letters, digits and _ . @ - only.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=50, required=False)
    org_unit = forms.ModelChoiceField(label=_("Org unit"), queryset=OrgUnit.objects.none())
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)

    def __init__(self, *args: object, units: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]


class RoleGrantForm(text.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TokenCreateForm(text.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)


class OrgUnitForm(text.Form):
    parent = forms.ModelChoiceField(
        label=_("parent unit"), queryset=OrgUnit.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("kind"), choices=OrgUnit.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    code = forms.CharField(label=_("division code"), max_length=15)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units  # type: ignore[attr-defined]


class SecondFactorForm(text.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class CalendarEntryForm(text.Form):
    """A run of days from the year's holiday notice (e.g. 春节 2月15日至23日)."""

    first = date_field(_("First day"), today=False)
    last = date_field(_("Last day"), required=False, today=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Holiday"), max_length=50)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["last"].help_text = _("Leave empty for a single day.")
        self.fields["name"].widget.attrs["placeholder"] = _("e.g. Spring Festival")
