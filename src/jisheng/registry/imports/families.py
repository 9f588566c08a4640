"""Families in an import: households, spouses and parents named by the optional family columns.

Three steps, each set-based (no query per row):

- :func:`family_row` (in a worker, without the database): a row's family cells parsed and
  checked on their own; ID numbers named in them become blind-index keys.
- :class:`FamilyCheck` (the check pass): the rows' family cells spooled to a private file
  (:class:`FamilyRows`); named people not in the file looked up in the database at the end;
  :meth:`FamilyCheck.resolve` then checks households, parents and spouses across the file (any
  row order) and against the registry in two passes over the spool, and returns the row
  errors and a :class:`FamilyPlan` (columns of ints).
- :class:`FamilyLoader` (the load pass, in the import's transaction): the plan's households,
  members, marriages and parent links inserted a batch at a time, only those not already
  there, so that importing the same file again changes nothing. On PostgreSQL the loading
  connection takes the plan in pieces while the rest of the file is still being resolved.

Links come from the ID-number columns (配偶/父亲/母亲身份证号); 与户主关系 sets the
member's relation in the household. Keys are the first 128 bits of the ID number's blind
index as an int: a million of them fit in memory where the hex digests would not.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import tempfile
import threading
import weakref
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core.dates import add_months
from jisheng.core.db import insert_rows, insert_rows_returning_ids
from jisheng.core.fields import BlindIndexField
from jisheng.core.idnumber import normalize_id_number, validate_id_number
from jisheng.registry.birth_spacing import conflicting_birth, spacing_message
from jisheng.registry.imports.files import FAMILY_KEYS, HEADER_OF, parse_date, text_of
from jisheng.registry.imports.lookups import batched, param_batch, with_digests
from jisheng.registry.models import (
    Household,
    HouseholdMember,
    Marriage,
    ParentLink,
    Relation,
    ResidentStatus,
    Sex,
)

HOUSEHOLD, SPOUSE, FATHER, MOTHER = (
    HEADER_OF["household_number"],
    HEADER_OF["spouse_id_number"],
    HEADER_OF["father_id_number"],
    HEADER_OF["mother_id_number"],
)
MAX_CHILDREN = 20
BATCH = 10_000  # rows per insert of the load
PARENT_MIN_YEARS = 14

_HEAD, _SPOUSE = str(Relation.HEAD), str(Relation.SPOUSE)
_SON, _DAUGHTER, _GRANDCHILD = str(Relation.SON), str(Relation.DAUGHTER), str(Relation.GRANDCHILD)
_PARENT, _OTHER = str(Relation.PARENT), str(Relation.OTHER)


def _relation_codes() -> dict[str, str]:
    """GB/T 4761 codes and their usual names → the main code the registry keeps."""
    names = {
        _HEAD: "户主 本人",
        _SPOUSE: "配偶 夫 妻 丈夫 妻子",
        _SON: "子 儿子 独生子 长子 次子 三子 四子 五子 养子 继子 养子或继子 女婿 其他儿子",
        _DAUGHTER: "女 女儿 独生女 长女 次女 三女 四女 五女 养女 继女 养女或继女 儿媳 其他女儿",
        _GRANDCHILD: "孙子 孙女 外孙子 外孙女 孙媳妇 孙女婿 曾孙子 曾孙女 孙子女 外孙子女",
        _PARENT: "父母 父亲 母亲 公公 婆婆 岳父 岳母 继父 继母 养父 养母",
        _OTHER: "祖父母 祖父 祖母 外祖父 外祖母 兄弟姐妹 兄 弟 姐 妹 嫂 弟媳 姐夫 妹夫 "
        "其他 其他亲属 非亲属 伯父 伯母 叔父 婶母 舅父 舅母 姨父 姨母 姑父 姑母 侄子 侄女 "
        "外甥 外甥女 保姆 同事",
    }
    codes = {name: code for code, text in names.items() for name in text.split()}
    # Two-digit codes: 01 本人 and 02 户主 head the household; 1x spouse, 2x son, 3x daughter,
    # 4x grandchild, 5x parent; 6x-9x other relatives and non-relatives.
    main = {"0": _HEAD, "1": _SPOUSE, "2": _SON, "3": _DAUGHTER, "4": _GRANDCHILD, "5": _PARENT}
    for tens in "0123456789":
        for units in "0123456789":
            codes[tens + units] = main.get(tens, _OTHER)
    codes["00"] = ""  # not a code
    return {name: code for name, code in codes.items() if code}


RELATION_CODES = _relation_codes()


class FamilyRow(NamedTuple):
    """A row's family cells, parsed; keys are blind-index keys (0: none)."""

    number: int
    key: int
    household: str
    relation: str
    spouse: int
    father: int
    mother: int
    marriage_date: int  # ordinal, 0: none
    children: int  # -1: not declared
    community_id: int
    address: str  # the head's address, for a new household; empty for other rows


