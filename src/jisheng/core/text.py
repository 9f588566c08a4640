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
    """``text`` stripped and in NFC; :class:`ControlCharacters` when it holds a control
    character (tab, LF and CR are allowed when ``multiline``)."""
    if strip:
        text = text.strip()
    if has_control(text, multiline=multiline):
        raise ControlCharacters()
    return nfc(text)


def nfc(text: str) -> str:
    """``text`` in Unicode NFC (one code point for é, not e + accent)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


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


def scrub(text: str, *, multiline: bool) -> str:
    """``text`` with its control characters dropped and in NFC (for data stored earlier)."""
    return nfc((_CONTROL_MULTILINE if multiline else _CONTROL).sub("", text))


# Append-only and hash-chained tables are never rewritten, even to clean them; exports of
# their rows go through ``core.exports.safe_cell``, which drops what a workbook cannot hold.
_NEVER_REWRITTEN = frozenset({"audit"})


def clean_stored_text(apps: Any, schema_editor: Any) -> None:
    """Data migration: every text column of the project's models (encrypted ones through
    the field, so decrypted and encrypted again) without control characters, in NFC."""
    from django.db import DatabaseError, models, transaction

    from jisheng.core.fields import EncryptedTextField

    alias = schema_editor.connection.alias
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy or not meta.label.startswith(_project_labels()):
            continue
        if meta.app_label in _NEVER_REWRITTEN:
            continue
        fields = [
            field
            for field in meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | EncryptedTextField)
            and not field.primary_key
        ]
        if not fields:
            continue
        names = [field.name for field in fields]
        multiline = {field.name: isinstance(field, models.TextField) for field in fields}
        rows = model._base_manager.using(alias).values_list("pk", *names)
        for pk, *values in rows.iterator(chunk_size=2000):
            changes = {}
            for name, value in zip(names, values, strict=True):
                if isinstance(value, str):
                    clean = scrub(value, multiline=multiline[name])
                    if clean != value:
                        changes[name] = clean
            if not changes:
                continue
            try:
                with transaction.atomic(using=alias):
                    model._base_manager.using(alias).filter(pk=pk).update(**changes)
            except DatabaseError:  # an append-only table's trigger: leave the row as it is
                continue


def _project_labels() -> tuple[str, ...]:
    from django.apps import apps as installed

    return tuple(
        f"{config.label}."
        for config in installed.get_app_configs()
        if config.name.startswith("jisheng.")
    )
