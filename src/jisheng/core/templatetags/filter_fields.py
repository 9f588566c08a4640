"""``{% filter_fields form %}``: a list page's search fields, drawn once and kept.

Drawing a filter form through Django's widget templates costs 2-3 ms of every list request
(a select of communities, a select of statuses, half a dozen inputs), more than reading the
page's rows. Its HTML depends only on the form's class and fields, the values in it, its
choices (for a community select, the user's own area) and the language, so it is kept under
exactly those. A form with errors is drawn afresh: its page shows the input and the messages.
So is a form holding typed text (a name, an ID number): what people search for is personal
data, and is not kept in memory; only the choices of its selects are.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms, template
from django.core.cache import cache
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# The choices are part of the key, so this bounds only how long an unused form is kept.
LIFETIME = 300


@register.simple_tag
def filter_fields(form: forms.BaseForm) -> SafeString:
    """Each field as ``<label>Label <widget></label>`` (its help text as the label's title)."""
    if (form.is_bound and form.errors) or _holds_typed_text(form):
        return _draw(form)
    key = _key(form)
    html = cache.get(key)
    if html is None:
        html = _draw(form)
        cache.set(key, str(html), LIFETIME)
    return SafeString(html)


def _holds_typed_text(form: forms.BaseForm) -> bool:
    """A field other than a choice holds a value (a select's value is one of its choices)."""
    return any(
        not isinstance(field, forms.ChoiceField) and form[name].value() not in (None, "", [])
        for name, field in form.fields.items()
    )


def _draw(form: forms.BaseForm) -> SafeString:
    return format_html_join(
        "",
        "<label{}>{} {}</label>",
        (
            (
                format_html(' title="{}"', field.help_text) if field.help_text else "",
                field.label,
                field,
            )
            for field in form
        ),
    )


def _key(form: forms.BaseForm) -> str:
    """What the drawn fields depend on: every field's kind, label, attributes, value and
    choices (evaluated: a renamed community changes the key), the form's ids and language."""
    parts: list[Any] = [
        type(form).__module__,
        type(form).__qualname__,
        translation.get_language(),
        form.prefix,
        form.auto_id,
        form.is_bound,
    ]
    for name, field in form.fields.items():
        parts.append(
            (
                name,
                type(field).__name__,
                type(field.widget).__name__,
                str(field.label),
                str(field.help_text),
                field.required,
                field.disabled,
                sorted(field.widget.attrs.items()),
                str(form[name].value()),
                _choices(field),
            )
        )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"filter-fields:{digest}"


def _choices(field: forms.Field) -> list[tuple[str, str]] | None:
    if isinstance(field, forms.ModelChoiceField):
        queryset = field.queryset
        if queryset is None:
            return [("", str(field.empty_label))]
        # The rows themselves, in one plain query: iterating ``field.choices`` would read them
        # through a server-side cursor on PostgreSQL (three round trips for a dozen rows).
        rows = [
            (str(field.prepare_value(row)), str(field.label_from_instance(row)))
            for row in queryset.all()
        ]
        return [("", str(field.empty_label)), *rows]
    choices = getattr(field, "choices", None)
    return None if choices is None else [(str(value), str(label)) for value, label in choices]