# A FamilyRow as compact bytes (a million rows are kept until the end of the check):
# number, key, spouse, father, mother, date of marriage, children + 1, community, relation
# (255: none), length of the household number; then the household number and the address.
_PACKED = struct.Struct("<I16s16s16s16siHIBB")


def pack(row: FamilyRow) -> bytes:
    household = row.household.encode()[:255]
    return (
        _PACKED.pack(
            row.number,
            row.key.to_bytes(16),
            row.spouse.to_bytes(16),
            row.father.to_bytes(16),
            row.mother.to_bytes(16),
            row.marriage_date,
            row.children + 1,
            row.community_id,
            int(row.relation) if row.relation else 255,
            len(household),
        )
        + household
        + row.address.encode()
    )


def unpack(data: bytes, start: int = 0, end: int | None = None) -> FamilyRow:
    """The row packed in ``data[start:end]``."""
    number, key, spouse, father, mother, married, children, community, relation, size = (
        _PACKED.unpack_from(data, start)
    )
    at = start + _PACKED.size
    # Positional: a million of these are built per pass.
    return _new_row(
        FamilyRow,
        (
            number,
            _from_bytes(key),
            data[at : at + size].decode(),
            _RELATION_TEXT[relation],
            _from_bytes(spouse),
            _from_bytes(father),
            _from_bytes(mother),
            married,
            children - 1,
            community,
            data[at + size : end].decode(),
        ),
    )


_new_row = tuple.__new__
_from_bytes = int.from_bytes


_RELATION_TEXT = {**{code: f"{code:02d}" for code in range(100)}, 255: ""}


def key_of(digest: str) -> int:
    return int(digest[:32], 16)


def person_info(sex: str, birth: dt.date | None) -> int:
    """Sex and birth date packed in one small int (0: unknown)."""
    if birth is None or sex not in (Sex.MALE, Sex.FEMALE):
        return 0
    return birth.toordinal() * 2 + (sex == Sex.FEMALE)


INFO_BITS = 21  # person_info fits: ordinals of real birth dates are below 2**20


class FamilyParser:
    """A row's family cells → :class:`FamilyRow` (or None when all are empty), without the
    database; problems of the cells on their own are appended to the row's."""

    def __init__(self, columns: dict[str, int], index_field: BlindIndexField) -> None:
        self.positions = tuple(columns.get(key, -1) for key in FAMILY_KEYS)
        self.active = any(position >= 0 for position in self.positions)
        self.index_field = index_field
        # Normalised ID number → digest, of the rows around (a valid number's digest is
        # computed once).
        self.known: dict[str, str] = {}

    def __call__(
        self,
        number: int,
        cells: Any,
        *,
        key: int,
        community_id: int,
        address: str,
        today: dt.date,
        problems: list[str],
        references: set[str],
    ) -> FamilyRow | None:
        width = len(cells)
        texts = [text_of(cells[i]) if 0 <= i < width else "" for i in self.positions]
        if not any(texts):
            return None
        household, relation_text, spouse, father, mother, married, children_text = texts
        relation = ""
        if relation_text:
            # A code typed into a number cell loses its leading zero (02 → 2).
            code = relation_text.zfill(2) if relation_text.isdecimal() else relation_text
            relation = RELATION_CODES.get(code.replace(" ", ""), "")
            if not relation:
                problems.append(
                    _("Unknown relation to the head of household: “%(value)s”.")
                    % {"value": relation_text}
                )
        if len(household) > 20:
            problems.append(_("The household number is longer than 20 characters."))
        if relation_text and not household:
            problems.append(_("A relation to the head of household needs a household number."))
        if household and not relation_text:
            problems.append(_("A household number needs the relation to the head of household."))
        keys = []
        for header, text in ((SPOUSE, spouse), (FATHER, father), (MOTHER, mother)):
            keys.append(self._reference(header, text, today, problems, references))
        spouse_key, father_key, mother_key = keys
        if key and key in (father_key, mother_key):
            problems.append(_("A person cannot be their own parent."))
        if key and key == spouse_key:
            problems.append(_("A person cannot be their own spouse."))
        marriage = 0
        if married:
            date = parse_date(married)
            if date is None:
                problems.append(_("The date of marriage is not a date."))
            elif date > today:
                problems.append(_("The date of marriage lies in the future."))
            else:
                marriage = date.toordinal()
            if not spouse:
                problems.append(_("A date of marriage needs the spouse's ID number."))
        children = -1
        if children_text:
            if children_text.isdecimal() and int(children_text) <= MAX_CHILDREN:
                children = int(children_text)
            else:
                problems.append(
                    _("The number of children must be a whole number from 0 to %(max)s.")
                    % {"max": MAX_CHILDREN}
                )
        return FamilyRow(
            number=number,
            key=key,
            household=household,
            relation=relation,
            spouse=spouse_key,
            father=father_key,
            mother=mother_key,
            marriage_date=marriage,
            children=children,
            community_id=community_id,
            address=address if relation == _HEAD else "",
        )

    def _reference(
        self, header: str, text: str, today: dt.date, problems: list[str], references: set[str]
    ) -> int:
        if not text:
            return 0
        digest = self.known.get(normalize_id_number(text))
        if digest is not None:
            return key_of(digest)  # a row of this chunk: checked with it
        try:
            normalized = validate_id_number(text, today=today)
        except ValidationError as exc:
            problems.extend(f"{header}：{message}" for message in exc.messages)
            return 0
        digest = self.index_field.digest(normalized)
        references.add(digest)
        return key_of(digest)


