"""One chunk of rows, checked and prepared without the database: what a worker process runs.

Each row is parsed, checked (``person_data_check``, its community) and, while the file is
still clean, turned into the column values Django's own INSERT would send (encryption
included), pickled for the load.
"""

from __future__ import annotations

import datetime as dt
import operator
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.core.fields import BlindIndexField, DerivedCharField, EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.registry.imports import files
from jisheng.registry.imports.families import FamilyParser, key_of, pack, person_info
from jisheng.registry.models import Person
from jisheng.registry.services.persons import person_data_check, person_fields

COMMUNITY_KINDS = (OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE)


@dataclass
class Communities:
    """Communities a row may name (name or code), resolved without the database."""

    default: OrgUnit | None
    by_key: dict[str, OrgUnit]
    ambiguous: set[str]
    outside: set[str]

    @classmethod
    def for_import(cls, user: User, target: OrgUnit) -> Communities:
        scope = set(user.scope_unit_ids())
        by_key: dict[str, OrgUnit] = {}
        names: dict[str, list[OrgUnit]] = {}
        outside: set[str] = set()
        for unit in OrgUnit.objects.filter(kind__in=COMMUNITY_KINDS).only("id", "name", "code"):
            if unit.pk in scope:
                by_key[unit.code] = unit
                names.setdefault(unit.name, []).append(unit)
            else:
                outside.update((unit.name, unit.code))
        ambiguous = {name for name, units in names.items() if len(units) > 1}
        by_key.update({name: units[0] for name, units in names.items() if len(units) == 1})
        default = target if target.is_community and target.pk in scope else None
        return cls(default=default, by_key=by_key, ambiguous=ambiguous, outside=outside)

    def resolve(self, text: str) -> tuple[OrgUnit | None, str | None]:
        text = "".join(text.split())
        if not text:
            if self.default is None:
                return None, _(
                    "The community column is empty and no community was chosen for this import."
                )
            return self.default, None
        unit = self.by_key.get(text)
        if unit is not None:
            return unit, None
        if text in self.ambiguous:
            return None, _(
                "Several communities are called “%(value)s”: give the 12-digit code instead."
            ) % {"value": text}
        if text in self.outside:
            return None, _("The community “%(value)s” lies outside your area.") % {"value": text}
        return None, _("Unknown community: “%(value)s”.") % {"value": text}


def _plain_bytes(value: Any) -> Any:
    """The driver's binary wrapper (memoryview, psycopg Binary) as bytes, which both drivers
    take and which can be spooled."""
    if isinstance(value, memoryview):
        return value.tobytes()
    wrapped = getattr(value, "obj", None)
    if isinstance(wrapped, bytes | bytearray | memoryview):
        return bytes(wrapped)
    return value


class PersonRows:
    """A resident's fields (``person_fields``) → the column values Django's own INSERT would
    send for them, in ``columns`` order, without building a model instance."""

    def __init__(self, now: dt.datetime) -> None:
        fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
        # Plain values are read in one C-level call; the others need preparing.
        plain = [f for f in fields if type(f) in _PLAIN_FIELDS or f.is_relation]
        special = [f for f in fields if f not in plain]
        self.columns = [str(f.column) for f in (*plain, *special)]
        self.defaults = {f.attname: f.get_default() for f in plain}
        self.plain = operator.itemgetter(*(f.attname for f in plain))
        # The connection object itself, not the per-thread proxy: only its adapters are
        # used, a million times over, also in forked workers.
        db = connections[DEFAULT_DB_ALIAS]
        self.special = [self._getter(f, now, db) for f in special]

    @staticmethod
    def _getter(
        field_: models.Field[Any, Any], now: dt.datetime, db: BaseDatabaseWrapper
    ) -> Callable[[dict[str, Any]], Any]:
        attname = field_.attname
        if isinstance(field_, models.DateTimeField) and (field_.auto_now or field_.auto_now_add):
            value = field_.get_db_prep_value(now, db)
            return lambda _fields: value
        if isinstance(field_, EncryptedTextField):
            return lambda fields: _plain_bytes(field_.get_db_prep_value(fields[attname], db))
        if isinstance(field_, BlindIndexField):
            # A digest already computed for the checks is reused; otherwise computed here.
            source = field_.source
            return lambda fields: fields.get(attname) or field_.digest(fields[source])
        if isinstance(field_, DerivedCharField) and field_.derive is not None:
            # Derived as a save would (the pinyin initials), so imported rows are searchable.
            derive, source = field_.derive, field_.source
            return lambda fields: derive(fields[source] or "")
        return lambda fields: field_.get_db_prep_save(fields[attname], db)

    def values(self, fields: dict[str, Any]) -> tuple[Any, ...]:
        """``fields``: attribute name → value (``community_id`` included); missing plain
        fields take their defaults."""
        complete = {**self.defaults, **fields}
        return (*self.plain(complete), *[get(complete) for get in self.special])


