"""``{{ person|label:"sex" }}``: what ``person.get_sex_display`` shows, from the field's choices
translated once per language. ``get_FOO_display`` translates every choice of the field on each
call (to look one up), a visible cost on pages that show a choice per row."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.utils.translation import get_language

register = template.Library()

_labels: dict[tuple[type[models.Model], str, str | None], tuple[str, dict[Any, str]]] = {}


@register.filter
def label(instance: models.Model | None, name: str) -> str:
    if instance is None:
        return ""
    key = (type(instance), name, get_language())
    known = _labels.get(key)
    if known is None:
        field = instance._meta.get_field(name)
        choices = {value: str(text) for value, text in field.flatchoices}  # type: ignore[union-attr]
        known = _labels[key] = (field.attname, choices)  # type: ignore[union-attr]
    attname, choices = known
    value = getattr(instance, attname)
    found = choices.get(value)
    return found if found is not None else str(value)
