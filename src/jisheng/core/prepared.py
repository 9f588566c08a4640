"""Reads that every request makes before its view (the session, the user), compiled to SQL
once instead of on every request: compiling such a query cost several times running it."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

from jisheng.core.roles import Capability
from jisheng.core.scope import scope_key

type Params = tuple[Any, ...] | dict[str, Any]

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
        if queryset.query.select_for_update and connection.get_autocommit():
            # Django refuses this while compiling, which runs once here: the check is made on
            # every call (on SQLite too, where Django skips it, so tests catch such a caller).
            # Outside a transaction the lock would end with the statement.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
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
    compiler: SQLCompiler, queryset: QuerySet[Any], sql: str, params: Callable[[], Params]
) -> None:
    """Make every copy of ``queryset`` run ``sql`` with ``params()`` through ``compiler``."""
    # The compiler, set up once, answers every later run: its SQL with that run's values.
    # Query.clone copies these two onto every copy of the queryset.
    compiler.as_sql = lambda *args, **kwargs: (sql, params())  # type: ignore[method-assign, assignment]
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


# A positional placeholder, or an escaped percent sign, in compiled SQL.
_PLACEHOLDER = re.compile("%s|%%")
# Stand-ins for the ids a PreparedRows read is compiled with, found again in its parameters.
_STAND_IN = -(2**62)
# Compiled reads kept per thread and PreparedRows: one per user scope seen, up to this many
# (a few dozen kilobytes each); past it the scope used longest ago is dropped.
_KEPT = 64


class _ScopeOnly:
    """The user as a ``PreparedRows`` build sees it: only what ``scope_key`` holds (whether
    signed in and active, capabilities, units; the id only where the scope names the user).
    Anything else of the user would be compiled into SQL that every user of the same scope
    reuses, so reading it is refused."""

    def __init__(self, user: Any) -> None:
        self._user = user
        self.is_authenticated = bool(getattr(user, "is_authenticated", False))
        self.is_active = self.is_authenticated and bool(user.is_active)

    def has_capability(self, capability: Capability) -> bool:
        return bool(self.is_active and self._user.has_capability(capability))

    def scope_unit_ids(self) -> list[int]:
        return list(self._user.scope_unit_ids())

    @property
    def role_set(self) -> frozenset[Any]:
        return frozenset(self._user.role_set)

    @property
    def pk(self) -> int:
        # scope_key holds the id of a partner reporter only: their scope is their own records.
        if not self.has_capability(Capability.REPORT_AS_PARTNER):
            raise ImproperlyConfigured("PreparedRows: a build reads the user's id")
        return int(self._user.pk)

    def __getattr__(self, name: str) -> Any:
        raise ImproperlyConfigured(f"PreparedRows: a build reads the user's {name!r}")


@dataclass
class _CompiledRows:
    connection: BaseDatabaseWrapper
    queryset: QuerySet[Any, Any]
    # Per parameter of the SQL: the index of the id it takes, or None for a fixed value.
    slots: tuple[int | None, ...]
    fixed: tuple[Any, ...]
    # SQLite's: by name (``%(p0)s``), which Django's cursor turns into its own placeholders by
    # formatting, not with a regular expression over the whole query on every run.
    named: bool = False
    params: Params = ()
    # The queryset can have no rows, whatever the ids (``none()``, an empty scope).
    empty: bool = False


class PreparedRows[R]:
    """The rows of ``build(user, *ids)``, from SQL compiled once per thread, database and
    user scope (``core.scope.scope_key``), then run with each call's ids.

    ``build`` reads the user only through ``visible_to(user)`` / ``counted_for(user)``: users
    who share a scope share the compiled SQL. It takes the ids as plain values only (``pk=``,
    ``child=``, ``pk__gt=``, ``__in=[a, b]``): the first call for a scope compiles it with
    stand-in ids and finds them among the SQL's parameters; an id used any other way is
    refused then (ImproperlyConfigured). ``user`` is None when ``build`` applies no scope.
    """

    def __init__(self, build: Callable[..., QuerySet[Any, R]]) -> None:
        self.build = build
        self._compiled = threading.local()

    def all(self, user: Any, *ids: int) -> list[R]:
        key = (scope_key(user), len(ids))
        kept: OrderedDict[Any, _CompiledRows] | None = getattr(self._compiled, "kept", None)
        if kept is None:
            kept = self._compiled.kept = OrderedDict()
        compiled = kept.get(key)
        if compiled is None or compiled.connection is not connections[compiled.queryset.db]:
            compiled = kept[key] = self._compile(user, len(ids))
            if len(kept) > _KEPT:
                kept.popitem(last=False)  # the scope used longest ago
        kept.move_to_end(key)
        if compiled.empty:
            return []
        values = [
            fixed if slot is None else ids[slot]
            for fixed, slot in zip(compiled.fixed, compiled.slots, strict=True)
        ]
        compiled.params = (
            {f"p{index}": value for index, value in enumerate(values)}
            if compiled.named
            else tuple(values)
        )
        # The queryset's own iterable, as iterating a copy of it would: no copy, no rows kept.
        queryset = compiled.queryset
        return list(cast("Iterable[R]", queryset._iterable_class(queryset)))

    def _compiles_with(self, user: Any, ids: list[int]) -> bool:
        queryset = self.build(_scoped(user), *ids)
        try:
            queryset.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:
            return False
        return True

    def _compile(self, user: Any, count: int) -> _CompiledRows:
        stand_ins = [_STAND_IN - index for index in range(count)]
        queryset = self.build(_scoped(user), *stand_ins)
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise ImproperlyConfigured("PreparedRows: no prefetch_related (rows are not cached)")
        compiler: SQLCompiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            # Empty whatever the ids, unless it is the stand-ins that empty it: a column too
            # narrow for them (an IntegerField) makes Django answer "no rows" without SQL.
            if self._compiles_with(user, [index + 1 for index in range(count)]):
                raise ImproperlyConfigured(
                    "PreparedRows: an id goes to a column too narrow for its stand-in"
                ) from None
            return _CompiledRows(connections[queryset.db], queryset, (), (), empty=True)
        slots = tuple(stand_ins.index(p) if p in stand_ins else None for p in params)
        if set(stand_ins) - set(params):
            raise ImproperlyConfigured("PreparedRows: an id is not a plain value of the SQL")
        connection = connections[queryset.db]
        named = connection.vendor == "sqlite"
        if named:
            names = iter(range(len(params)))
            sql = _PLACEHOLDER.sub(
                lambda found: f"%(p{next(names)})s" if found.group() == "%s" else "%%", sql
            )
        compiled = _CompiledRows(connection, queryset, slots, tuple(params), named)
        _reuse(compiler, queryset, sql, lambda: compiled.params)
        return compiled


def _scoped(user: Any) -> Any:
    return None if user is None else _ScopeOnly(user)
