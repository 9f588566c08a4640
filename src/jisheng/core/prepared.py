"""Reads that every request makes before its view (the session, the user), compiled to SQL
once instead of on every request: compiling such a query cost several times running it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

# Lookups whose value goes into the SQL as the field's own database value, unchanged.
PLAIN_LOOKUPS = frozenset({"exact", "gt", "gte", "lt", "lte"})


@dataclass
class _Compiled:
    connection: BaseDatabaseWrapper
    queryset: QuerySet[Any]
    params: tuple[Any, ...]


class Prepared[M: models.Model]:
    """``queryset().filter(<lookups>=values).first()``, without ordering: the same object
    (select_related, converters and all) from SQL compiled on the first call in each thread
    and database, then run with each call's values."""

    def __init__(self, queryset: Callable[[], QuerySet[M]], *lookups: str) -> None:
        self.queryset = queryset
        self.lookups = lookups
        self._compiled = threading.local()

    def first(self, *values: Any) -> M | None:
        queryset = self.queryset()
        connection = connections[queryset.db]
        params = self._params(queryset.model, connection, values)
        compiled: _Compiled | None = getattr(self._compiled, queryset.db, None)
        if compiled is None or compiled.connection is not connection:
            compiled = self._compile(queryset, connection, values, params)
            setattr(self._compiled, queryset.db, compiled)
        compiled.params = params
        # A fresh copy: a queryset keeps its rows, and each call runs the query again.
        return next(iter(compiled.queryset.all()), None)

    def _params(
        self, model: type[M], connection: BaseDatabaseWrapper, values: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        params = []
        for lookup, value in zip(self.lookups, values, strict=True):
            name, _, kind = lookup.partition("__")
            if kind and kind not in PLAIN_LOOKUPS:
                raise ImproperlyConfigured(f"Prepared: {lookup!r} is not a plain comparison")
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            assert isinstance(field, models.Field)  # noqa: S101 -- a column, not a relation's reverse
            params.append(field.get_db_prep_value(value, connection))
        return tuple(params)

    def _compile(
        self,
        queryset: QuerySet[M],
        connection: BaseDatabaseWrapper,
        values: tuple[Any, ...],
        params: tuple[Any, ...],
    ) -> _Compiled:
        filtered = queryset.order_by()
        for lookup, value in zip(self.lookups, values, strict=True):
            # One at a time: filter(**kwargs) would put them, and the values, in name order.
            filtered = filtered.filter(**{lookup: value})
        filtered = filtered[:1]
        compiler: SQLCompiler = filtered.query.get_compiler(queryset.db)
        sql, compiled_params = compiler.as_sql()
        if tuple(compiled_params) != params:
            raise ImproperlyConfigured(f"Prepared: the SQL of {self.lookups} takes other values")
        compiled = _Compiled(connection, filtered, params)
        # The compiler, set up once, answers every later run: its SQL with that run's values.
        # Query.clone copies these two onto every copy of the queryset made in first().
        compiler.as_sql = lambda *args, **kwargs: (sql, compiled.params)  # type: ignore[method-assign]
        # Its columns never change either, so neither do their value converters, which Django
        # looks up per column, field and backend on every run.
        looked_up = compiler.get_converters
        known: dict[tuple[int, ...], Any] = {}

        def converters(expressions: list[Any]) -> Any:
            key = tuple(map(id, expressions))
            if key not in known:
                known[key] = looked_up(expressions)
            return known[key]

        compiler.get_converters = converters  # type: ignore[method-assign]
        filtered.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        return compiled