# --- the check across the file ------------------------------------------------------------


class Who(NamedTuple):
    """A person a family row names: a row of the file or a registered resident."""

    number: int  # row in the file; 0: registered, not in the file
    info: int  # person_info
    id: int  # registered resident's id; 0: not registered yet
    community_id: int


class Registered(NamedTuple):
    id: int
    info: int
    community_id: int
    status: str
    name: str


class FamilyRows:
    """The file's packed family rows, spooled to a private unnamed file next to the uploads
    (a million of them would hold hundreds of MB in memory), read back in passes or one by
    one; a position is a row's place among them."""

    BLOCK = 1 << 20

    def __init__(self, directory: Path) -> None:
        self.handle = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by close()
        # Closed however the import ends, also when its plan is dropped unloaded.
        self._closer = weakref.finalize(self, self.handle.close)
        self.offsets: array[int] = array("q")
        self.size = 0
        # A loader thread may read a row (at) while the check's thread closes the file.
        self._lock = threading.Lock()

    def extend(self, rows: list[bytes]) -> None:
        for data in rows:
            self.offsets.append(self.size)
            self.size += len(data)
        self.handle.write(b"".join(rows))
        self.handle.flush()  # read back with pread, a row at a time: never a flush per row

    def __len__(self) -> int:
        return len(self.offsets)

    def _end(self, position: int) -> int:
        return self.offsets[position + 1] if position + 1 < len(self.offsets) else self.size

    def at(self, position: int) -> FamilyRow:
        start = self.offsets[position]
        with self._lock:  # a closed file raises, and its descriptor is never someone else's
            data = os.pread(self.handle.fileno(), self._end(position) - start, start)
        return unpack(data)

    def __iter__(self) -> Iterator[tuple[int, FamilyRow]]:
        """(position, row) of every row, in file order."""
        fd = self.handle.fileno()
        block, block_start = b"", 0
        for position, start in enumerate(self.offsets):
            end = self._end(position)
            if end > block_start + len(block):
                block_start = start
                block = os.pread(fd, max(self.BLOCK, end - start), start)
            yield position, unpack(block, start - block_start, end - block_start)

    def close(self) -> None:
        with self._lock:
            self._closer()


# A person in the plan and in the load: ``-id`` of a registered resident, else the number of
# the file's row that registers them (its id is known once the load has inserted it); 0:
# nobody (such a row has problems of its own, so the plan is not loaded).
Ref = int
# A household in the plan: the index of a new household among the plan's, else ``-id`` of
# a registered one.


class PlanSize(NamedTuple):
    """How many entries of each kind a :class:`FamilyPlan` holds."""

    households: int
    members: int
    marriages: int
    links: int


@dataclass
class FamilyPlan:
    """What the load adds, only what the registry does not have yet, as columns of ints
    (persons as :data:`Ref`): a million rows' plan takes tens of MB, not hundreds."""

    rows: FamilyRows
    heads: array[int] = field(default_factory=lambda: array("q"))
    # new households: the position of the head's row (number, community, address), the head
    head_refs: array[int] = field(default_factory=lambda: array("q"))
    member_households: array[int] = field(default_factory=lambda: array("q"))
    member_persons: array[int] = field(default_factory=lambda: array("q"))
    member_relations: array[int] = field(default_factory=lambda: array("B"))
    husbands: array[int] = field(default_factory=lambda: array("q"))
    wives: array[int] = field(default_factory=lambda: array("q"))
    marriage_dates: array[int] = field(default_factory=lambda: array("q"))  # ordinals
    marriage_communities: array[int] = field(default_factory=lambda: array("q"))
    parents: array[int] = field(default_factory=lambda: array("q"))
    children: array[int] = field(default_factory=lambda: array("q"))

    def size(self) -> PlanSize:
        return PlanSize(
            len(self.heads), len(self.member_households), len(self.husbands), len(self.parents)
        )


