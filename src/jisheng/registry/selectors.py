"""Registry reads, always through the user's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, cast
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import Expression, Func, RawSQL
from django.db.models.functions import Collate, Lower
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.choices import labels
from jisheng.core.dates import Lifetime, add_months
from jisheng.core.db import ModelRows
from jisheng.core.errors import JishengError, NotFound
from jisheng.core.lookups import units_in_scope, visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.pages import Concatenated, by_unit, in_order
from jisheng.core.prepared import PreparedRows
from jisheng.core.scope import scope_of, scope_sql
from jisheng.registry.models import (
    DuplicateFlag,
    Household,
    HouseholdMember,
    LifeEvent,
    Marriage,
    NonResident,
    Person,
    ResidentStatus,
)
from jisheng.registry.names import looks_like_initials
from jisheng.registry.services.persons import id_number_digest


@dataclass(frozen=True)
class PersonFilters:
    """Search terms for residents; ``name`` also matches pinyin initials (``zsm``)."""

    name: str = ""
    id_number: str = ""
    household: str = ""
    address: str = ""
    community_id: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    status: str = ""
    # "YYYY-MM": born here in that month (a standing birth event), as a births chart counts.
    born_in: str = ""

    def as_audit_detail(self) -> dict[str, object]:
        """What was searched for, without the searched values that identify a person."""
        return {
            "name": bool(self.name),
            "id_number": bool(self.id_number),
            "household": bool(self.household),
            "address": bool(self.address),
            "community": self.community_id,
            "age": [self.age_min, self.age_max],
            "status": self.status,
            "born_in": self.born_in,
        }

    def is_id_number_only(self) -> bool:
        """A search by ID number and nothing else: the exact lookup serves it."""
        return bool(self.id_number) and all(
            getattr(self, name) == default for name, default in _OTHER_FILTERS
        )


_OTHER_FILTERS = tuple((f.name, f.default) for f in fields(PersonFilters) if f.name != "id_number")


def _birth_date_bound(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _prefix[M: Model](
    rows: QuerySet[M], column: str | Func, prefix: str, *, alias: str = "prefix_key"
) -> QuerySet[M]:
    """``column`` starts with ``prefix``, ordered by it, in a form an index serves (under
    ``alias``: two ranges over one model combined by ``|`` need two names).

    A code-point range, not LIKE: SQLite cannot use an index for Django's LIKE … ESCAPE,
    and PostgreSQL's collation may order Chinese by pinyin. On PostgreSQL the column is
    compared and ordered under the "C" collation, which an expression index covers
    (migrations 0004, 0012 and 0014); SQLite compares by code point already.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    key: Func | F
    if connection.vendor == "postgresql":
        key = Collate(column, "C")
    else:
        key = column if isinstance(column, Func) else F(column)
    # The stubs type alias() as a queryset of any model; it is one of ``rows``'s.
    aliased = cast("QuerySet[M]", rows.alias(**{alias: key}))
    bounds = {f"{alias}__gte": prefix, f"{alias}__lt": upper}
    return aliased.filter(**bounds).order_by(key.asc(), "id")


# A trigram index finds only text of at least three characters.
TRIGRAM = 3
# The FTS5 trigram table over a table's address (SQLite only): registry_person's
# (migration 0008) and registry_household's (migration 0012).
_ADDRESS_FTS = "{table}_address_fts"
# The FTS5 table of the address's one- and two-character pieces (SQLite only, migration 0013).
_ADDRESS_PIECES = "{table}_address_pieces"
# On SQLite, a search whose text is in more addresses than this (in the whole table) reads the
# list in its own order and lets LIKE decide: matches that common stop the capped count and
# the page early, where gathering every candidate from the index first does not (the street's
# name, in all 1,000,000 residents' addresses: 650 ms through the trigram table). Fewer
# matches are gathered from the index (a two-character search that matched nobody read every
# resident: 250 ms). Measured in bench/README.md ("How the lists stay flat").
COMMON_MATCHES = 20_000


