"""Hardship visits (走访慰问) and certifications (升学加分核实, 光荣证 reissue).

A visit's cost is spending of its relief program; a certification carries a verification
number that staff can check later. Every write is scoped, checked and audited here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits.care.numbers import (
    certification_number_new,
)
from jisheng.benefits.eligibility import explain
from jisheng.benefits.models import (
    BenefitKind,
    Category,
    Certification,
    Program,
    Visit,
    VisitPhoto,
)
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.spending import Spending, SpendingCategory, by_shares, record_spending
from jisheng.core.uploads import checked_image
from jisheng.registry.models import Household, HouseholdMember, Person, ResidentStatus

MAX_PHOTOS_PER_VISIT = 20
MAX_COST = Decimal("9999999999.99")

_NUMBER_ATTEMPTS = 5


def _visible_person(actor: Actor, person: Person) -> Person:
    found = visible_or_404(Person, user=actor.user, pk=person.pk)
    if found.status == ResidentStatus.VOIDED:
        raise Conflict(_("This record was voided."), code="voided")
    return found


# ------------------------------------------------------------------------------- visits


def _cost(value: Decimal | str | int) -> Decimal:
    try:
        cost = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise JishengError(_("The cost must be an amount in yuan.")) from None
    if not cost.is_finite() or cost < 0:
        raise JishengError(_("The cost cannot be negative."))
    if cost != cost.quantize(Decimal("0.01")) or cost > MAX_COST:
        raise JishengError(_("The cost is in yuan and fen (two decimals)."))
    return cost.quantize(Decimal("0.01"))


def _check_relief_program(program: Program, date: dt.date) -> None:
    if program.category != Category.RELIEF:
        raise JishengError(_("Visits are recorded under a relief program."))
    if program.status == Program.Status.ENDED:
        raise Conflict(_("This program has ended."))
    if (program.valid_from and date < program.valid_from) or (
        program.valid_to and date > program.valid_to
    ):
        raise JishengError(_("The date lies outside the program's validity."))


def _check_household(actor: Actor, person: Person, household: Household) -> Household:
    found = visible_or_404(Household, user=actor.user, pk=household.pk)
    if not HouseholdMember.objects.filter(household=found, person=person).exists():
        raise JishengError(_("%(name)s is not a member of this household.") % {"name": person.name})
    return found


def _save_photos(visit: Visit, uploads: Sequence[UploadedFile[bytes]]) -> list[VisitPhoto]:
    if visit.photos.count() + len(uploads) > MAX_PHOTOS_PER_VISIT:
        raise JishengError(_("A visit keeps at most %(n)d photos.") % {"n": MAX_PHOTOS_PER_VISIT})
    # Every photo is checked before any is stored: one bad photo refuses the whole set.
    checked = [checked_image(upload) for upload in uploads]
    # The re-encoded picture is kept (no EXIF position of the family's home); visits show
    # no thumbnails, so only the picture is stored.
    return [VisitPhoto.objects.create(visit=visit, file=image.files()[0]) for image in checked]


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    program: Program,
    person: Person,
    date: dt.date,
    visitors: str,
    household: Household | None = None,
    given: str = "",
    cost: Decimal | str | int = Decimal("0.00"),
    note: str = "",
    photos: Sequence[UploadedFile[bytes]] = (),
    today: dt.date | None = None,
) -> Visit:
    """Record one visit to a family under a relief program, with its photos (JPEG or PNG).

    The visit belongs to the resident's community; whoever may take benefit applications
    there may record it. Refused as a whole when any photo is refused.
    """
    require(actor, Capability.APPLY_BENEFITS)
    person = _visible_person(actor, person)
    today = today or timezone.localdate()
    if date > today:
        raise JishengError(_("A visit cannot be dated in the future."))
    _check_relief_program(program, date)
    if household is not None:
        household = _check_household(actor, person, household)
    visitors = visitors.strip()
    if not visitors:
        raise JishengError(_("Name who visited."))
    visit = Visit.objects.create(
        program=program,
        community=person.community,
        person=person,
        household=household,
        date=date,
        visitors=visitors[:200],
        given=given.strip()[:300],
        cost=_cost(cost),
        note=note.strip(),
        recorded_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=visit, detail={"cost": str(visit.cost)})
    if visit.cost > 0:
        # The visit's cost is the relief program's money, shared as its funding shares say.
        record_spending(
            [
                Spending(
                    source="benefits.visit",
                    source_id=visit.pk,
                    amount=part,
                    day=visit.date,
                    category=SpendingCategory.BENEFITS,
                    level=level,
                    org_unit_id=visit.community_id,
                    description=f"{program.name} · {visit.given}"[:300]
                    if visit.given
                    else program.name,
                    record_view="benefits:visit_detail",
                    record_id=visit.pk,
                )
                for level, part in by_shares(visit.cost, program.funding_shares)
            ],
            actor=actor.user,
        )
    if photos:
        for photo in _save_photos(visit, photos):
            audit.record(action=Action.CREATE, actor=actor, obj=photo)
    return visit


@transaction.atomic
def visit_photos_attach(
    *, actor: Actor, visit: Visit, uploads: Sequence[UploadedFile[bytes]]
) -> list[VisitPhoto]:
    """Attach photos (JPEG or PNG, at most 10 MB each) to a visit in the actor's scope."""
    require(actor, Capability.APPLY_BENEFITS)
    locked = locked_or_404(Visit, user=actor.user, pk=visit.pk)
    if not uploads:
        raise JishengError(_("Choose at least one photo."))
    photos = _save_photos(locked, uploads)
    for photo in photos:
        audit.record(action=Action.CREATE, actor=actor, obj=photo)
    return photos