@dataclass
class FamilyCheck:
    """The family facts of the check pass, gathered chunk by chunk, then resolved."""

    scope: set[int]
    rows: FamilyRows
    registered: dict[int, Registered] = field(default_factory=dict)  # named or unchanged rows
    # Digests named by rows and not rows of the file so far: looked up once, at the end.
    named: set[str] = field(default_factory=set)

    def add(
        self,
        rows: list[bytes],
        references: list[str],
        seen: dict[int, int],
        unchanged: Iterable[tuple[int, Registered]],
    ) -> None:
        """A checked chunk: its family rows, its rows already registered, and the people its
        rows name that are not (yet) rows of the file."""
        self.rows.extend(rows)
        self.registered.update(unchanged)
        self.named.update(digest for digest in references if key_of(digest) not in seen)

    def resolve(
        self, seen: dict[int, int], planned: Callable[[FamilyPlan], None] | None = None
    ) -> tuple[dict[int, list[str]], FamilyPlan]:
        """Row number → problems, and the plan (meaningful only without problems); the
        people named that are not rows of the file are looked up in the registry first.

        ``planned`` gets the plan now and then while no row has problems yet, between two
        rows, so that its entries so far can be loaded meanwhile."""
        missing = [digest for digest in self.named if key_of(digest) not in seen]
        self.named = set()
        self.registered.update(
            (key_of(digest), person) for digest, person in registered_people(missing)
        )
        return _Resolver(self, seen).run(planned)


def registered_people(digests: list[str]) -> Iterator[tuple[str, Registered]]:
    """(digest, resident) of the residents with these ID-number digests, voided or not."""
    found = with_digests(
        "id_number_index",
        digests,
        select="id_number_index, id, sex, birth_date, community_id, status, name",
    )
    for digest, pk, sex, birth, community_id, status, name in found:
        if isinstance(birth, str):  # SQLite gives the text
            birth = dt.date.fromisoformat(birth)
        yield digest, Registered(pk, person_info(sex, birth), community_id, status, name)


def _birth(info: int) -> dt.date | None:
    return dt.date.fromordinal(info >> 1) if info else None


def _female(info: int) -> bool | None:
    return bool(info & 1) if info else None


def _zeros(typecode: str, size: int, value: int = 0) -> array[int]:
    return array(typecode, [value]) * size