class _AddressHasPiece(Expression):
    """The row's address has ``text`` among its one- and two-character pieces
    (PostgreSQL's ``address_grams``, a generated column the model does not declare:
    registry_person's, migration 0008, and registry_household's, migration 0012).

    The column is qualified with the alias the query gives the table, whatever it is
    (another one when the list is used inside a subquery), not a hard-coded table name.
    """

    output_field = BooleanField()

    def __init__(self, text: str, alias: str = "") -> None:
        super().__init__()
        self.text = text
        self.alias = alias

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: Any = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> _AddressHasPiece:
        return _AddressHasPiece(self.text, query.get_initial_alias())

    def relabeled_clone(self, change_map: Mapping[str, str]) -> _AddressHasPiece:
        return _AddressHasPiece(self.text, change_map.get(self.alias, self.alias))

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str]]:
        table = compiler.quote_name(self.alias)
        return f'{table}."address_grams" @> ARRAY[%s]::text[]', (self.text,)


def _address_contains[M: Model](rows: QuerySet[M], text: str) -> QuerySet[M]:
    """Rows (residents or households) whose address contains ``text``: the set Django's
    ``contains`` finds.

    PostgreSQL serves the LIKE itself through a pg_trgm GIN index, and text shorter than a
    trigram through a GIN index over the addresses' one- and two-character pieces
    (migrations 0008 and 0012). SQLite cannot use an index for LIKE '%…%', so an FTS5 table
    narrows it to candidates first: the trigram table for three characters or more (a phrase
    match, case-folded), the table of pieces for shorter text (migration 0013); neither finds
    fewer rows than LIKE. Unless the text is common (``COMMON_MATCHES``): then the list's
    order and its capped count stop the LIKE early. In every case the LIKE itself decides.
    """
    rows = rows.filter(address__contains=text)
    if connection.vendor == "postgresql" and len(text) < TRIGRAM:
        # A GIN index over every one- and two-character piece (migrations 0008, 0012).
        rows = rows.filter(_AddressHasPiece(text))
    if connection.vendor == "sqlite":
        table = rows.model._meta.db_table
        if len(text) < TRIGRAM:
            index, match = _ADDRESS_PIECES.format(table=table), _short_piece_token(text)
        else:
            index, match = _ADDRESS_FTS.format(table=table), _fts_phrase(text)
        # A constant table name; the searched text is a parameter.
        candidates = f"SELECT rowid FROM {index} WHERE {index} MATCH %s"  # noqa: S608
        with connections[rows.db].cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM ({candidates} LIMIT %s)",  # noqa: S608
                (match, COMMON_MATCHES),
            )
            (matches,) = cursor.fetchone()
        if matches < COMMON_MATCHES:
            rows = rows.filter(pk__in=RawSQL(candidates, (match,)))  # noqa: S611
    return rows


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _short_piece_token(text: str) -> str:
    """The token migration 0013 stores for a one- or two-character piece of an address: the
    hex of its UTF-8 bytes, ASCII letters folded as SQLite's lower() and LIKE fold them."""
    folded = "".join(char.lower() if char.isascii() else char for char in text)
    return folded.encode().hex().upper()


def person_list(*, user: User, filters: PersonFilters) -> QuerySet[Person]:
    """Residents in scope matching the filters; lists show only masked numbers."""
    persons: QuerySet[Person] = (
        Person.objects.visible_to(user).select_related("community").defer("id_number", "phone")
    )
    ordered_by_prefix = bool(filters.name)
    if filters.name:
        if looks_like_initials(filters.name):
            persons = _prefix(persons, "name_initials", filters.name.lower())
        else:
            persons = _prefix(persons, "name", filters.name)
    if filters.id_number:
        persons = persons.filter(id_number_index=id_number_digest(filters.id_number))
    if filters.household:
        persons = persons.filter(
            memberships__end_date__isnull=True, memberships__household__number=filters.household
        )
    if filters.address:
        persons = _address_contains(persons, filters.address)
    if filters.community_id:
        persons = persons.filter(community_id=filters.community_id)
    today = timezone.localdate()
    born: dict[str, dt.date] = {}  # lookup: bound
    if filters.age_min is not None:
        born["lte"] = _birth_date_bound(today, filters.age_min)
    if filters.age_max is not None:
        born["gt"] = _birth_date_bound(today, filters.age_max + 1)
    if filters.born_in:
        first = dt.date(int(filters.born_in[:4]), int(filters.born_in[5:7]), 1)
        births = LifeEvent.objects.filter(
            person=OuterRef("pk"),
            kind=LifeEvent.Kind.BIRTH,
            reversed_by__isnull=True,
            date__gte=first,
            date__lt=add_months(first, 1),
        )
        persons = persons.filter(Exists(births))
    # Voided records and family members who are not residents are no residents to count or
    # list; a search by status finds them.
    persons = (
        persons.filter(status=filters.status)
        if filters.status
        else persons.exclude(status__in=[ResidentStatus.VOIDED, ResidentStatus.NON_RESIDENT])
    )
    if born:
        persons = _born_between(persons, born, by_name=not ordered_by_prefix)
    if filters.id_number:
        # At most one row: order by the key alone, so the planner keeps to the blind index.
        return persons.order_by("pk")
    return persons if ordered_by_prefix else persons.order_by("name", "id")


