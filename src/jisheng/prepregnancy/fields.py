"""A date kept as SM4 ciphertext: reproductive dates (last period, end of a pregnancy)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from jisheng.core.fields import EncryptedTextField


class EncryptedDateField(EncryptedTextField):
    """A date stored encrypted as its ISO text (``YYYY-MM-DD``); reads back as a ``date``.

    Like every encrypted field it can only be tested for ``isnull``: no range lookups, no
    ordering in SQL. Keep a plain date elsewhere only when a query really needs one.
    """

    description = "Encrypted date"

    def from_db_value(  # type: ignore[override]
        self,
        value: bytes | memoryview | None,
        expression: Expression,
        connection: BaseDatabaseWrapper,
    ) -> dt.date | None:
        text = super().from_db_value(value, expression, connection)
        return dt.date.fromisoformat(text) if text else None

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        if value is None or isinstance(value, dt.date):
            return value
        text = super().to_python(value)
        return dt.date.fromisoformat(text) if text else None

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if isinstance(value, dt.datetime):
            raise TypeError("an encrypted date takes a date, not a datetime")
        if isinstance(value, dt.date):
            value = value.isoformat()
        return super().get_db_prep_value(value, connection, prepared)

    def value_to_string(self, obj: Any) -> str:
        value = self.value_from_object(obj)
        return value.isoformat() if isinstance(value, dt.date) else ""

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.DateField(required=not self.blank, **kwargs)
