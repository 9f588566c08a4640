"""Text from people, checked at one place: Unicode NFC, outer blanks stripped, and no
control characters (they break Excel files and are never typed on purpose).

Forms use :class:`TextCheckedForm` (through :class:`Form` / :class:`ModelForm`), the API
uses :func:`clean_input` on every parsed value (``core.api``), the resident import uses
:func:`clean_text` on every cell.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jisheng.core.errors import JishengError

# C0 (NUL included), DEL and C1. Tab, line feed and carriage return are allowed only where
# text may run over several lines.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What an .xlsx cell cannot hold (openpyxl's IllegalCharacterError): C0 but tab, LF, CR.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

CONTROL_MESSAGE = _(
    "The text contains invisible control characters (often pasted from another program): "
    "type it again."
)


class ControlCharacters(JishengError):
    """Text with a control character was refused."""

    code = "control_characters"
    default_message = CONTROL_MESSAGE


def has_control(text: str, *, multiline: bool = True) -> bool:
    """Whether ``text`` holds a character :func:`clean_text` refuses."""
    return (_CONTROL_MULTILINE if multiline else _CONTROL).search(text) is not None


def clean_text(text: str, *, multiline: bool = False, strip: bool = True) -> str:
    """``text`` in NFC, stripped; :class:`ControlCharacters` when it holds a control
    character (tab, LF and CR are allowed when ``multiline``)."""
    if has_control(text, multiline=multiline):
        raise ControlCharacters()
    text = unicodedata.normalize("NFC", text)
    return text.strip() if strip else text


def clean_input(value: Any) -> Any:
    """Every string inside a parsed request (dicts, lists) cleaned as multi-line text; the
    API cannot tell a single-line field from a multi-line one, and any line break in a
    single-line field is harmless in a cell."""
    if isinstance(value, str):
        return clean_text(value, multiline=True)
    if isinstance(value, dict):
        return {key: clean_input(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_input(item) for item in value]
    return value


def xml_safe(text: str) -> str:
    """``text`` without the characters an .xlsx cell cannot hold (for data stored earlier)."""
    return XML_ILLEGAL.sub("", text)


class TextCheckedForm(forms.BaseForm):
    """Every text value of the form in NFC, stripped, and refused with a clear message when
    it holds a control character (line breaks only in a Textarea)."""

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return
        for name, value in list(self.cleaned_data.items()):
            if not isinstance(value, str) or name not in self.fields:
                continue
            field = self.fields[name]
            multiline = isinstance(field.widget, forms.Textarea)
            strip = getattr(field, "strip", True)
            try:
                self.cleaned_data[name] = clean_text(value, multiline=multiline, strip=strip)
            except ControlCharacters as exc:
                self.add_error(name, ValidationError(str(exc.message), code=exc.code))


class Form(TextCheckedForm, forms.Form):
    """A form whose text is checked by :class:`TextCheckedForm`."""


class ModelForm(TextCheckedForm, forms.ModelForm):  # type: ignore[type-arg]
    """A model form whose text is checked by :class:`TextCheckedForm`."""
