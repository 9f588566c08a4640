"""Families in an import: households, spouses and parents named by the optional family columns.

Three steps, each set-based (no query per row):

- :func:`family_row` (in a worker, without the database): a row's family cells parsed and
  checked on their own; ID numbers named in them become blind-index keys.
- :class:`FamilyCheck` (the check pass): every row's key, sex and birth date kept compactly;
  named people not in the file looked up in the database a chunk at a time; at the end
  :meth:`FamilyCheck.resolve` checks households, parents and spouses across the file (any row
  order) and against the registry, and returns the row errors and a :class:`FamilyPlan`.
- :func:`family_load` (the load pass, in the import's transaction): the plan's households,
  members, marriages and parent links inserted in bulk, only those not already there, so
  that importing the same file again changes nothing.

Links come from the ID-number columns (配偶/父亲/母亲身份证号); 与户主关系 sets the
member's relation in the household. Keys are the first 128 bits of the ID number's blind
index as an int: a million of them fit in memory where the hex digests would not.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
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


def unpack(data: bytes) -> FamilyRow:
    number, key, spouse, father, mother, married, children, community, relation, size = (
        _PACKED.unpack_from(data)
    )
    start = _PACKED.size
    return FamilyRow(
        number=number,
        key=int.from_bytes(key),
        household=data[start : start + size].decode(),
        relation=_RELATION_TEXT[relation],
        spouse=int.from_bytes(spouse),
        father=int.from_bytes(father),
        mother=int.from_bytes(mother),
        marriage_date=married,
        children=children - 1,
        community_id=community,
        address=data[start + size :].decode(),
    )


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


@dataclass
class FamilyPlan:
    """What the load adds: only what the registry does not have yet."""

    households: list[tuple[str, int, str, int]] = field(default_factory=list)
    # (number, community id, address, head key)
    members: list[tuple[str | int, int, str]] = field(default_factory=list)
    # (new household's number or registered household's id, person key, relation)
    marriages: list[tuple[int, int, int, int]] = field(default_factory=list)
    # (husband key, wife key, date ordinal, community id)
    links: list[tuple[int, int]] = field(default_factory=list)  # (parent key, child key)
    registered: dict[int, int] = field(default_factory=dict)  # key → resident id


@dataclass
class FamilyCheck:
    """The family facts of the check pass, gathered chunk by chunk, then resolved."""

    scope: set[int]
    rows: list[bytes] = field(default_factory=list)  # packed FamilyRows
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

    def resolve(self, seen: dict[int, int]) -> tuple[dict[int, list[str]], FamilyPlan]:
        """Row number → problems, and the plan (meaningful only without problems); the
        people named that are not rows of the file are looked up in the registry first."""
        missing = [digest for digest in self.named if key_of(digest) not in seen]
        self.named = set()
        self.registered.update(
            (key_of(digest), person) for digest, person in registered_people(missing)
        )
        return _Resolver(self, seen).run()


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


class _Resolver:
    """One resolution of a file's families (see :meth:`FamilyCheck.resolve`)."""

    def __init__(self, check: FamilyCheck, seen: dict[int, int]) -> None:
        self.check, self.seen = check, seen
        self.problems: dict[int, list[str]] = defaultdict(list)
        self.plan = FamilyPlan()
        # One pass over the packed rows: who is where, and the rows of each household.
        self.by_key: dict[int, bytes] = {}
        self.members: dict[str, list[bytes]] = defaultdict(list)
        self.head_keys: dict[str, int] = {}
        for packed in check.rows:
            row = unpack(packed)
            if row.key:
                self.by_key[row.key] = packed
            if row.household:
                self.members[row.household].append(packed)
                if row.relation == _HEAD:
                    self.head_keys.setdefault(row.household, row.key)
        ids = [person.id for person in check.registered.values()]
        self.spouse_of = _current_spouses(ids)
        self.parents_of, self.children_of = _parent_links(ids)
        self.membership = _memberships(ids)
        self.households = _households(set(self.members), check.scope)
        # Spouse key → the first row that names them as its spouse.
        self.claims: dict[int, int] = {}

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

    def fail(self, row: FamilyRow, message: str) -> None:
        self.problems[row.number].append(message)

    def run(self) -> tuple[dict[int, list[str]], FamilyPlan]:
        self._households()
        children: dict[int, set[int]] = defaultdict(set)
        for row in map(unpack, self.check.rows):
            if row.father or row.mother:
                self._parents(row, children)
            if row.spouse:
                self._spouse(row)
        self._declared_children(children)
        self.plan.registered = {key: person.id for key, person in self.check.registered.items()}
        return dict(self.problems), self.plan

    # households ------------------------------------------------------------------------

    def _households(self) -> None:
        for number, packed in self.members.items():
            rows = [unpack(data) for data in packed]
            registered = self.households.get(number)
            heads = [row for row in rows if row.relation == _HEAD]
            for extra in heads[1:]:
                self.fail(
                    extra,
                    _("Household %(number)s already has a head in row %(row)s.")
                    % {"number": number, "row": heads[0].number},
                )
            head = heads[0] if heads else None
            if registered is None:
                if head is None:
                    self.fail(
                        rows[0],
                        _("Household %(number)s has no head (户主).") % {"number": number},
                    )
                    continue
                self.plan.households.append((number, head.community_id, head.address, head.key))
            elif head is not None and registered[1] is not None:
                head_person = self.who(head.key)
                if head_person is None or head_person.id != registered[1]:
                    self.fail(
                        head,
                        _("Household %(number)s already has another head in the registry.")
                        % {"number": number},
                    )
            for row in rows:
                self._member(row, number, registered)

    def _member(
        self, row: FamilyRow, number: str, registered: tuple[int, int | None] | None
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
        self.plan.members.append(
            (number if registered is None else registered[0], row.key, row.relation)
        )

    # parents ---------------------------------------------------------------------------

    def _parents(self, row: FamilyRow, children: dict[int, set[int]]) -> None:
        child = self.who(row.key)
        if child is None:
            return  # the row itself has problems (its ID number)
        existing = self.parents_of.get(child.id, {}) if child.id else {}
        named: list[tuple[int, Who]] = []
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
            named.append((key, parent))
        for key, _parent in named:
            self.plan.links.append((key, row.key))
            children[key].add(row.key)

    def _nobody(self, header: str, key: int) -> str:
        registered = self.check.registered.get(key)
        if registered is not None and registered.status != ResidentStatus.VOIDED:
            return _("%(column)s names a resident outside your area.") % {"column": header}
        return _("%(column)s names nobody in this file or in the registry.") % {"column": header}

    # spouses ---------------------------------------------------------------------------

    def _spouse(self, row: FamilyRow) -> None:
        me, partner = self.who(row.key), self.who(row.spouse)
        if me is None or row.spouse == row.key:
            return
        if partner is None:
            self.fail(row, self._nobody(SPOUSE, row.spouse))
            return
        if _female(me.info) is not None and _female(me.info) == _female(partner.info):
            self.fail(row, _("The spouse must be of the other sex."))
            return
        if row.relation == _SPOUSE and not self._is_head(row.household, row.spouse, partner):
            self.fail(
                row,
                _("The relation is 配偶 (spouse of the head), but %(column)s is not the head.")
                % {"column": SPOUSE},
            )
            return
        found = self.by_key.get(row.spouse)
        other = unpack(found) if found is not None else None
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
        claimed = self.claims.setdefault(row.spouse, row.number)
        if claimed != row.number:
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
        self.plan.marriages.append((husband, wife, date, community))

    def _is_head(self, household: str, key: int, partner: Who) -> bool:
        head_key = self.head_keys.get(household)
        if head_key is not None:
            return head_key == key
        registered = self.households.get(household)
        return registered is not None and registered[1] is not None and registered[1] == partner.id

    # declared children -----------------------------------------------------------------

    def _declared_children(self, children: dict[int, set[int]]) -> None:
        for row in map(unpack, self.check.rows):
            if row.children < 0:
                continue
            person = self.who(row.key)
            known = len(children.get(row.key, ()))
            if person is not None and person.id:
                known += len(self.children_of.get(person.id, ()))
            if known > row.children:
                self.fail(
                    row,
                    _(
                        "The declared number of children (%(declared)s) is less than the "
                        "%(found)s children this file and the registry link to this person."
                    )
                    % {"declared": row.children, "found": known},
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


def _parent_links(ids: list[int]) -> tuple[dict[int, dict[int, str]], dict[int, set[int]]]:
    """Child → {parent: parent's sex}, and parent → children, of these residents."""
    parents: dict[int, dict[int, str]] = defaultdict(dict)
    children: dict[int, set[int]] = defaultdict(set)
    for batch in _in_batches(ids):
        found = ParentLink.objects.filter(Q(child_id__in=batch) | Q(parent_id__in=batch))
        for parent, child, sex in found.values_list("parent_id", "child_id", "parent__sex"):
            parents[child][parent] = sex
            children[parent].add(child)
    return parents, children


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
    """Household number → (id, head id) of the registered households in the area."""
    found: dict[str, tuple[int, int | None]] = {}
    for batch in batched(sorted(numbers), param_batch(1)):
        rows = Household.objects.filter(number__in=batch).order_by("pk")
        for pk, number, head, community in rows.values_list(
            "pk", "number", "head_id", "community_id"
        ):
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


def family_load(plan: FamilyPlan, created: dict[int, int]) -> FamiliesLoaded:
    """The plan inserted, in the caller's transaction; ``created``: key → id of the residents
    this import has just inserted."""
    registered = plan.registered

    def person(key: int) -> int:
        pk = created.get(key) or registered.get(key)
        if pk is None:
            # Counted as registered meanwhile by someone else: the load's own rule applies.
            raise IntegrityError("a resident named by a family row was registered meanwhile")
        return pk

    loaded = FamiliesLoaded()
    today = timezone.localdate()
    household_ids: dict[str, int] = {}
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = _columns(Household, ["community_id", "number", "address", "head_id", "created_at"])
    for batch in batched(plan.households, 10_000):
        ids = insert_rows_returning_ids(
            Household._meta.db_table,
            str(Household._meta.pk.column),
            columns,
            [
                (community_id, number, address[:200], person(head), created_at)
                for number, community_id, address, head in batch
            ],
        )
        household_ids.update((number, pk) for (number, *_rest), pk in zip(batch, ids, strict=True))
        loaded.households += len(ids)
    adapt = connection.ops.adapt_datefield_value
    start = adapt(today)
    members = [
        (household_ids[ref] if isinstance(ref, str) else ref, person(key), relation, start, None)
        for ref, key, relation in plan.members
    ]
    columns = ["household_id", "person_id", "relation", "start_date", "end_date"]
    _insert(HouseholdMember, columns, members)
    loaded.members = len(members)
    marriages = [
        (community, person(husband), person(wife), adapt(dt.date.fromordinal(date)), None, "")
        for husband, wife, date, community in plan.marriages
    ]
    _insert(
        Marriage,
        ["community_id", "husband_id", "wife_id", "date", "end_date", "end_reason"],
        marriages,
    )
    loaded.marriages = len(marriages)
    links = [(person(parent), person(child)) for parent, child in plan.links]
    _insert(ParentLink, ["parent_id", "child_id"], links)
    loaded.links = len(links)
    return loaded


def _columns(model: type[Any], attnames: list[str]) -> list[str]:
    column_of = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    return [column_of[name] for name in attnames]


def _insert(model: type[Any], attnames: list[str], rows: list[tuple[Any, ...]]) -> None:
    columns = _columns(model, attnames)
    for batch in batched(rows, 10_000):
        insert_rows(model._meta.db_table, columns, batch)


def created_keys(digests: Iterable[str], ids: Iterable[int], into: dict[int, int]) -> None:
    """Keys of residents just inserted → their ids."""
    into.update((key_of(digest), pk) for digest, pk in zip(digests, ids, strict=True) if digest)