# An age range matching more residents than this is read in the list's name order on SQLite.
COMMON_AGES = 8_000


class _Unindexed(Func):
    """SQLite's unary plus: the same value, but a condition on it is never served by an
    index (sqlite.org/optoverview.html, "Disqualifying WHERE clause terms")."""

    template = "+%(expressions)s"


def _born_between(
    persons: QuerySet[Person], born: dict[str, dt.date], *, by_name: bool
) -> QuerySet[Person]:
    """``persons`` with a birth date within ``born`` (an age range: lookup and bound).

    Without statistics of the dates' spread, SQLite always takes the birth-date index for a
    range and sorts every match by name for a page of 50: a five-year cohort of the street
    at 1,000,000 residents (47,037 people) took 116 ms. Counted up to ``COMMON_AGES`` first
    (1-5 ms), a range that common is read in name order instead and filtered (10 ms); a
    rarer one keeps the index (1,468 people born before 1930: 9 ms, 119 ms in name order).
    PostgreSQL's planner knows the spread and chooses by itself.
    """
    ranged = persons.filter(**{f"birth_date__{lookup}": bound for lookup, bound in born.items()})
    if connection.vendor != "sqlite" or not by_name:
        return ranged
    if ranged.order_by().values("pk")[:COMMON_AGES].count() < COMMON_AGES:
        return ranged
    unindexed = persons.alias(birth_key=_Unindexed(F("birth_date"), output_field=DateField()))
    return unindexed.filter(**{f"birth_key__{lookup}": bound for lookup, bound in born.items()})


def person_search(*, user: User, filters: PersonFilters) -> QuerySet[Person] | list[Person]:
    """What the resident list shows, on the page and in the API alike: a search by ID number
    alone is the exact lookup (at most one resident); any other search is ``person_list``."""
    if filters.is_id_number_only():
        found = person_find_by_id_number(user=user, id_number=filters.id_number)
        # As ``person_list``: family members who are not residents are no residents to list.
        listed = found is not None and found.status != ResidentStatus.NON_RESIDENT
        return [found] if listed and found is not None else []
    # Only the columns a row shows (as the lookup by ID number gives): building 50 whole
    # residents and communities per page cost more than the page's queries.
    unit_fields = [f"community__{name}" for name in LIST_UNIT_FIELDS]
    return person_list(user=user, filters=filters).only(*LIST_FIELDS, *unit_fields)


