"""Reads that every request makes before its view (the session, the user), compiled to SQL
once instead of on every request: compiling such a query cost several times running it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

from jisheng.core.scope import scope_key

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
        _reuse(compiler, filtered, sql, lambda: compiled.params)
        return compiled


def _reuse(
    compiler: SQLCompiler, queryset: QuerySet[Any], sql: str, params: Callable[[], tuple[Any, ...]]
) -> None:
    """Make every copy of ``queryset`` run ``sql`` with ``params()`` through ``compiler``."""
    # The compiler, set up once, answers every later run: its SQL with that run's values.
    # Query.clone copies these two onto every copy of the queryset.
    compiler.as_sql = lambda *args, **kwargs: (sql, params())  # type: ignore[method-assign]
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
    queryset.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]


# Stand-ins for the ids a PreparedRows read is compiled with, found again in its parameters.
_STAND_IN = -(2**62)
# Compiled reads kept per thread and PreparedRows: one per user scope seen, up to this many.
_KEPT = 256


@dataclass
class _CompiledRows:
    connection: BaseDatabaseWrapper
    queryset: QuerySet[Any, Any]
    # Per parameter of the SQL: the index of the id it takes, or None for a fixed value.
    slots: tuple[int | None, ...]
    fixed: tuple[Any, ...]
    params: tuple[Any, ...] = ()
    # The queryset can have no rows, whatever the ids (``none()``, an empty scope).
    empty: bool = False


class PreparedRows[R]:
    """The rows of ``build(user, *ids)``, from SQL compiled once per thread, database and
    user scope (``core.scope.scope_key``), then run with each call's ids.

    ``build`` takes the ids as plain values only (``pk=``, ``child=``, ``pk__gt=``,
    ``__in=[a, b]``): the first call for a scope compiles it with stand-in ids and finds them
    among the SQL's parameters; an id used any other way is refused then
    (ImproperlyConfigured). ``user`` is the one whose scope ``build`` applies (None if none).
    """

    def __init__(self, build: Callable[..., QuerySet[Any, R]]) -> None:
        self.build = build
        self._compiled = threading.local()

    def all(self, user: Any, *ids: int) -> list[R]:
        key = (scope_key(user), len(ids))
        kept: dict[Any, _CompiledRows] | None = getattr(self._compiled, "kept", None)
        if kept is None or len(kept) > _KEPT:
            kept = self._compiled.kept = {}
        compiled = kept.get(key)
        if compiled is None or compiled.connection is not connections[compiled.queryset.db]:
            compiled = kept[key] = self._compile(user, len(ids))
        if compiled.empty:
            return []
        compiled.params = tuple(
            fixed if slot is None else ids[slot]
            for fixed, slot in zip(compiled.fixed, compiled.slots, strict=True)
        )
        # A fresh copy: a queryset keeps its rows, and each call runs the query again.
        return list(compiled.queryset.all())

    def _compile(self, user: Any, count: int) -> _CompiledRows:
        stand_ins = [_STAND_IN - index for index in range(count)]
        queryset = self.build(user, *stand_ins)
        compiler: SQLCompiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _CompiledRows(connections[queryset.db], queryset, (), (), empty=True)
        slots = tuple(stand_ins.index(p) if p in stand_ins else None for p in params)
        if set(stand_ins) - set(params):
            raise ImproperlyConfigured("PreparedRows: an id is not a plain value of the SQL")
        compiled = _CompiledRows(connections[queryset.db], queryset, slots, tuple(params))
        _reuse(compiler, queryset, sql, lambda: compiled.params)
        return compiled