# ------------------------------------------------------------------------------- certifications


@transaction.atomic
def certification_issue(
    *,
    actor: Actor,
    program: Program,
    person: Person,
    purpose: str,
    details: str = "",
    issued_on: dt.date | None = None,
) -> Certification:
    """Issue a certificate under a service program to a resident who meets its rule."""
    require(actor, Capability.APPLY_BENEFITS)
    person = _visible_person(actor, person)
    today = timezone.localdate()
    issued_on = issued_on or today
    if issued_on > today:
        raise JishengError(_("A certificate cannot be dated in the future."))
    if program.benefit_kind != BenefitKind.SERVICE:
        raise JishengError(_("Certificates are issued under a service or certification program."))
    if program.status == Program.Status.ENDED or (
        program.valid_to and program.valid_to < issued_on
    ):
        raise Conflict(_("This program has ended."))
    purpose = purpose.strip()
    if not purpose:
        raise JishengError(_("Say what the certificate is for."))
    explanation = explain(program.rule, person, issued_on)
    if not explanation.eligible:
        raise JishengError(
            _("%(name)s does not qualify: %(reasons)s")
            % {"name": person.name, "reasons": "；".join(explanation.failures())},
            code="not_eligible",
        )
    for _attempt in range(_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                certification = Certification.objects.create(
                    program=program,
                    person=person,
                    community=person.community,
                    number=certification_number_new(issued_on.year),
                    purpose=purpose[:200],
                    details=details.strip(),
                    issued_on=issued_on,
                    issued_by=actor.user,
                )
            break
        except IntegrityError:
            continue  # a number already taken: astronomically rare, so simply draw again
    else:
        raise Conflict(_("No free verification number could be drawn; try again."))
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=certification,
        detail={"number": certification.number, "program": program.code},
    )
    return certification


@transaction.atomic
def certification_revoke(
    *, actor: Actor, certification: Certification, reason: str
) -> Certification:
    """Revoke a valid certificate with a reason; verification then answers "revoked"."""
    require(actor, Capability.APPLY_BENEFITS)
    locked = locked_or_404(Certification, user=actor.user, pk=certification.pk)
    if locked.status == Certification.Status.REVOKED:
        raise Conflict(_("This certificate has already been revoked."))
    reason = reason.strip()
    if not reason:
        raise JishengError(_("Give the reason for revoking."))
    locked.status = Certification.Status.REVOKED
    locked.revoked_reason = reason[:300]
    locked.revoked_by = actor.user
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["status", "revoked_reason", "revoked_by", "revoked_at"])
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=locked,
        detail={"status": locked.status, "number": locked.number},
    )
    return locked