class _Resolver:
    """One resolution of a file's families (see :meth:`FamilyCheck.resolve`).

    Two passes over the spooled rows. The first gathers, in arrays indexed by position,
    household or row number, what the second needs of other rows: each row's household and
    each household's head. The second checks every row in file order (its household, its
    parents, its spouse) and writes the plan; a spouse's own row is read back from the spool.
    """

    def __init__(self, check: FamilyCheck, seen: dict[int, int]) -> None:
        self.check, self.seen = check, seen
        self.rows = check.rows
        self.problems: dict[int, list[str]] = defaultdict(list)
        self.plan = FamilyPlan(rows=check.rows)
        top = max(seen.values(), default=0) >> INFO_BITS  # the last row number with an ID
        # Position of the first row of each row number whose ID number it registers, and the
        # last one of ID numbers on several family rows (the file has errors then).
        self.position_of = _zeros("i", top + 1, -1)
        self.last_of: dict[int, int] = {}
        self.repeated: set[int] = set()
        # Per position: the household's index; per household (first-appearance order): the
        # first head's position, row number, first row number of its ID number, and Ref.
        self.household_of = array("i")
        self.head_at, self.head_number = array("i"), array("i")
        self.head_first, self.head_refs = array("q"), array("q")
        index: dict[str, int] = {}
        for position, row in self.rows:
            if row.key:
                if seen[row.key] >> INFO_BITS == row.number:
                    self.position_of[row.number] = position
                else:
                    self.last_of[row.key] = position
                    self.repeated.add(row.key)
            if not row.household:
                self.household_of.append(-1)
                continue
            h = index.setdefault(row.household, len(index))
            if h == len(self.head_at):
                self.head_at.append(-1)
                self.head_number.append(0)
                self.head_first.append(-1)
                self.head_refs.append(0)
            self.household_of.append(h)
            if row.relation == _HEAD and self.head_at[h] < 0:
                self.head_at[h], self.head_number[h] = position, row.number
                self.head_first[h] = seen[row.key] >> INFO_BITS if row.key else -1
                self.head_refs[h] = self.ref(row.key)
        ids = [person.id for person in check.registered.values()]
        self.spouse_of = _current_spouses(ids)
        self.parents_of, self.children_of, self.births_of = _parent_links(ids)
        self.membership = _memberships(ids)
        self.households = _households(set(index), check.scope)
        del index  # the household numbers: only the rows' own are needed from now on
        households = len(self.head_at)
        self.visited = bytearray(households)
        self.planned = _zeros("q", households)  # household → its index in the plan
        # Spouse's Ref → the first row that names them as its spouse.
        self.claims = _zeros("i", top + 1)
        self.claims_registered: dict[int, int] = {}
        # Parent's Ref → children linked by the plan: counted, or as a set of keys for the
        # children whose ID number is on several rows (so each counts once, as a set would).
        self.child_count = _zeros("i", top + 1)
        self.child_count_registered: dict[int, int] = defaultdict(int)
        self.child_sets: dict[int, set[int]] = defaultdict(set)
        # Mother's Ref → birth dates (ordinals) of the children the plan links to her: the
        # first in an array by position, later ones (and a registered mother's) in a dict.
        self.first_birth = _zeros("i", top + 1)
        self.more_births: dict[int, list[int]] = defaultdict(list)

    def ref(self, key: int) -> Ref:
        """The person with ``key`` as the plan names them (see :data:`Ref`)."""
        registered = self.check.registered.get(key)
        if registered is not None:
            return -registered.id
        found = self.seen.get(key) if key else None
        return found >> INFO_BITS if found is not None else 0

    def who(self, key: int) -> Who | None:
        """The person with ``key``: a row of the file, else a resident of the importer's area."""
        registered = self.check.registered.get(key)
        packed = self.seen.get(key)
        if packed is not None:
            return Who(
                packed >> INFO_BITS,
                packed & ((1 << INFO_BITS) - 1),
                registered.id if registered else 0,
                registered.community_id if registered else 0,
            )
        if registered is None or registered.status == ResidentStatus.VOIDED:
            return None
        if registered.community_id not in self.check.scope:
            return None
        return Who(0, registered.info, registered.id, registered.community_id)

    def row_of(self, key: int) -> FamilyRow | None:
        """The (last) family row that registers ``key``, if any."""
        position = self.last_of.get(key)
        if position is None:
            found = self.seen.get(key)
            if found is None:
                return None
            position = self.position_of[found >> INFO_BITS]
            if position < 0:
                return None
        return self.rows.at(position)

    def fail(self, row: FamilyRow, message: str) -> None:
        self.problems[row.number].append(message)

    def run(
        self, planned: Callable[[FamilyPlan], None] | None = None
    ) -> tuple[dict[int, list[str]], FamilyPlan]:
        declared = array("q")  # (row number, Ref, declared children) of the rows declaring
        for position, row in self.rows:
            if planned is not None and position % BATCH == 0 and position and not self.problems:
                planned(self.plan)
            if (h := self.household_of[position]) >= 0:
                self._household_row(position, row, h)
            if row.father or row.mother:
                self._parents(row)
            if row.spouse:
                self._spouse(position, row)
            if row.children >= 0:
                declared.extend((row.number, self.ref(row.key), row.children))
        self._declared_children(declared)
        return dict(self.problems), self.plan

    # households ------------------------------------------------------------------------

    def _household_row(self, position: int, row: FamilyRow, h: int) -> None:
        number = row.household
        registered = self.households.get(number)
        head = self.head_at[h]
        first = not self.visited[h]  # the household's first row: its own checks
        self.visited[h] = 1
        if row.relation == _HEAD and head != position:
            self.fail(
                row,
                _("Household %(number)s already has a head in row %(row)s.")
                % {"number": number, "row": self.head_number[h]},
            )
        if registered is None:
            if head < 0:
                if first:
                    self.fail(
                        row, _("Household %(number)s has no head (户主).") % {"number": number}
                    )
                return
            if first:
                self.planned[h] = len(self.plan.heads)
                self.plan.heads.append(head)
                self.plan.head_refs.append(self.head_refs[h])
        elif first and head >= 0 and registered[1] is not None:
            head_ref = self.head_refs[h]
            if head_ref >= 0 or -head_ref != registered[1]:
                self.problems[self.head_number[h]].append(
                    _("Household %(number)s already has another head in the registry.")
                    % {"number": number}
                )
        self._member(row, self.planned[h] if registered is None else -registered[0], registered)

    def _member(
        self, row: FamilyRow, household: int, registered: tuple[int, int | None] | None
    ) -> None:
        person = self.who(row.key)
        current = self.membership.get(person.id) if person and person.id else None
        if current is not None:
            household_id, relation, current_number = current
            if registered is None or household_id != registered[0]:
                self.fail(
                    row,
                    _(
                        "This resident already belongs to household %(number)s: record a "
                        "household change instead."
                    )
                    % {"number": current_number or household_id},
                )
            elif relation != row.relation:
                self.fail(
                    row,
                    _(
                        "This resident is already in this household with another relation: "
                        "record a household change instead."
                    ),
                )
            return
        self.plan.member_households.append(household)
        self.plan.member_persons.append(self.ref(row.key))
        self.plan.member_relations.append(int(row.relation) if row.relation else 255)

    # parents ---------------------------------------------------------------------------

    def _parents(self, row: FamilyRow) -> None:
        child = self.who(row.key)
        if child is None:
            return  # the row itself has problems (its ID number)
        existing = self.parents_of.get(child.id, {}) if child.id else {}
        named: list[int] = []
        for key, header, female in ((row.father, FATHER, False), (row.mother, MOTHER, True)):
            if not key or key == row.key:
                continue  # own parent: reported by the row's own check
            parent = self.who(key)
            if parent is None:
                self.fail(row, self._nobody(header, key))
                continue
            if _female(parent.info) is not None and _female(parent.info) != female:
                self.fail(
                    row,
                    _("The mother must be a woman.") if female else _("The father must be a man."),
                )
                continue
            born, parent_born = _birth(child.info), _birth(parent.info)
            if born and parent_born and add_months(parent_born, 12 * PARENT_MIN_YEARS) > born:
                self.fail(
                    row,
                    _("The mother is less than 14 years older than her child.")
                    if female
                    else _("The father is less than 14 years older than his child."),
                )
                continue
            if parent.id and parent.id in existing:
                continue  # already linked
            if female and born:
                other = conflicting_birth(born, self._births(self.ref(key), parent.id))
                if other is not None:
                    self.fail(row, spacing_message(other))
                    continue
            same_sex = [pid for pid, sex in existing.items() if (sex == Sex.FEMALE) == female]
            if len(existing) >= 2:
                self.fail(
                    row,
                    _(
                        "This person already has two parents in the registry: %(column)s "
                        "would be a third parent."
                    )
                    % {"column": header},
                )
                continue
            if same_sex:
                self.fail(
                    row,
                    _("This person already has another mother in the registry.")
                    if female
                    else _("This person already has another father in the registry."),
                )
                continue
            named.append(key)
        child_ref = self.ref(row.key)
        if row.mother in named and child.info:
            self._note_birth(self.ref(row.mother), child.info >> 1)
        for key in named:
            self.plan.parents.append(self.ref(key))
            self.plan.children.append(child_ref)
        for key in dict.fromkeys(named):  # each child counts once for a parent
            parent_ref = self.ref(key)
            if row.key in self.repeated:
                self.child_sets[parent_ref].add(row.key)
            elif parent_ref > 0:
                self.child_count[parent_ref] += 1
            else:
                self.child_count_registered[parent_ref] += 1

    def _births(self, mother: Ref, mother_id: int) -> list[dt.date]:
        """Birth dates of the mother's children: registered, and linked by the plan so far."""
        ordinals = list(self.births_of.get(mother_id, ())) if mother_id else []
        if mother > 0 and self.first_birth[mother]:
            ordinals.append(self.first_birth[mother])
        ordinals.extend(self.more_births.get(mother, ()))
        return [dt.date.fromordinal(ordinal) for ordinal in ordinals]

    def _note_birth(self, mother: Ref, ordinal: int) -> None:
        if mother > 0 and not self.first_birth[mother]:
            self.first_birth[mother] = ordinal
        else:
            self.more_births[mother].append(ordinal)

    def _nobody(self, header: str, key: int) -> str:
        registered = self.check.registered.get(key)
        if registered is not None and registered.status != ResidentStatus.VOIDED:
            return _("%(column)s names a resident outside your area.") % {"column": header}
        return _("%(column)s names nobody in this file or in the registry.") % {"column": header}

    # spouses ---------------------------------------------------------------------------

    def _spouse(self, position: int, row: FamilyRow) -> None:
        me, partner = self.who(row.key), self.who(row.spouse)
        if me is None or row.spouse == row.key:
            return
        if partner is None:
            self.fail(row, self._nobody(SPOUSE, row.spouse))
            return
        if _female(me.info) is not None and _female(me.info) == _female(partner.info):
            self.fail(row, _("The spouse must be of the other sex."))
            return
        if row.relation == _SPOUSE and not self._is_head(position, row, row.spouse, partner):
            self.fail(
                row,
                _("The relation is 配偶 (spouse of the head), but %(column)s is not the head.")
                % {"column": SPOUSE},
            )
            return
        other = self.row_of(row.spouse)
        if other is not None and other.spouse and other.spouse != row.key:
            self.fail(
                row,
                _("The spouse names someone else as their spouse (row %(row)s).")
                % {"row": other.number},
            )
            return
        mine = self.spouse_of.get(me.id) if me.id else None
        theirs = self.spouse_of.get(partner.id) if partner.id else None
        if mine is not None and mine != partner.id:
            self.fail(row, _("This person is already married to someone else."))
            return
        if theirs is not None and theirs != me.id:
            self.fail(row, _("The spouse is already married to someone else."))
            return
        if other is not None and other.spouse == row.key and other.number < row.number:
            return  # the pair is recorded (or refused) at the first of its two rows
        date = row.marriage_date
        if other is not None and other.spouse == row.key and other.marriage_date:
            if date and date != other.marriage_date:
                self.fail(
                    row,
                    _("The date of marriage differs from row %(row)s.") % {"row": other.number},
                )
                return
            date = other.marriage_date
        if mine is not None:
            return  # already married to each other
        if not date:
            self.fail(row, _("A marriage needs the date of marriage (结婚日期)."))
            return
        births = [b for b in (_birth(me.info), _birth(partner.info)) if b]
        if any(dt.date.fromordinal(date) < born for born in births):
            self.fail(row, _("The date of marriage lies before a spouse's birth."))
            return
        husband, wife = (row.spouse, row.key) if _female(me.info) else (row.key, row.spouse)
        if (claimed := self._claim(self.ref(row.spouse), row.number)) != row.number:
            self.fail(
                row,
                _("The spouse is already named as spouse in row %(row)s.") % {"row": claimed},
            )
            return
        # The wife's community, as for a marriage recorded here, when it is known.
        community = row.community_id
        if _female(partner.info):
            community = other.community_id if other is not None else partner.community_id
            community = community or row.community_id
        self.plan.husbands.append(self.ref(husband))
        self.plan.wives.append(self.ref(wife))
        self.plan.marriage_dates.append(date)
        self.plan.marriage_communities.append(community)

    def _claim(self, spouse: Ref, number: int) -> int:
        """The first row that names ``spouse`` as its spouse (``number`` if none did)."""
        if spouse < 0:
            return self.claims_registered.setdefault(spouse, number)
        if not self.claims[spouse]:
            self.claims[spouse] = number
        return self.claims[spouse]

    def _is_head(self, position: int, row: FamilyRow, key: int, partner: Who) -> bool:
        h = self.household_of[position]
        if h >= 0 and self.head_at[h] >= 0:
            found = self.seen.get(key)
            return found is not None and found >> INFO_BITS == self.head_first[h]
        registered = self.households.get(row.household)
        return registered is not None and registered[1] is not None and registered[1] == partner.id

    # declared children -----------------------------------------------------------------

    def _declared_children(self, declared: array[int]) -> None:
        for at in range(0, len(declared), 3):
            number, ref, children = declared[at : at + 3]
            if ref > 0:
                known = self.child_count[ref]
            else:
                known = self.child_count_registered.get(ref, 0)
                if ref < 0:
                    known += len(self.children_of.get(-ref, ()))
            known += len(self.child_sets.get(ref, ()))
            if known > children:
                self.problems[number].append(
                    _(
                        "The declared number of children (%(declared)s) is less than the "
                        "%(found)s children this file and the registry link to this person."
                    )
                    % {"declared": children, "found": known}
                )


