"""Registering residents: validation shared by forms, API and import; duplicate checks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import takewhile
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core.actors import Actor
from jisheng.core.dates import EARLIEST_DATE
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.idnumber import (
    mask_id_number,
    mask_phone,
    validate_id_number,
)
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry.models import (
    DuplicateFlag,
    HukouType,
    MaritalStatus,
    Person,
    ResidentStatus,
    Sex,
)

PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
PHONE_SEPARATORS = re.compile(r"[\s-]")
DIVISION_CODE = re.compile(r"\d{6}(\d{3}(\d{3})?)?")
# Choice values as sets, built once: the import checks a million rows with these.
SEXES = frozenset(Sex.values)
HUKOU_TYPES = frozenset(HukouType.values)
MARITAL_STATUSES = frozenset(MaritalStatus.values)
# GB 3304: 56 ethnic groups (01–56), 97 other, 98 foreign-born naturalised.
ETHNICITY_CODES = frozenset({f"{n:02d}" for n in range(1, 57)} | {"97", "98"})


class InvalidPerson(JishengError):
    """A resident's data failed validation; ``problems`` lists each one in Chinese."""

    code = "invalid_person"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self._problems = problems

    @property
    def problems(self) -> list[str]:
        return self._problems


@dataclass
class PersonData:
    """What a resident record needs, as entered by a person or a file."""

    name: str
    sex: str
    birth_date: dt.date | None
    id_number: str = ""
    phone: str = ""
    ethnicity: str = "01"
    hukou_type: str = HukouType.URBAN
    hukou_division: str = ""
    is_floating: bool = False
    address: str = ""
    marital_status: str = MaritalStatus.UNMARRIED
    problems: list[str] = field(default_factory=list)


def person_data_check(
    data: PersonData, *, require_id_number: bool = True, today: dt.date | None = None
) -> list[str]:
    """Every problem with the data, as Chinese sentences; empty when valid. Normalises in place.

    ``today``: the date that birth dates must not pass (default: today here); a caller
    checking many rows gives it once.
    """
    if today is None:
        today = timezone.localdate()
    problems = list(data.problems)
    data.name = data.name.strip()
    if not data.name:
        problems.append(_("Name is required."))
    elif len(data.name) > 50:
        problems.append(_("Name is longer than 50 characters."))
    if data.sex not in SEXES:
        problems.append(_("Sex must be 男 or 女."))
    if data.birth_date is None:
        problems.append(_("Birth date is missing or not a date."))
    elif data.birth_date > today:
        problems.append(_("Birth date lies in the future."))
    elif data.birth_date < EARLIEST_DATE:
        problems.append(_("Birth date lies before 1900."))
    if data.id_number:
        try:
            data.id_number = validate_id_number(
                data.id_number,
                sex=data.sex if data.sex in SEXES else None,
                birth_date=data.birth_date,
                today=today,
            )
        except ValidationError as exc:
            problems.extend(str(m) for m in exc.messages)
    elif require_id_number:
        problems.append(_("ID number is required."))
    data.phone = PHONE_SEPARATORS.sub("", data.phone or "")
    if data.phone and not PHONE_PATTERN.match(data.phone):
        problems.append(_("Phone is not a valid mobile or landline number."))
    if data.ethnicity not in ETHNICITY_CODES:
        problems.append(_("Ethnicity is not a GB 3304 code."))
    if data.hukou_type not in HUKOU_TYPES:
        problems.append(_("Hukou type must be urban or rural."))
    if data.marital_status not in MARITAL_STATUSES:
        problems.append(_("Marital status is not a GB/T 2261.2 code."))
    if data.hukou_division and not DIVISION_CODE.fullmatch(data.hukou_division):
        problems.append(_("Registered residence must be a 6, 9 or 12-digit division code."))
    if len(data.address) > 200:
        problems.append(_("Address is longer than 200 characters."))
    return problems


def require_editable_community(actor: Actor, community: OrgUnit) -> None:
    """The actor may write registry records, and the community lies in the actor's scope."""
    require(actor, Capability.EDIT_REGISTRY)
    if not community.is_community or community.pk not in actor.user.scope_unit_ids():
        raise Forbidden(_("This community lies outside your area."))


