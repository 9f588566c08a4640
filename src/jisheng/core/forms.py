"""Form pieces every app shares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """An ``<input type="date">`` whose value is always ISO ``YYYY-MM-DD``.

    Browsers read only that format: a value written the locale's way (``2026/03/05``) leaves
    the field blank, so the format is fixed here rather than taken from ``DATE_INPUT_FORMATS``.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


def date_field(label: Any, *, required: bool = True, today: bool = True) -> forms.DateField:
    """A date picked in an ISO ``<input type="date">``, today by default unless ``today=False``."""
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        initial=timezone.localdate if today else None,
    )


class ConfirmableForm(forms.Form):
    """A form whose service may answer ``NeedsConfirmation``: the warnings come back on the
    form with a box to tick (hidden until then), and the same request confirmed goes ahead."""

    confirm = forms.BooleanField(
        label=_("I have checked the warnings above: go ahead"),
        required=False,
        widget=forms.HiddenInput,
    )

    def ask_to_confirm(self) -> None:
        """Show the box the user ticks to go ahead despite the warnings shown."""
        self.fields["confirm"].widget = forms.CheckboxInput(attrs={"data-testid": "confirm"})