# --- registry facts, in batches -----------------------------------------------------------


def _in_batches(ids: list[int]) -> Iterator[list[int]]:
    yield from batched(sorted(set(ids)), param_batch(2))


def _current_spouses(ids: list[int]) -> dict[int, int]:
    spouse_of: dict[int, int] = {}
    for batch in _in_batches(ids):
        found = Marriage.objects.filter(end_date__isnull=True).filter(
            Q(husband_id__in=batch) | Q(wife_id__in=batch)
        )
        for husband, wife in found.values_list("husband_id", "wife_id"):
            spouse_of[husband], spouse_of[wife] = wife, husband
    return spouse_of


def _parent_links(
    ids: list[int],
) -> tuple[dict[int, dict[int, str]], dict[int, set[int]], dict[int, list[int]]]:
    """Child → {parent: parent's sex}, parent → children, and mother → her children's birth
    dates (ordinals; voided records are no births), of these residents."""
    parents: dict[int, dict[int, str]] = defaultdict(dict)
    children: dict[int, set[int]] = defaultdict(set)
    births: dict[int, list[int]] = defaultdict(list)
    for batch in _in_batches(ids):
        # A link between two batches is found twice: its birth counts in the mother's batch.
        mothers_here = set(batch)
        found = ParentLink.objects.filter(Q(child_id__in=batch) | Q(parent_id__in=batch))
        for parent, child, sex, born, status in found.values_list(
            "parent_id", "child_id", "parent__sex", "child__birth_date", "child__status"
        ):
            parents[child][parent] = sex
            children[parent].add(child)
            if sex == Sex.FEMALE and status != ResidentStatus.VOIDED and parent in mothers_here:
                births[parent].append(born.toordinal())
    return parents, children, births