# The status as a plain str: drivers bind it faster than a choices member.
VOIDED = str(ResidentStatus.VOIDED)
# What a row of the resident list shows, on the page and in the API.
LIST_FIELDS = (
    "id",
    "community",
    "name",
    "sex",
    "birth_date",
    "id_number_masked",
    "address",
    "status",
    "is_floating",
)
LIST_UNIT_FIELDS = ("id", "name", "code")


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A resident as a row of the resident list shows them, read as values: built as model
    objects (resident and community), a page's 50 rows cost more than the page's queries."""

    pk: int
    name: str
    is_floating: bool
    sex_label: str  # get_sex_display()
    birth_date: dt.date
    id_number_masked: str
    address: str
    community_name: str  # str(community)
    status_label: str  # get_status_display()

    @classmethod
    def of(cls, person: Person) -> PersonRow:
        """The row of a resident already read (the lookup by ID number), as ``person_rows``
        reads it."""
        return cls(
            pk=person.pk,
            name=person.name,
            is_floating=person.is_floating,
            sex_label=person.get_sex_display(),
            birth_date=person.birth_date,
            id_number_masked=person.id_number_masked,
            address=person.address,
            community_name=person.community.name,
            status_label=person.get_status_display(),
        )


_PERSON_ROW_VALUES = (
    "pk",
    "name",
    "is_floating",
    "sex",
    "birth_date",
    "id_number_masked",
    "address",
    "community__name",
    "status",
)


def person_rows(*, user: User, ids: Sequence[int]) -> list[PersonRow]:
    """The resident list's rows of these residents in the user's scope, in the order of
    ``ids``; ids outside the scope give no row."""
    sexes, statuses = labels(Person, "sex"), labels(Person, "status")
    found = Person.objects.visible_to(user).filter(pk__in=ids)
    rows = (
        PersonRow(
            pk=pk,
            name=name,
            is_floating=is_floating,
            # A value without a label shows as itself, as get_FOO_display shows it.
            sex_label=sexes.get(sex, sex),
            birth_date=birth_date,
            id_number_masked=masked,
            address=address,
            community_name=community,
            status_label=statuses.get(status, status),
        )
        for pk, name, is_floating, sex, birth_date, masked, address, community, status in (
            found.values_list(*_PERSON_ROW_VALUES)
        )
    )
    return in_order(rows, list(ids))


def person_find_by_id_number(*, user: User, id_number: str) -> Person | None:
    """The resident with this ID number in the user's scope, voided records aside, else None.

    What ``person_list(filters=PersonFilters(id_number=…)).first()`` finds, as one
    hand-written query on the blind index: looking a resident up by ID number is the
    registry's most frequent read, and building that query through the ORM cost fifty
    times the indexed read itself. The scope condition is the one ``visible_to`` applies
    (``core.scope``). The resident comes with the list's columns and its community's
    name and code; other fields load on access, as after ``only()``.
    """
    scope = scope_of(Person.scope_rule, user)
    digest = id_number_digest(id_number)
    if scope.nothing or not digest:
        return None
    db = connections[DEFAULT_DB_ALIAS]
    lookup = _person_lookup(db)
    condition, params = scope_sql(Person, scope, alias="p")
    sql, names = lookup.with_scope(condition, len(params))
    values = dict(zip(names, params, strict=True), digest=digest, voided=VOIDED)
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return None
    width = lookup.persons.width
    person = lookup.persons.instance(row[:width])
    Person.community.field.set_cached_value(person, lookup.units.instance(row[width:]))
    return person


def person_by_id_number(*, user: User, id_number: str) -> Person:
    """The resident with this ID number in the user's scope; a refusal naming no one otherwise."""
    person = person_find_by_id_number(user=user, id_number=id_number)
    if person is None:
        raise JishengError(
            _("No resident with this ID number is registered in your area."), code="unknown_person"
        )
    return person


def persons_by_ids(*, user: User, ids: list[int]) -> list[Person]:
    """The residents of ``ids`` in the user's scope; ids outside it are left out, unnamed."""
    return list(Person.objects.visible_to(user).filter(pk__in=ids))


