"""Database helpers that both engines share: housekeeping after bulk loads, plain-SQL rows,
and the append-only migration operation with its queryset guard."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, NoReturn

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.operations.base import Operation
from django.db.models import DEFERRED
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init


class AppendOnlyRows:
    """QuerySet mixin for an append-only table: bulk ``update()`` and ``delete()`` refused.

    The database triggers (:class:`AppendOnly`) are the guarantee; this makes the mistake
    fail at once in Python with ``refusal`` as the message. Put it before the QuerySet base:
    ``class MoveQuerySet(AppendOnlyRows, ScopedQuerySet["StockMove"])``.
    """

    refusal: ClassVar[str] = "This table is append-only"

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError(self.refusal)

    def delete(self) -> NoReturn:
        raise PermissionError(self.refusal)


def refresh_planner_statistics(*tables: str) -> None:
    """Re-gather the statistics the query planner uses, after a bulk load changed them.

    Without them SQLite picks the scope index over the name index for prefix searches
    on a large table (seconds instead of milliseconds); PostgreSQL's autovacuum would
    get there, but only later.
    """
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Plain multi-row insert of prepared values: COPY on PostgreSQL, executemany otherwise."""
    if not rows:
        return
    target = f"{connection.ops.quote_name(table)} ({_quoted(columns)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own COPY, with its errors turned into Django's as for any query.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            # Table and column names come from the models, quoted; values are parameters.
            cursor.executemany(f"INSERT INTO {target} VALUES ({placeholders})", rows)  # noqa: S608