_PLAIN_FIELDS = (models.CharField, models.BooleanField)


@dataclass
class ChunkContext:
    """What checking rows needs, all without the database (a worker process inherits it)."""

    columns: dict[str, int]
    communities: Communities
    now: dt.datetime
    makers: dict[dt.datetime, PersonRows] = field(default_factory=dict)

    def maker(self) -> PersonRows:
        if self.now not in self.makers:
            self.makers[self.now] = PersonRows(self.now)
        return self.makers[self.now]


@dataclass
class CheckedChunk:
    """Rows checked without the database; the clean ones already prepared for loading."""

    numbers: list[int]
    problems: list[list[str]]
    digests: list[str]
    names: list[str]  # as checked (stripped), to compare with a registered resident's
    prepared: list[int]  # positions (in the chunk) of the rows whose values are in ``blob``
    blob: bytes  # pickled list of value tuples, in PersonRows.columns order
    # With family columns: each row's sex and birth date (families.person_info), the rows'
    # family cells, and the digests of the ID numbers they name.
    infos: list[int] = field(default_factory=list)
    family: list[bytes] = field(default_factory=list)  # families.pack of each FamilyRow
    references: list[str] = field(default_factory=list)


def check_chunk(
    context: ChunkContext, rows: list[tuple[int, files.Cells]], prepare: bool
) -> CheckedChunk:
    """person_data_check and the community of each row; person_fields and the database values
    (encryption included) of the clean rows while ``prepare`` holds."""
    parse = files.RowParser(context.columns)
    resolve = context.communities.resolve
    maker = context.maker()
    index_field = Person._meta.get_field("id_number_index")
    assert isinstance(index_field, BlindIndexField)  # noqa: S101 - the model guarantees it
    today = timezone.localdate()
    checked = CheckedChunk(numbers=[], problems=[], digests=[], names=[], prepared=[], blob=b"")
    family = FamilyParser(context.columns, index_field)
    # A row's family cells are read once the chunk's own ID numbers are known: most name
    # someone of the same household, nearby, whose digest is then reused.
    pending: list[tuple[int, files.Cells, str, int, str, list[str]]] = []
    values = []
    for position, (number, cells) in enumerate(rows):
        parsed = parse(number, cells)
        data = parsed.data
        problems = person_data_check(data, require_id_number=parsed.id_number_readable, today=today)
        unit, problem = resolve(parsed.community)
        if problem:
            problems.append(problem)
        digest = index_field.digest(data.id_number) if data.id_number else ""
        if family.active:
            checked.infos.append(person_info(data.sex, data.birth_date))
            pending.append((number, cells, digest, unit.pk if unit else 0, data.address, problems))
            if digest:
                family.known[data.id_number] = digest
        checked.numbers.append(number)
        checked.problems.append(problems)
        checked.digests.append(digest)
        checked.names.append(data.name)
        if prepare and not problems and unit is not None:
            fields = person_fields(data)
            fields["community_id"] = unit.pk
            fields["id_number_index"] = digest
            values.append(maker.values(fields))
            checked.prepared.append(position)
    # Family problems make the file invalid as a whole, so rows prepared before them are
    # never loaded.
    references: set[str] = set()
    for number, cells, digest, community_id, address, problems in pending:
        found = family(
            number,
            cells,
            key=key_of(digest) if digest else 0,
            community_id=community_id,
            address=address,
            today=today,
            problems=problems,
            references=references,
        )
        if found is not None:
            checked.family.append(pack(found))
    checked.references = sorted(references)
    if values:
        checked.blob = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
    return checked