def _memberships(ids: list[int]) -> dict[int, tuple[int, str, str]]:
    """Resident → (household id, relation, household number) of their current household."""
    found: dict[int, tuple[int, str, str]] = {}
    for batch in _in_batches(ids):
        rows = HouseholdMember.objects.filter(person_id__in=batch, end_date__isnull=True)
        for person, household, relation, number in rows.values_list(
            "person_id", "household_id", "relation", "household__number"
        ):
            found[person] = (household, relation, number)
    return found


def _households(numbers: set[str], scope: set[int]) -> dict[str, tuple[int, int | None]]:
    """Household number → (id, head id) of the registered households in the area.

    Plain SQL: for the hundreds of thousands of numbers of a large file, the ORM's work per
    parameter cost more than the queries. PostgreSQL takes a batch as one array parameter.
    """
    found: dict[str, tuple[int, int | None]] = {}
    table = connection.ops.quote_name(Household._meta.db_table)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for batch in batched(sorted(numbers), 20_000 if postgres else param_batch(1)):
            params: list[Any] = [batch] if postgres else list(batch)
            condition = "= ANY(%s)" if postgres else f"IN ({', '.join(['%s'] * len(batch))})"
            # Only the quoted model name is formatted in; the numbers are parameters.
            cursor.execute(
                f"SELECT id, number, head_id, community_id FROM {table} "  # noqa: S608
                f"WHERE number {condition} ORDER BY id",
                params,
            )
            for pk, number, head, community in cursor.fetchall():
                if community in scope:
                    found.setdefault(number, (pk, head))
    return found


# --- the load -----------------------------------------------------------------------------


@dataclass
class FamiliesLoaded:
    households: int = 0
    members: int = 0
    marriages: int = 0
    links: int = 0