def insert_rows_returning_ids(
    table: str, pk_column: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """:func:`insert_rows` for a table with an auto-increment key; returns the new ids in row
    order, without a RETURNING per row."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The sequence is looked up once (materialized), not once per id.
            cursor.execute(
                "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
                "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
                [table, pk_column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        insert_rows(
            table, [pk_column, *columns], [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        )
        return ids
    insert_rows(table, columns, rows)
    # Within one statement of a writing transaction SQLite hands out consecutive rowids.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_insert_rowid()")
        last = int(cursor.fetchone()[0])
    return list(range(last - len(rows) + 1, last + 1))


Converter = Callable[[Any, Any, Any], Any]


class ModelRows[M: models.Model]:
    """Instances of a model read by hand-written SQL on one connection, as the ORM builds them.

    ``select`` lists the columns of ``fields`` (names; all concrete fields by default)
    under ``alias``; :meth:`instance` applies the converters the ORM would (dates on
    SQLite, decryption, …) and builds the instance as ``Model.from_db`` does, so the
    other fields load on access, as after ``only()``.
    """

    def __init__(
        self,
        model: type[M],
        *,
        db: BaseDatabaseWrapper,
        alias: str,
        fields: Iterable[str] | None = None,
    ) -> None:
        concrete = list(model._meta.concrete_fields)
        wanted = {f.name for f in concrete} if fields is None else set(fields)
        if unknown := wanted - {f.name for f in concrete}:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        chosen = [f for f in concrete if f.name in wanted]
        quote = db.ops.quote_name
        self.model = model
        self.db = db
        self.width = len(chosen)
        self.attnames = [f.attname for f in concrete]
        self.chosen_attnames = [f.attname for f in chosen]
        self.select = ", ".join(f"{quote(alias)}.{quote(str(f.column))}" for f in chosen)
        # Full-width rows for from_db: a selected column's value goes to its field's slot.
        self.blank: list[Any] = [DEFERRED] * len(concrete)
        self.slots = [concrete.index(f) for f in chosen]
        self.converters: list[tuple[int, Any, list[Converter]]] = []
        for position, field_ in enumerate(chosen):
            column = field_.get_col(alias)
            found = db.ops.get_db_converters(column) + column.get_db_converters(db)
            if found:
                self.converters.append((position, column, found))
        # Model.__init__ only stores the loaded values in the instance's __dict__ (and sends
        # signals), unless a field's attribute intercepts assignment: then it is needed. A
        # foreign key's id attribute does, but on a new instance it only stores the value.
        self.plain = model.__init__ is models.Model.__init__ and not any(
            hasattr(descriptor, "__set__")
            and not isinstance(descriptor, ForeignKeyDeferredAttribute)
            for descriptor in (getattr(model, attname, None) for attname in self.chosen_attnames)
        )

    def instance(self, values: Sequence[Any]) -> M:
        values = list(values)
        for position, column, converters in self.converters:
            value = values[position]
            for convert in converters:
                value = convert(value, column, self.db)
            values[position] = value
        if (
            not self.plain
            or pre_init.has_listeners(self.model)
            or post_init.has_listeners(self.model)
        ):
            row = self.blank.copy()
            for slot, value in zip(self.slots, values, strict=True):
                row[slot] = value
            return self.model.from_db(self.db.alias, self.attnames, row)
        # What from_db and __init__ leave behind, without their per-field loop: this is on
        # the path of every lookup by ID number.
        instance = self.model.__new__(self.model)
        state = ModelState()
        state.adding = False
        state.db = self.db.alias
        attributes = instance.__dict__
        attributes["_state"] = state
        attributes.update(zip(self.chosen_attnames, values, strict=True))
        return instance


class AppendOnly(Operation):
    """Migration operation: the database itself refuses UPDATE (and optionally DELETE) of
    a table's rows, by a trigger on SQLite and PostgreSQL.

    ``AppendOnly("audit_auditevent", message="audit trail is append-only")`` blocks
    updates; ``block=("UPDATE", "DELETE")`` blocks deletes too (a table that must still be
    flushed by test databases should not block DELETE).
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str, *, message: str, block: Sequence[str] = ("UPDATE",)) -> None:
        unknown = set(block) - {"UPDATE", "DELETE"}
        if unknown or not block:
            raise ValueError(f"AppendOnly blocks UPDATE and/or DELETE, not {sorted(unknown)}")
        if "'" in message:
            raise ValueError("AppendOnly: the message may not contain a quote")
        self.table = table
        self.message = message
        self.block = tuple(block)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__name__,
            [self.table],
            {"message": self.message, "block": self.block},
        )

    def describe(self) -> str:
        return f"Refuse {' and '.join(self.block)} on {self.table}"

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # triggers are not part of the model state

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for sql in self.forwards_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for sql in self.backwards_sql(schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def _names(self, statement: str) -> tuple[str, str]:
        verb = statement.lower()
        return f"{self.table}_no_{verb}", f"{self.table}_refuse_{verb}"

    def forwards_sql(self, vendor: str) -> list[str]:
        """The statements that install the triggers on ``vendor`` (none on other engines)."""
        statements: list[str] = []
        for statement in self.block:
            trigger, function = self._names(statement)
            if vendor == "sqlite":
                statements.append(
                    f"CREATE TRIGGER {trigger} BEFORE {statement} ON {self.table} "
                    f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END"
                )
            elif vendor == "postgresql":
                statements += [
                    f"CREATE FUNCTION {function}() RETURNS trigger AS $$ "
                    f"BEGIN RAISE EXCEPTION '{self.message}'; END; $$ LANGUAGE plpgsql",
                    f"CREATE TRIGGER {trigger} BEFORE {statement} ON {self.table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {function}()",
                ]
        return statements

    def backwards_sql(self, vendor: str) -> list[str]:
        """The statements that remove the triggers again."""
        statements: list[str] = []
        for statement in self.block:
            trigger, function = self._names(statement)
            if vendor == "sqlite":
                statements.append(f"DROP TRIGGER IF EXISTS {trigger}")
            elif vendor == "postgresql":
                statements += [
                    f"DROP TRIGGER IF EXISTS {trigger} ON {self.table}",
                    f"DROP FUNCTION IF EXISTS {function}()",
                ]
        return statements
