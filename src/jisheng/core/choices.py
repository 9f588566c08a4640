"""``get_FOO_display`` through a label table built once per field.

Django's own ``get_FOO_display`` rebuilds ``dict(make_hashable(field.flatchoices))`` on every
call, and hashing each lazy label translates it: a list page showing a sex, a status and a
method on 50 rows spent a millisecond or two of every request building the same tables. The
labels are translated once per language too: a row's label is then one dictionary lookup.
"""

from __future__ import annotations

from functools import cache, partialmethod
from typing import Any

from django.apps import apps
from django.db.models import Field, Model
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


@cache
def _labels(field: Field[Any, Any]) -> dict[Any, Any]:
    # Hash the values only: ``make_hashable`` of a (value, label) pair would translate the label.
    return {make_hashable(value): label for value, label in field.flatchoices}


@cache
def _labels_in(field: Field[Any, Any], language: str | None) -> dict[Any, str]:
    """The labels as text in ``language`` (the active one when the table is first asked for)."""
    return {value: str(label) for value, label in _labels(field).items()}


def labels(model: type[Model], field_name: str) -> dict[Any, str]:
    """A field's choice labels by value, as text in the active language (for rows read as
    values, which have no ``get_FOO_display``). The table is shared: do not change it."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, Field)  # noqa: S101 -- a column with choices
    return _labels_in(field, get_language())


def _display(self: Model, *, field: Field[Any, Any]) -> Any:
    value = getattr(self, field.attname)
    try:
        return _labels_in(field, get_language())[value]
    except (KeyError, TypeError):  # a value with no label, or one that is not hashable
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


def _is_djangos_own(method: Any) -> bool:
    # django-stubs does not declare the private method the partialmethods wrap.
    djangos = getattr(Model, "_get_FIELD_display")  # noqa: B009
    return isinstance(method, partialmethod) and method.func is djangos


def install() -> None:
    """Give every field with choices of the project's models the kept table, where the model
    did not write its own ``get_FOO_display`` (run once the models are loaded)."""
    for model in apps.get_models(include_auto_created=True):
        if not model.__module__.startswith("jisheng."):
            continue  # Django's and other libraries' models keep their own
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            if field.choices is not None and _is_djangos_own(model.__dict__.get(name)):
                setattr(model, name, partialmethod(_display, field=field))
