"""Model fields for sensitive values: SM4 ciphertext at rest, HMAC-SM3 blind index for search."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from jisheng.core import crypto


class EncryptedTextField(models.BinaryField):  # type: ignore[type-arg]
    """Text stored as SM4-GCM ciphertext; only ``isnull`` lookups are possible.

    The encryption context defaults to ``app_label.Model.field`` and is fixed at
    first migration: pass ``context=`` explicitly before renaming a model or field,
    or old rows stop decrypting.
    """

    description = "Encrypted text"

    def __init__(self, *args: Any, context: str | None = None, **kwargs: Any) -> None:
        self.context = context
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = True
        super().__init__(*args, **kwargs)

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only)
        if self.context is None:
            self.context = f"{cls._meta.label}.{name}"

    @property
    def column_context(self) -> str:
        """Associated data binding ciphertexts to this column."""
        return self.context or f"{self.model._meta.label}.{self.name}"

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        if self.context is not None and self.context != f"{self.model._meta.label}.{self.name}":
            kwargs["context"] = self.context
        return name, path, args, kwargs

    def from_db_value(
        self,
        value: bytes | memoryview | None,
        expression: Expression,
        connection: BaseDatabaseWrapper,
    ) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(bytes(value), context=self.column_context)

    def to_python(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return crypto.decrypt(bytes(value), context=self.column_context)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = crypto.encrypt(value, context=self.column_context)
        return super().get_db_prep_value(value, connection, prepared)

    def value_to_string(self, obj: models.Model) -> str:
        return str(self.value_from_object(obj) or "")

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertexts are randomised: any lookup but isnull would silently match nothing.
        if lookup_name != "isnull":
            raise TypeError(
                f"Encrypted fields cannot be searched with '{lookup_name}'; use the blind index"
            )
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.CharField(required=not self.blank, **kwargs)


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """Keyed digest of another field's normalised value, kept in step on every save."""

    def __init__(
        self,
        *args: Any,
        source: str,
        normalize: Callable[[str], str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.normalize = normalize
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def digest(self, value: str | None) -> str:
        """The digest stored for ``value`` (empty for no value); use it to build lookups."""
        if value and self.normalize is not None:
            value = self.normalize(value)
        if not value:  # also what normalises to nothing, such as blanks
            return ""
        return crypto.blind_index(value, context=self._context)

    @cached_property
    def _context(self) -> str:
        # Read on the first digest, once the model is set up (not at class creation).
        source_field = self.model._meta.get_field(self.source)
        return getattr(source_field, "context", None) or f"{self.model._meta.label}.{self.source}"

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class DerivedCharField(models.CharField):  # type: ignore[type-arg]
    """Text computed from another field of the same row on every save and ``bulk_create``,
    so no way of creating a row can leave it stale or empty."""

    def __init__(
        self,
        *args: Any,
        source: str,
        derive: Callable[[str], str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.source = source
        # Not part of the migration state (like BlindIndexField.normalize): a historical
        # model has no ``derive`` and keeps the value it was given.
        self.derive = derive
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        if self.derive is None:
            return str(getattr(model_instance, self.attname))
        value = self.derive(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
