"""API of family ties: read a resident's family, make one family correction (the same
services as the pages); undo through ``POST /events`` with ``kind: "reversal"``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from jisheng.core.actors import Actor
from jisheng.core.api_helpers import Id, PathId, api_actor, required
from jisheng.core.errors import JishengError
from jisheng.core.lookups import visible_or_404
from jisheng.registry import selectors
from jisheng.registry.api import EventOut, RelationCode
from jisheng.registry.models import Household, LifeEvent, Marriage, Person
from jisheng.registry.selectors import Family, Relative
from jisheng.registry.services import family
from jisheng.registry.services.family import EVIDENCE_LENGTH, Grounds, NonResidentData

router = Router(tags=["registry"])


class RelativeOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    status: str
    resident: bool
    alive: bool
    death_date: dt.date | None
    disability_grade: int | None
    lives_in: str
    marriage_id: int | None
    married_on: dt.date | None
    marriage_ended_on: dt.date | None

    @staticmethod
    def from_relative(relative: Relative) -> RelativeOut:
        person, marriage = relative.person, relative.marriage
        return RelativeOut(
            id=person.pk,
            name=person.name,
            sex=person.sex,
            birth_date=person.birth_date,
            status=person.status,
            resident=relative.resident,
            alive=relative.alive,
            death_date=relative.death_date,
            disability_grade=relative.disability_grade,
            lives_in=person.address if not relative.resident else person.community.name,
            marriage_id=marriage.pk if marriage else None,
            married_on=marriage.date if marriage else None,
            marriage_ended_on=marriage.end_date if marriage else None,
        )


class HouseholdMemberOut(Schema):
    person_id: int
    name: str
    relation: str


class FamilyOut(Schema):
    person_id: int
    parents: list[RelativeOut]
    spouses: list[RelativeOut]
    children: list[RelativeOut]
    household_id: int | None
    relation: str | None
    members: list[HouseholdMemberOut]
    children_count: int
    living_children: int
    living_sons: int
    deceased_children: int

    @staticmethod
    def from_family(found: Family) -> FamilyOut:
        def rows(relatives: list[Relative]) -> list[RelativeOut]:
            return [RelativeOut.from_relative(r) for r in relatives]

        membership = found.membership
        return FamilyOut(
            person_id=found.person.pk,
            parents=rows(found.parents),
            spouses=rows(found.spouses),
            children=rows(found.children),
            household_id=membership.household_id if membership else None,
            relation=membership.relation if membership else None,
            members=[
                HouseholdMemberOut(person_id=m.person_id, name=m.person.name, relation=m.relation)
                for m in found.members
            ],
            children_count=len(found.children),
            living_children=len(found.living_children),
            living_sons=found.living_sons,
            deceased_children=found.deceased_children,
        )


Text200 = Annotated[str, Field(max_length=200)]


class NonResidentIn(Schema):
    name: str = Field(max_length=50)
    sex: Literal["M", "F"]
    birth_date: dt.date
    id_number: str = Field("", max_length=20, description="可不填；填写则须有效且未登记")
    lives_in: Text200 = ""
    death_date: dt.date | None = None
    disability_grade: int | None = Field(None, ge=1, le=4)


class FamilyChangeIn(Schema):
    """One family correction. Which fields are needed depends on ``kind``."""

    kind: Literal[
        "parent_link",
        "parent_unlink",
        "spouse_link",
        "spouse_unlink",
        "household_head",
        "member_relation",
        "non_resident_child",
        "non_resident_facts",
    ]
    evidence: str = Field(
        max_length=EVIDENCE_LENGTH, description="证明材料（如户口簿、结婚证及编号）"
    )
    reason: Text200
    date: dt.date = Field(description="更正登记日期")
    person_id: Id | None = Field(
        None,
        description="子女（关联/解除父母）；丈夫（关联配偶）；新户主；成员；父或母（非本地子女）",
    )
    other_person_id: Id | None = Field(
        None, description="父或母（关联/解除父母）；妻子（关联配偶）；非本地子女的另一位父母"
    )
    household_id: Id | None = None
    marriage_id: Id | None = None
    married_on: dt.date | None = None
    relation: RelationCode | None = None
    child: NonResidentIn | None = Field(None, description="非本地居住的子女")
    lives_in: Text200 = ""
    death_date: dt.date | None = None
    disability_grade: int | None = Field(None, ge=1, le=4)


def _person(actor: Actor, pk: int | None, field: str) -> Person:
    return visible_or_404(Person, user=actor.user, pk=required(pk, field))


def _change(actor: Actor, body: FamilyChangeIn) -> LifeEvent:
    """Translate the request into exactly one service call."""
    grounds = Grounds(evidence=body.evidence, reason=body.reason, date=body.date)
    match body.kind:
        case "parent_link" | "parent_unlink":
            service = family.parent_link if body.kind == "parent_link" else family.parent_unlink
            return service(
                actor=actor,
                child=_person(actor, body.person_id, "person_id"),
                parent=_person(actor, body.other_person_id, "other_person_id"),
                grounds=grounds,
            )
        case "spouse_link":
            return family.spouse_link(
                actor=actor,
                husband=_person(actor, body.person_id, "person_id"),
                wife=_person(actor, body.other_person_id, "other_person_id"),
                married_on=required(body.married_on, "married_on"),
                grounds=grounds,
            )
        case "spouse_unlink":
            marriage = visible_or_404(
                Marriage, user=actor.user, pk=required(body.marriage_id, "marriage_id")
            )
            return family.spouse_unlink(actor=actor, marriage=marriage, grounds=grounds)
        case "household_head":
            return family.household_head_change(
                actor=actor,
                household=visible_or_404(
                    Household, user=actor.user, pk=required(body.household_id, "household_id")
                ),
                head=_person(actor, body.person_id, "person_id"),
                former_head_relation=required(body.relation, "relation"),
                grounds=grounds,
            )
        case "member_relation":
            return family.member_relation_change(
                actor=actor,
                person=_person(actor, body.person_id, "person_id"),
                relation=required(body.relation, "relation"),
                grounds=grounds,
            )
        case "non_resident_child":
            child = required(body.child, "child")
            other = body.other_person_id
            return family.non_resident_child_record(
                actor=actor,
                parent=_person(actor, body.person_id, "person_id"),
                child=NonResidentData(**child.dict()),
                other_parent=None if other is None else _person(actor, other, "other_person_id"),
                grounds=grounds,
            )
        case "non_resident_facts":
            return family.non_resident_update(
                actor=actor,
                person=_person(actor, body.person_id, "person_id"),
                lives_in=body.lives_in,
                death_date=body.death_date,
                disability_grade=body.disability_grade,
                grounds=grounds,
            )
    raise JishengError("未知的 kind", code="invalid_input")  # pragma: no cover - schema refuses


@router.get(
    "/persons/{person_id}/family", response=FamilyOut, summary="家庭关系（父母、配偶、子女、户）"
)
def person_family(request: HttpRequest, person_id: PathId) -> FamilyOut:
    found = selectors.person_family(actor=api_actor(request), person_id=person_id)
    return FamilyOut.from_family(found)


@router.post(
    "/family",
    response={201: EventOut},
    summary="家庭关系更正（关联、解除、户主、关系、非本地子女）",
)
def family_change(request: HttpRequest, body: FamilyChangeIn) -> Status[LifeEvent]:
    return Status(201, _change(api_actor(request), body))