def id_number_digest(id_number: str) -> str:
    field_ = Person._meta.get_field("id_number_index")
    return field_.digest(id_number)  # the field normalises


def person_fields(data: PersonData) -> dict[str, Any]:
    """The stored fields of a resident from checked data, with masked forms
    filled in (all but the community, the blind indexes and the timestamps)."""
    if data.birth_date is None:
        raise InvalidPerson([_("Birth date is missing or not a date.")])
    return {
        "name": data.name,
        "sex": data.sex,
        "birth_date": data.birth_date,
        "id_number": data.id_number or None,
        "id_number_masked": mask_id_number(data.id_number) if data.id_number else "",
        "phone": data.phone or None,
        "phone_masked": mask_phone(data.phone) if data.phone else "",
        "ethnicity": data.ethnicity,
        "hukou_type": data.hukou_type,
        "hukou_division": data.hukou_division or (data.id_number[:6] if data.id_number else ""),
        "is_floating": data.is_floating,
        "address": data.address,
        "marital_status": data.marital_status,
        "status": ResidentStatus.LIVING,
    }


def person_build(data: PersonData, *, community: OrgUnit) -> Person:
    """An unsaved Person from checked data, with masked forms filled in (initials on save)."""
    return Person(community=community, **person_fields(data))


def person_insert(
    *, actor: Actor, community: OrgUnit, data: PersonData, require_id_number: bool = True
) -> Person:
    """Validate, refuse a known ID number, save, and flag likely duplicates.

    Callers wrap this in their event (registration, birth, move-in) and transaction.
    """
    require_editable_community(actor, community)
    problems = person_data_check(data, require_id_number=require_id_number)
    if problems:
        raise InvalidPerson(problems)
    if (
        data.id_number
        and Person.objects.filter(id_number_index=id_number_digest(data.id_number)).exists()
    ):
        raise Conflict(_("This ID number is already registered."), code="duplicate_id_number")
    person = person_build(data, community=community)
    person.save()
    flag_likely_duplicates(person)
    return person


def flag_unit_resolver() -> Callable[[int, int], int]:
    """Where a flag for two communities belongs: the shared community, else the lowest unit
    above both (the street), so that neither community's worker sees the other's resident."""
    units = list(OrgUnit.objects.values_list("pk", "code", "path"))
    path_of = {pk: path.strip("/").split("/") for pk, _code, path in units}
    pk_of = {code: pk for pk, code, _path in units}

    def resolve(community_id: int, other_community_id: int) -> int:
        if community_id == other_community_id:
            return community_id
        shared = [
            mine
            for mine, _theirs in takewhile(
                lambda pair: pair[0] == pair[1],
                zip(path_of[community_id], path_of[other_community_id], strict=False),
            )
        ]
        return pk_of[shared[-1]] if shared else community_id

    return resolve


def flag_likely_duplicates(person: Person) -> list[DuplicateFlag]:
    """Flag earlier records with the same name and birth date, or the same name and phone."""
    same_name = (
        Person.objects.filter(name=person.name)
        .exclude(pk=person.pk)
        .exclude(status=ResidentStatus.VOIDED)
    )
    matches: dict[int, str] = {}
    for pk in same_name.filter(birth_date=person.birth_date).values_list("pk", flat=True):
        matches[pk] = DuplicateFlag.Reason.NAME_BIRTH_DATE
    if person.phone_index:
        for pk in same_name.filter(phone_index=person.phone_index).values_list("pk", flat=True):
            matches.setdefault(pk, DuplicateFlag.Reason.NAME_PHONE)
    already = set(
        DuplicateFlag.objects.filter(Q(person=person) | Q(candidate=person)).values_list(
            "candidate_id", flat=True
        )
    )
    communities = dict(Person.objects.filter(pk__in=matches).values_list("pk", "community_id"))
    flag_unit_id = flag_unit_resolver()
    return DuplicateFlag.objects.bulk_create(
        [
            DuplicateFlag(
                person=person,
                candidate_id=pk,
                community_id=flag_unit_id(person.community_id, communities[pk]),
                reason=reason,
            )
            for pk, reason in matches.items()
            if pk not in already
        ]
    )