def family_load(plan: FamilyPlan, created: array[int]) -> FamiliesLoaded:
    """The plan inserted, in the caller's transaction, a batch at a time; ``created``: row
    number → id of the residents this import has just inserted (0: none)."""
    return FamilyLoader(created).finish(plan)


class FamilyLoader:
    """Inserts a plan in the caller's transaction, each entry once: what the resolution has
    planned so far (:meth:`load`, while it goes on), then the rest (:meth:`finish`).

    Loading while the plan is still being resolved is what lets the database check the
    foreign keys of the rows (most of a family load's time) alongside the resolution; if the
    resolution then finds a problem, the caller rolls the transaction back.
    """

    def __init__(self, created: array[int]) -> None:
        self.created = created
        self.loaded = FamiliesLoaded()
        self.household_ids = array("q")  # the plan's new households → their ids
        self.done = PlanSize(0, 0, 0, 0)  # entries of the plan inserted so far
        self.created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        self.today = connection.ops.adapt_datefield_value(timezone.localdate())

    def finish(self, plan: FamilyPlan) -> FamiliesLoaded:
        """The rest of the plan inserted; its spooled rows closed, however it ends."""
        try:
            self.load(plan, plan.size())
        finally:
            plan.rows.close()
        return self.loaded

    def load(self, plan: FamilyPlan, upto: PlanSize) -> None:
        """The plan's entries up to ``upto`` (a size the plan had between two rows) inserted:
        households first, as the members of the new ones need their ids."""
        done = self.done
        self._households(plan, done.households, upto.households)
        self.loaded.members += _insert(
            HouseholdMember,
            ["household_id", "person_id", "relation", "start_date", "end_date"],
            (
                (
                    self.household_ids[household] if household >= 0 else -household,
                    self.person(member),
                    _RELATION_TEXT[relation],
                    self.today,
                    None,
                )
                for household, member, relation in zip(
                    plan.member_households[done.members : upto.members],
                    plan.member_persons[done.members : upto.members],
                    plan.member_relations[done.members : upto.members],
                    strict=True,
                )
            ),
        )
        adapt = connection.ops.adapt_datefield_value
        self.loaded.marriages += _insert(
            Marriage,
            ["community_id", "husband_id", "wife_id", "date", "end_date", "end_reason"],
            (
                (
                    community,
                    self.person(husband),
                    self.person(wife),
                    adapt(dt.date.fromordinal(date)),
                    None,
                    "",
                )
                for husband, wife, date, community in zip(
                    plan.husbands[done.marriages : upto.marriages],
                    plan.wives[done.marriages : upto.marriages],
                    plan.marriage_dates[done.marriages : upto.marriages],
                    plan.marriage_communities[done.marriages : upto.marriages],
                    strict=True,
                )
            ),
        )
        self.loaded.links += _insert(
            ParentLink,
            ["parent_id", "child_id"],
            (
                (self.person(parent), self.person(child))
                for parent, child in zip(
                    plan.parents[done.links : upto.links],
                    plan.children[done.links : upto.links],
                    strict=True,
                )
            ),
        )
        self.done = upto

    def _households(self, plan: FamilyPlan, start: int, end: int) -> None:
        columns = _columns(
            Household, ["community_id", "number", "address", "head_id", "created_at"]
        )
        for at in range(start, end, BATCH):
            values = []
            for position, head in zip(
                plan.heads[at : min(at + BATCH, end)],
                plan.head_refs[at : min(at + BATCH, end)],
                strict=True,
            ):
                row = plan.rows.at(position)
                values.append(
                    (
                        row.community_id,
                        row.household,
                        row.address[:200],
                        self.person(head),
                        self.created_at,
                    )
                )
            self.household_ids.extend(
                insert_rows_returning_ids(
                    Household._meta.db_table, str(Household._meta.pk.column), columns, values
                )
            )
        self.loaded.households = len(self.household_ids)

    def person(self, ref: Ref) -> int:
        """The id of the person ``ref`` names."""
        if ref < 0:
            return -ref
        created = self.created
        pk = created[ref] if 0 < ref < len(created) else 0
        if not pk:
            # Counted as registered meanwhile by someone else: the load's own rule applies.
            raise IntegrityError("a resident named by a family row was registered meanwhile")
        return pk


def _columns(model: type[Any], attnames: list[str]) -> list[str]:
    column_of = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    return [column_of[name] for name in attnames]


def _insert(model: type[Any], attnames: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """``rows`` inserted a batch at a time (never all built at once); returns their count."""
    columns = _columns(model, attnames)
    count = 0
    for batch in batched(rows, BATCH):
        insert_rows(model._meta.db_table, columns, batch)
        count += len(batch)
    return count


def created_ids(into: array[int], numbers: Sequence[int], ids: Sequence[int]) -> None:
    """Row number → id of the residents just inserted, ``numbers`` being their rows."""
    if not numbers:
        return
    if (top := max(numbers)) >= len(into):
        into.extend(_zeros("q", top + 1 - len(into)))
    for number, pk in zip(numbers, ids, strict=True):
        into[number] = pk