@dataclass(frozen=True)
class _PersonLookup:
    persons: ModelRows[Person]
    units: ModelRows[OrgUnit]
    sql: str
    # Per scope condition: the whole query, and the names of the condition's parameters.
    scoped: dict[tuple[str, int], tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def build(cls, db: BaseDatabaseWrapper) -> _PersonLookup:
        persons = ModelRows(Person, db=db, alias="p", fields=LIST_FIELDS)
        units = ModelRows(OrgUnit, db=db, alias="c", fields=LIST_UNIT_FIELDS)
        quote = db.ops.quote_name

        def column(name: str) -> str:
            return f"p.{quote(str(Person._meta.get_field(name).column))}"  # type: ignore[union-attr]

        # Only model names are formatted in, quoted; the values are parameters.
        sql = (
            f"SELECT {persons.select}, {units.select} "  # noqa: S608
            f"FROM {quote(Person._meta.db_table)} p JOIN {quote(OrgUnit._meta.db_table)} c "
            f"ON c.{quote(str(OrgUnit._meta.pk.column))} = {column('community')} "
            f"WHERE {column('id_number_index')} = %(digest)s AND {column('status')} <> %(voided)s"
        )
        return cls(persons=persons, units=units, sql=sql)

    def with_scope(self, condition: str, count: int) -> tuple[str, tuple[str, ...]]:
        """The query with the scope condition, its ``%s`` turned into named parameters.

        Named parameters because Django's SQLite cursor turns ``%s`` into ``?`` with a
        regular expression over the whole query on every call, a fifth of the lookup's time.
        """
        key = (condition, count)
        found = self.scoped.get(key)
        if found is None:
            names = tuple(f"scope{index}" for index in range(count))
            named = condition % tuple(f"%({name})s" for name in names)
            found = self.scoped[key] = (f"{self.sql} AND {named}", names)
        return found


# Built once per connection object (connections are per thread; converters are bound to one).
_person_lookups: WeakKeyDictionary[BaseDatabaseWrapper, _PersonLookup] = WeakKeyDictionary()


def _person_lookup(db: BaseDatabaseWrapper) -> _PersonLookup:
    found = _person_lookups.get(db)
    if found is None:
        found = _person_lookups[db] = _PersonLookup.build(db)
    return found


def person_search_record(*, actor: Actor, filters: PersonFilters) -> None:
    """Every list or search is audited; the searched ID number itself is not written."""
    audit.record(
        action=Action.SEARCH,
        actor=actor,
        object_type="registry.person",
        detail=filters.as_audit_detail(),
    )


def household_search_record(*, actor: Actor) -> None:
    """A household search is audited like a resident search (the words searched are not)."""
    audit.record(action=Action.SEARCH, actor=actor, object_type="registry.household")


def person_masked(*, user: User, person_id: int) -> Person:
    """One person in scope (family members not living here included) without decrypting
    the ID number or phone; 404 otherwise."""
    return visible_or_404(
        Person.objects.select_related("community").defer("id_number", "phone"),
        user=user,
        pk=person_id,
    )


# The reads of a resident's page, its family view and a household's page, compiled once per
# user scope: building these queries through the ORM cost more than running them.
_PERSON = PreparedRows(
    lambda user, pk: Person.objects.visible_to(user).select_related("community").filter(pk=pk)
)
_PERSON_MASKED = PreparedRows(
    lambda user, pk: (
        Person.objects.visible_to(user)
        .select_related("community")
        .defer("id_number", "phone")
        .filter(pk=pk)
    )
)


def _one[R](rows: list[R]) -> R:
    if not rows:
        raise NotFound()
    return rows[0]


def person_detail(*, actor: Actor, person_id: int) -> Person:
    """One resident with decrypted fields; the view is audited before it is returned."""
    person = _one(_PERSON.all(actor.user, person_id))
    audit.record(action=Action.VIEW, actor=actor, obj=person)
    return person


def household_list(*, user: User, query: str = "") -> QuerySet[Household]:
    """Households in scope; ``query`` matches the number, the address, or the head's name
    or pinyin initials (their beginning)."""
    households: QuerySet[Household] = Household.objects.visible_to(user).select_related(
        "community", "head"
    )
    query = query.strip()
    if query:
        households = _household_matches(households, query)
    return households.order_by("community__code", "number", "id")


def _household_matches(households: QuerySet[Household], query: str) -> QuerySet[Household]:
    """``households`` whose number starts with ``query``, whose address contains it, or whose
    head's name (or initials) starts with it: an OR of three conditions on the household row
    alone, each of which an index serves (the number's prefix range, the address's trigram or
    piece index, the prefix range of the head's name the household holds: migration 0014),
    instead of an OR over a join to the head that read every household of a community and
    its head."""
    every = Household.objects.all()
    # SQLite's LIKE folds ASCII letters, and so does its lower(): the number's prefix there
    # is a range over lower(number), which an expression index serves (migration 0012).
    number = (
        _prefix(every, Lower("number"), query.lower())
        if connection.vendor == "sqlite"
        else _prefix(every, "number", query)
    )
    headed = (
        _prefix(every, "head_initials", query.lower(), alias="head_key")
        if looks_like_initials(query)
        else _prefix(every, "head_name", query, alias="head_key")
    )
    matches = number | headed | _address_contains(every, query)
    # The parts on every household, and the scope once, outside them (in each, it was
    # repeated three times).
    return households & matches


def household_pages(*, user: User, query: str = "") -> Concatenated[Household]:
    """``household_list`` in its order, for paging: the households of each unit in scope in
    the order of the units' codes, each unit's read in the order of its index (community,
    number, id), so a page never sorts a whole community's households."""
    households = household_list(user=user, query=query).order_by("number", "id")
    units = units_in_scope(Household, user).order_by("code").values_list("pk", flat=True)
    return by_unit(households, list(units))


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    """A household as a row of the household list shows it, read as values: built as model
    objects, each row was a household, its community and its head (a whole resident, the
    encrypted ID number and phone decrypted for nothing)."""

    pk: int
    number: str
    address: str
    community_name: str  # str(community)
    head_name: str | None  # str(head); None: no head


def household_rows(*, user: User, ids: Sequence[int]) -> list[HouseholdRow]:
    """The household list's rows of these households in the user's scope, in the order of
    ``ids``; ids outside the scope give no row."""
    found = Household.objects.visible_to(user).filter(pk__in=ids)
    rows = (
        HouseholdRow(
            pk=pk, number=number, address=address, community_name=community, head_name=head
        )
        # The head's name as the household holds it (migration 0014): no join to the head.
        for pk, number, address, community, head in found.values_list(
            "pk", "number", "address", "community__name", "head_name"
        )
    )
    return in_order(rows, list(ids))


_HOUSEHOLD = PreparedRows(lambda user, pk: household_list(user=user).filter(pk=pk))


def household_detail(*, actor: Actor, household_id: int) -> Household:
    """One household in scope, with its community and head; the view is audited."""
    household = _one(_HOUSEHOLD.all(actor.user, household_id))
    audit.record(action=Action.VIEW, actor=actor, obj=household)
    return household


def household_members(household: Household) -> QuerySet[HouseholdMember]:
    """Members, current ones first (NULL end dates sort differently per database)."""
    return (
        household.members.select_related("person")
        .defer("person__id_number", "person__phone")
        .order_by(F("end_date").asc(nulls_first=True), "relation", "person__birth_date")
    )


_MEMBERS = PreparedRows(lambda user, pk: household_members(Household(pk=pk)))
_CURRENT_MEMBERS = PreparedRows(
    lambda user, pk: household_members(Household(pk=pk)).filter(end_date__isnull=True)
)


def household_member_list(household: Household) -> list[HouseholdMember]:
    """``household_members`` as a list."""
    return _MEMBERS.all(None, household.pk)


def household_current_members(household: Household) -> list[HouseholdMember]:
    """The current members, in ``household_members``' order."""
    return _CURRENT_MEMBERS.all(None, household.pk)


_CURRENT_HOUSEHOLD = PreparedRows(
    lambda user, pk: (
        HouseholdMember.objects.filter(person=pk, end_date__isnull=True)
        .select_related("household")
        .order_by("pk")[:1]
    )
)


def current_household(person: Person) -> HouseholdMember | None:
    found = _CURRENT_HOUSEHOLD.all(None, person.pk)
    return found[0] if found else None


def lifetime(person: Person) -> Lifetime:
    """The span of the resident's life as recorded: birth date, and the date of the death
    event when the resident is recorded as deceased (a reversed death does not count)."""
    died = None
    if person.status == ResidentStatus.DECEASED:
        died = (
            LifeEvent.objects.filter(
                person_id=person.pk, kind=LifeEvent.Kind.DEATH, reversed_by__isnull=True
            )
            .order_by("-pk")
            .values_list("date", flat=True)
            .first()
        )
    return Lifetime(name=person.name, born=person.birth_date, died=died)


def person_timeline(user: User, person: Person) -> QuerySet[LifeEvent]:
    """Every event of a person the user may see, including those where they are the other party."""
    return (
        LifeEvent.objects.visible_to(user)
        .filter(Q(person=person) | Q(other_person=person))
        .select_related("person", "other_person", "recorded_by", "reverses")
        .defer(*_sensitive_of("person", "other_person"))
        .order_by("date", "pk")
    )


_TIMELINE = PreparedRows(lambda user, pk: person_timeline(user, Person(pk=pk)))


def timeline_of(user: User, person: Person) -> list[LifeEvent]:
    """``person_timeline`` as a list."""
    return _TIMELINE.all(user, person.pk)


def duplicate_flags(
    *, user: User, state: str = DuplicateFlag.State.OPEN
) -> QuerySet[DuplicateFlag]:
    return (
        DuplicateFlag.objects.visible_to(user)
        .filter(state=state)
        .select_related("person__community", "candidate__community", "community")
        .defer(*_sensitive_of("person", "candidate"))
        .order_by("created_at", "pk")
    )


def duplicate_flag(*, user: User, flag_id: int) -> DuplicateFlag:
    """One flag in scope, whatever its state, with both records (masked); 404 otherwise."""
    flags = DuplicateFlag.objects.select_related("person__community", "candidate__community").defer(
        *_sensitive_of("person", "candidate")
    )
    return visible_or_404(flags, user=user, pk=flag_id)


def _sensitive_of(*relations: str) -> list[str]:
    """Encrypted columns of related persons that lists never need to decrypt."""
    return [f"{relation}__{name}" for relation in relations for name in ("id_number", "phone")]


def person_marriages(user: User, person: Person) -> QuerySet[Marriage]:
    """Marriages of a person that the user may see, latest first."""
    # The ids first, one indexed lookup per side: SQLite's planner, lacking statistics for
    # marriages, read the whole community through the scope index for the OR (70 ms at
    # 1,000,000 residents) instead of the husband's and wife's indexes.
    sides = Marriage.objects.filter(husband=person).values_list("pk", flat=True)
    ids = list(sides.union(Marriage.objects.filter(wife=person).values_list("pk", flat=True)))
    return _marriages(user).filter(pk__in=ids)


def _marriages(user: User) -> QuerySet[Marriage]:
    return (
        Marriage.objects.visible_to(user)
        .select_related("husband", "wife")
        .defer(*_sensitive_of("husband", "wife"))
        .order_by("-date", "-pk")
    )


# One read per side, each through its own index (see person_marriages).
_AS_HUSBAND = PreparedRows(lambda user, pk: _marriages(user).filter(husband=pk))
_AS_WIFE = PreparedRows(lambda user, pk: _marriages(user).filter(wife=pk))


def marriages_of(user: User, person: Person) -> list[Marriage]:
    """``person_marriages`` as a list, latest first."""
    found = _AS_HUSBAND.all(user, person.pk) + _AS_WIFE.all(user, person.pk)
    found.sort(key=lambda marriage: (marriage.date, marriage.pk), reverse=True)
    return found


def person_parents(user: User, person: Person) -> QuerySet[Person]:
    return (
        Person.objects.visible_to(user)
        .select_related("community")
        .filter(child_links__child=person)
        .exclude(status=ResidentStatus.VOIDED)
        .defer("id_number", "phone")
        .order_by("sex", "birth_date")
    )


def person_children(user: User, person: Person) -> QuerySet[Person]:
    return (
        Person.objects.visible_to(user)
        .select_related("community")
        .filter(parent_links__parent=person)
        .exclude(status=ResidentStatus.VOIDED)
        .defer("id_number", "phone")
        .order_by("birth_date", "pk")
    )


_PARENTS = PreparedRows(lambda user, pk: person_parents(user, Person(pk=pk)))
_CHILDREN = PreparedRows(lambda user, pk: person_children(user, Person(pk=pk)))


def parents_of(user: User, person: Person) -> list[Person]:
    """``person_parents`` as a list."""
    return _PARENTS.all(user, person.pk)


def children_of(user: User, person: Person) -> list[Person]:
    """``person_children`` as a list."""
    return _CHILDREN.all(user, person.pk)


@dataclass
class Relative:
    """One parent, spouse or child as the family view shows them."""

    person: Person
    resident: bool
    death_date: dt.date | None = None
    disability_grade: int | None = None
    marriage: Marriage | None = None

    @property
    def alive(self) -> bool:
        return self.person.status != ResidentStatus.DECEASED and self.death_date is None


@dataclass
class Family:
    """A resident's family as the benefit rules read it: parents, spouses, children (resident
    or not, alive or not), and the household with its current members."""

    person: Person
    parents: list[Relative]
    spouses: list[Relative]
    children: list[Relative]
    membership: HouseholdMember | None
    members: list[HouseholdMember]

    @property
    def living_children(self) -> list[Relative]:
        return [child for child in self.children if child.alive]

    @property
    def living_sons(self) -> int:
        return sum(1 for child in self.living_children if child.person.sex == "M")

    @property
    def deceased_children(self) -> int:
        return len(self.children) - len(self.living_children)

    @property
    def youngest_child(self) -> Relative | None:
        return max(self.children, key=lambda child: child.person.birth_date, default=None)

    @property
    def child_disability_grade(self) -> int | None:
        grades = [c.disability_grade for c in self.children if c.disability_grade is not None]
        return min(grades, default=None)


def _with_facts(persons: QuerySet[Person]) -> QuerySet[Person]:
    """``persons`` with what the family view shows of each: the date of a standing death
    event (``death_event_date``) and, for one not living here, the facts on record."""
    deaths = LifeEvent.objects.filter(
        person=OuterRef("pk"), kind=LifeEvent.Kind.DEATH, reversed_by__isnull=True
    ).order_by("-pk")
    return persons.select_related("non_resident").annotate(
        death_event_date=Subquery(deaths.values("date")[:1])
    )


_FAMILY_PARENTS = PreparedRows(lambda user, pk: _with_facts(person_parents(user, Person(pk=pk))))
_FAMILY_CHILDREN = PreparedRows(lambda user, pk: _with_facts(person_children(user, Person(pk=pk))))


def _spouses_as(side: str, other: str) -> PreparedRows[Person]:
    """Spouses in scope on one side of the person's marriages (the marriage's scope is
    checked by the caller, which keeps only spouses of the marriages it may see). One read
    per side: an OR of the two sides made PostgreSQL scan every resident (0.35 s at 1M)."""
    return PreparedRows(
        lambda user, pk: _with_facts(
            Person.objects.visible_to(user)
            .select_related("community")
            .defer("id_number", "phone")
            .filter(pk__in=Marriage.objects.filter(**{other: pk}).values(side))
        )
    )


_FAMILY_WIVES = _spouses_as("wife", "husband")
_FAMILY_HUSBANDS = _spouses_as("husband", "wife")


def _relatives(
    persons: list[Person], marriages: dict[int, Marriage] | None = None
) -> list[Relative]:
    """Each person (read through ``_with_facts``) with their date of death (event, or the
    non-resident record) and, for one not living here, the disability grade on record."""
    relatives = []
    for person in persons:
        facts = getattr(person, "non_resident", None)
        resident = person.status != ResidentStatus.NON_RESIDENT
        relatives.append(
            Relative(
                person=person,
                resident=resident,
                death_date=person.death_event_date if resident else _death_date(facts),  # type: ignore[attr-defined]
                disability_grade=None if resident or facts is None else facts.disability_grade,
                marriage=(marriages or {}).get(person.pk),
            )
        )
    return relatives


def _death_date(facts: NonResident | None) -> dt.date | None:
    return None if facts is None else facts.death_date


def person_family(*, actor: Actor, person_id: int) -> Family:
    """The family view of one resident, within the user's scope; the read is audited."""
    user = actor.user
    person = _one(_PERSON_MASKED.all(user, person_id))
    marriages = {
        (m.wife if m.husband_id == person.pk else m.husband).pk: m
        for m in reversed(marriages_of(user, person))
    }
    found = [*_FAMILY_WIVES.all(user, person.pk), *_FAMILY_HUSBANDS.all(user, person.pk)]
    spouses = [s for s in found if s.pk in marriages]
    spouses.sort(key=lambda spouse: marriages[spouse.pk].date, reverse=True)
    membership = current_household(person)
    members = household_current_members(membership.household) if membership is not None else []
    audit.record(action=Action.VIEW, actor=actor, obj=person, detail={"view": "family"})
    return Family(
        person=person,
        parents=_relatives(_FAMILY_PARENTS.all(user, person.pk)),
        spouses=_relatives(spouses, marriages),
        children=_relatives(_FAMILY_CHILDREN.all(user, person.pk)),
        membership=membership,
        members=members,
    )
