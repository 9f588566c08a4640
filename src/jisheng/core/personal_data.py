"""Building blocks of the subject-access report (PIPL Art. 45): each app turns the records it
holds on one resident into :class:`~jisheng.core.modules.DataSection` tables with these."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import models
from django.utils.functional import Promise

from jisheng.core.modules import DataSection


def _cell(record: models.Model, field: models.Field[object, object]) -> object:
    if field.choices:
        return getattr(record, f"get_{field.name}_display")()
    value = getattr(record, field.name)
    if value is None or isinstance(value, str | int | float | Decimal | dt.date):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def section_of(
    *,
    key: str,
    title: str | Promise,
    records: Iterable[models.Model],
    model: type[models.Model],
    fields: Sequence[str | tuple[str, str | Promise]],
    health: bool = False,
) -> DataSection:
    """A section with one column per field (headed by its verbose name, or the label given
    as ``(name, label)``) and one row per record; choices show their label, related records
    their text."""
    named = [(item, None) if isinstance(item, str) else item for item in fields]
    concrete: list[models.Field[object, object]] = []
    labels: list[str] = []
    for name, label in named:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{model.__name__}.{name} is not a column")
        concrete.append(field)
        labels.append(str(label or field.verbose_name))
    return DataSection(
        key=key,
        title=str(title),
        header=tuple(labels),
        rows=[tuple(_cell(record, field) for field in concrete) for record in records],
        health=health,
    )
