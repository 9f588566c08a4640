"""Writes of the targets module: books, their lines and signing; assessments, adjustments,
vetoes and approval; meetings and action items. Each checks the duty first, then the
state, and records itself in the audit trail inside its transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core import modules
from jisheng.core.actors import Actor
from jisheng.core.dates import not_in_future, possible_date
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.indicators import Period
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.text import clean_text
from jisheng.core.uploads import DOCUMENT_SUFFIXES, check_upload
from jisheng.targets import scoring
from jisheng.targets.models import (
    ActionItem,
    ActionState,
    Adjustment,
    Assessment,
    AssessmentLine,
    AssessmentState,
    BonusBand,
    BookLine,
    BookState,
    Department,
    Meeting,
    MeetingKind,
    PartyKind,
    Scoring,
    TargetBook,
    VetoFinding,
    VetoItem,
)

WEIGHT_SUM = Decimal(100)
REASON_LENGTH = 300


def _street_of(actor: Actor) -> OrgUnit:
    """The street the acting staff member works for: books are signed by a street."""
    unit = actor.user.org_unit
    if unit is None or unit.kind != OrgUnit.Kind.STREET:
        raise JishengError(_("Only street staff sign target books."), code="not_street")
    return unit


def _check_year(year: int) -> int:
    today = timezone.localdate()
    if not 2000 <= year <= today.year + 1:
        raise JishengError(_("The year is not valid."), code="invalid_year")
    return year


def _staff_in_scope(actor: Actor, user: User | None) -> User | None:
    if user is not None and (
        not user.is_active or user.org_unit_id not in actor.user.scope_unit_ids()
    ):
        raise JishengError(_("Choose a staff member of your area."), code="invalid_staff")
    return user


def book_create(
    *,
    actor: Actor,
    year: int,
    kind: str,
    community: OrgUnit | None = None,
    cadre: User | None = None,
    department: Department | None = None,
) -> TargetBook:
    """A draft book of ``year`` with one party; one book per party and year."""
    require(actor, Capability.MANAGE_TARGETS)
    street = _street_of(actor)
    _check_year(year)
    if kind == PartyKind.DEPARTMENT:
        if department is None or department.street_id != street.pk:
            raise JishengError(_("Choose a department of your street."), code="invalid_party")
        owner = measured = street
        community = cadre = None
    elif kind in (PartyKind.COMMUNITY, PartyKind.CADRE):
        if community is None or not community.is_community or community.parent_id != street.pk:
            raise JishengError(_("Choose a community of your street."), code="invalid_party")
        measured = community
        owner = community
        department = None
        if kind == PartyKind.CADRE:
            if _staff_in_scope(actor, cadre) is None or cadre.org_unit_id != street.pk:  # type: ignore[union-attr]
                raise JishengError(_("Choose a cadre of the street office."), code="invalid_party")
            # A cadre's book is the street's business, not the community's.
            owner = street
        else:
            cadre = None
    else:
        raise JishengError(_("Choose who signs the book."), code="invalid_party")
    try:
        with transaction.atomic():
            book = TargetBook.objects.create(
                year=year,
                street=street,
                kind=kind,
                community=community,
                cadre=cadre,
                department=department,
                owner_unit=owner,
                measured_unit=measured,
                created_by=actor.user,
            )
            audit.record(action=Action.CREATE, actor=actor, obj=book, detail={"year": year})
    except IntegrityError as exc:
        raise Conflict(
            _("This party already has a book for that year."), code="book_exists"
        ) from exc
    return book


def book_copy(*, actor: Actor, source: TargetBook, year: int) -> TargetBook:
    """A draft of ``year`` for the same party as ``source`` (usually last year's), with its
    lines, responsible staff and veto items as a starting point."""
    require(actor, Capability.MANAGE_TARGETS)
    source = visible_or_404(TargetBook, user=actor.user, pk=source.pk)
    if year <= source.year:
        raise JishengError(_("Copy a book into a later year."), code="invalid_year")
    with transaction.atomic():
        book = book_create(
            actor=actor,
            year=year,
            kind=source.kind,
            community=source.community,
            cadre=source.cadre,
            department=source.department,
        )
        book.copied_from = source
        book.save(update_fields=["copied_from"])
        BookLine.objects.bulk_create(
            BookLine(
                book=book,
                indicator=line.indicator,
                target=line.target,
                floor=line.floor,
                scoring=line.scoring,
                weight=line.weight,
                responsible=line.responsible
                if line.responsible and line.responsible.is_active
                else None,
            )
            for line in source.lines.select_related("responsible")
        )
        book.veto_items.set(source.veto_items.filter(active=True))
        audit.record(action=Action.CREATE, actor=actor, obj=book, detail={"copied_from": source.pk})
    return book


def _draft(actor: Actor, book: TargetBook) -> TargetBook:
    """The book locked for a change; refused once signed."""
    require(actor, Capability.MANAGE_TARGETS)
    found = locked_or_404(TargetBook, user=actor.user, pk=book.pk)
    if found.state != BookState.DRAFT:
        raise Conflict(_("A signed book can no longer be changed."), code="book_signed")
    return found


def _check_terms(
    indicator: str, target: Decimal, floor: Decimal, scoring_: str, weight: Decimal
) -> None:
    known = modules.indicators()
    if indicator not in known:
        raise JishengError(_("Choose an indicator."), code="invalid_indicator")
    if scoring_ not in Scoring.values:
        raise JishengError(_("Choose how the line is scored."), code="invalid_scoring")
    if not Decimal(0) < weight <= WEIGHT_SUM:
        raise JishengError(_("The weight must lie between 0 and 100."), code="invalid_weight")
    if scoring_ == Scoring.LINEAR:
        higher = known[indicator].higher_is_better
        if (higher and floor >= target) or (not higher and floor <= target):
            raise JishengError(
                _("The floor must be worse than the target (lower when higher is better)."),
                code="invalid_floor",
            )


def book_line_set(
    *,
    actor: Actor,
    book: TargetBook,
    indicator: str,
    target: Decimal,
    floor: Decimal,
    scoring: str,
    weight: Decimal,
    responsible: User | None = None,
) -> BookLine:
    """Add the indicator to a draft book, or change its terms if it is there already.

    The weights of a book may not pass 100 (a signed book's sum to exactly 100)."""
    _check_terms(indicator, target, floor, scoring, weight)
    with transaction.atomic():
        found = _draft(actor, book)
        _staff_in_scope(actor, responsible)
        others = sum((line.weight for line in found.lines.exclude(indicator=indicator)), Decimal(0))
        if others + weight > WEIGHT_SUM:
            raise JishengError(
                _("The weights would add up to %(sum)s; they must sum to 100.")
                % {"sum": others + weight},
                code="weights",
            )
        line, created = BookLine.objects.update_or_create(
            book=found,
            indicator=indicator,
            defaults={
                "target": target,
                "floor": floor,
                "scoring": scoring,
                "weight": weight,
                "responsible": responsible,
            },
        )
        audit.record(
            action=Action.CREATE if created else Action.UPDATE,
            actor=actor,
            obj=line,
            detail={"book": found.pk},
        )
    return line


def book_line_remove(*, actor: Actor, line: BookLine) -> None:
    with transaction.atomic():
        found_line = visible_or_404(BookLine, user=actor.user, pk=line.pk)
        _draft(actor, found_line.book)
        audit.record(action=Action.DELETE, actor=actor, obj=found_line)
        found_line.delete()


def book_veto_items_set(*, actor: Actor, book: TargetBook, items: list[VetoItem]) -> TargetBook:
    """The veto items of a draft book (those still in use)."""
    with transaction.atomic():
        found = _draft(actor, book)
        found.veto_items.set([item for item in items if item.active])
        audit.record(
            action=Action.UPDATE, actor=actor, obj=found, detail={"veto_items": len(items)}
        )
    return found


def book_sign(
    *, actor: Actor, book: TargetBook, party_signatory: str, signed_on: dt.date
) -> TargetBook:
    """Both parties sign: the street (the acting staff member) and the party's signatory.
    Refused unless the weights sum to exactly 100."""
    party_signatory = clean_text(party_signatory)
    if not party_signatory:
        raise JishengError(_("Name who signs for the party."), code="signatory")
    possible_date(signed_on)
    with transaction.atomic():
        found = _draft(actor, book)
        weights = sum((line.weight for line in found.lines.all()), Decimal(0))
        if weights != WEIGHT_SUM:
            raise JishengError(
                _("The weights add up to %(sum)s; they must sum to 100.") % {"sum": weights},
                code="weights",
            )
        found.state = BookState.SIGNED
        found.street_signatory = actor.user
        found.party_signatory = party_signatory[:50]
        found.signed_on = signed_on
        found.save(update_fields=["state", "street_signatory", "party_signatory", "signed_on"])
        audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"signed": True})
    return found


def _bands(street: OrgUnit) -> list[tuple[Decimal, Decimal]]:
    return list(BonusBand.objects.filter(street=street).values_list("min_score", "coefficient"))


def _retotal(assessment: Assessment) -> None:
    assessment.adjustment_points = sum((a.points for a in assessment.adjustments.all()), Decimal(0))
    assessment.vetoed = assessment.vetoes.exists()
    assessment.total = scoring.total(
        assessment.line_points, assessment.adjustment_points, vetoed=assessment.vetoed
    )
    assessment.bonus_coefficient = scoring.coefficient(
        assessment.total, _bands(assessment.book.street)
    )
    assessment.save()


def _refuse_frozen(state: str) -> None:
    if state != AssessmentState.DRAFT:
        raise Conflict(
            _("An approved assessment is frozen and can no longer be changed."), code="frozen"
        )


def assessment_check_open(*, actor: Actor, assessment: Assessment) -> None:
    """Refuse (409) a change to an approved assessment before any of its input is read: an
    evidence file is not taken for an assessment that cannot take it."""
    require(actor, Capability.MANAGE_TARGETS)
    state = (
        Assessment.objects.visible_to(actor.user)
        .filter(pk=assessment.pk)
        .values_list("state", flat=True)
        .first()
    )
    if state is None:
        raise NotFound()
    _refuse_frozen(state)


def _open_assessment(actor: Actor, assessment: Assessment) -> Assessment:
    require(actor, Capability.MANAGE_TARGETS)
    found = locked_or_404(
        Assessment.objects.select_related("book__street", "book__measured_unit"),
        user=actor.user,
        pk=assessment.pk,
    )
    _refuse_frozen(found.state)
    return found


def _compute_lines(assessment: Assessment, period: Period) -> None:
    """Recompute every line from live data (a draft only)."""
    known = modules.indicators()
    book = assessment.book
    assessment.lines.all().delete()
    rows: list[AssessmentLine] = []
    for line in book.lines.order_by("pk"):
        indicator = known.get(line.indicator)
        value = indicator.compute(book.measured_unit, period) if indicator else None
        got = (
            scoring.points(
                scoring.Terms(
                    line.target, line.floor, line.scoring, line.weight, indicator.direction
                ),
                value,
            )
            if indicator
            else None
        )
        rows.append(
            AssessmentLine(
                assessment=assessment,
                book_line=line,
                indicator=line.indicator,
                target=line.target,
                floor=line.floor,
                scoring=line.scoring,
                weight=line.weight,
                value=value,
                points=got,
            )
        )
    AssessmentLine.objects.bulk_create(rows)
    assessment.line_points = scoring.line_total((row.weight, row.points) for row in rows)
    assessment.computed_at = timezone.now()


def assessment_run(*, actor: Actor, book: TargetBook, period: Period) -> Assessment:
    """Score a signed book over a quarter or its year from live data: the draft assessment
    of that period, created or recomputed. An approved one is frozen and refused."""
    require(actor, Capability.MANAGE_TARGETS)
    if period.year != book.year:
        raise JishengError(_("The period lies outside the book's year."), code="invalid_period")
    with transaction.atomic():
        found_book = locked_or_404(
            TargetBook.objects.select_related("street", "measured_unit"),
            user=actor.user,
            pk=book.pk,
        )
        if not found_book.is_signed:
            raise Conflict(_("Only a signed book can be assessed."), code="book_not_signed")
        assessment, created = Assessment.objects.get_or_create(
            book=found_book,
            year=period.year,
            quarter=period.quarter or 0,
            defaults={"created_by": actor.user},
        )
        if not created:
            assessment = _open_assessment(actor, assessment)
        _compute_lines(assessment, period)
        _retotal(assessment)
        audit.record(
            action=Action.CREATE if created else Action.UPDATE,
            actor=actor,
            obj=assessment,
            detail={"period": period.label},
        )
    return assessment


def assessment_adjust(
    *,
    actor: Actor,
    assessment: Assessment,
    points: Decimal,
    reason: str,
    evidence: UploadedFile[bytes],
) -> Adjustment:
    """A manual change of points with its reason and evidence (a scan or photo)."""
    assessment_check_open(actor=actor, assessment=assessment)
    reason = clean_text(reason)
    if not reason:
        raise JishengError(_("Give the reason for the adjustment."), code="reason")
    if points == 0 or abs(points) > scoring.HUNDRED:
        raise JishengError(
            _("The adjustment must lie between -100 and 100 and not be 0."), code="points"
        )
    if evidence is None:
        raise JishengError(_("Attach the evidence (PDF, JPG or PNG)."), code="evidence")
    check_upload(evidence, allowed=DOCUMENT_SUFFIXES)
    with transaction.atomic():
        found = _open_assessment(actor, assessment)
        adjustment = Adjustment.objects.create(
            assessment=found,
            points=points,
            reason=reason[:REASON_LENGTH],
            evidence=evidence,
            created_by=actor.user,
        )
        _retotal(found)
        audit.record(
            action=Action.CREATE,
            actor=actor,
            obj=adjustment,
            detail={"assessment": found.pk, "points": str(points)},
        )
    return adjustment


def assessment_veto(
    *, actor: Actor, assessment: Assessment, veto_item: VetoItem, reason: str
) -> VetoFinding:
    """Record that a veto item of the book applies: the total becomes zero."""
    reason = clean_text(reason)
    if not reason:
        raise JishengError(_("Give the reason for the veto."), code="reason")
    with transaction.atomic():
        found = _open_assessment(actor, assessment)
        if not found.book.veto_items.filter(pk=veto_item.pk).exists():
            raise JishengError(_("This veto item is not in the book."), code="invalid_veto")
        finding, created = VetoFinding.objects.get_or_create(
            assessment=found,
            veto_item=veto_item,
            defaults={"reason": reason[:REASON_LENGTH], "recorded_by": actor.user},
        )
        if not created:
            raise Conflict(_("This veto item is already recorded."), code="veto_exists")
        _retotal(found)
        audit.record(
            action=Action.CREATE, actor=actor, obj=finding, detail={"assessment": found.pk}
        )
    return finding


def assessment_approve(*, actor: Actor, assessment: Assessment) -> Assessment:
    """The leader approves: the assessment is frozen with the values it has now."""
    require(actor, Capability.APPROVE_ASSESSMENTS)
    with transaction.atomic():
        found = locked_or_404(Assessment, user=actor.user, pk=assessment.pk)
        if found.state != AssessmentState.DRAFT:
            raise Conflict(_("This assessment is already approved."), code="frozen")
        if found.computed_at is None:
            raise Conflict(_("Compute the assessment before approving it."), code="not_computed")
        found.state = AssessmentState.APPROVED
        found.approved_by = actor.user
        found.approved_at = timezone.now()
        found.save(update_fields=["state", "approved_by", "approved_at"])
        audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"approved": True})
    return found


def department_create(*, actor: Actor, name: str, active: bool = True) -> Department:
    """A department of the actor's street that books can be signed with."""
    require(actor, Capability.MANAGE_TARGETS)
    street = _street_of(actor)
    name = _data_name(name, _("Give the department's name."), limit=100)
    try:
        with transaction.atomic():
            department = Department.objects.create(street=street, name=name, active=active)
            audit.record(action=Action.CREATE, actor=actor, obj=department)
    except IntegrityError as exc:
        raise Conflict(_("This department exists already."), code="department_exists") from exc
    return department


def _data_name(name: str, message: str, *, limit: int) -> str:
    name = clean_text(name)
    if not name:
        raise JishengError(message, code="name")
    if len(name) > limit:
        raise JishengError(
            _("The name is longer than %(limit)d characters.") % {"limit": limit}, code="name"
        )
    return name


def department_update(
    *, actor: Actor, department: Department, name: str, active: bool
) -> Department:
    """Rename a department of the actor's street or take it out of use (books keep it)."""
    require(actor, Capability.MANAGE_TARGETS)
    name = _data_name(name, _("Give the department's name."), limit=100)
    try:
        with transaction.atomic():
            found = locked_or_404(Department, user=actor.user, pk=department.pk)
            found.name, found.active = name, active
            found.save(update_fields=["name", "active"])
            audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"active": active})
    except IntegrityError as exc:
        raise Conflict(_("This department exists already."), code="department_exists") from exc
    return found


def veto_item_create(
    *, actor: Actor, name: str, description: str = "", active: bool = True
) -> VetoItem:
    """A new 一票否决 item books may list (veto items are one list for every street)."""
    require(actor, Capability.MANAGE_TARGETS)
    _street_of(actor)
    name = _data_name(name, _("Name the veto item."), limit=200)
    try:
        with transaction.atomic():
            item = VetoItem.objects.create(
                name=name, description=clean_text(description)[:500], active=active
            )
            audit.record(action=Action.CREATE, actor=actor, obj=item)
    except IntegrityError as exc:
        raise Conflict(_("This veto item exists already."), code="veto_item_exists") from exc
    return item


def veto_item_update(
    *, actor: Actor, item: VetoItem, name: str, description: str, active: bool
) -> VetoItem:
    """Reword a veto item or take it out of use (books and findings keep it)."""
    require(actor, Capability.MANAGE_TARGETS)
    _street_of(actor)
    name = _data_name(name, _("Name the veto item."), limit=200)
    try:
        with transaction.atomic():
            found = locked_or_404(VetoItem, user=actor.user, pk=item.pk)
            found.name, found.description, found.active = (
                name,
                clean_text(description)[:500],
                active,
            )
            found.save(update_fields=["name", "description", "active"])
            audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"active": active})
    except IntegrityError as exc:
        raise Conflict(_("This veto item exists already."), code="veto_item_exists") from exc
    return found


MAX_COEFFICIENT = Decimal(10)


def _check_band(min_score: Decimal, coefficient: Decimal) -> None:
    if not 0 <= min_score <= scoring.HUNDRED:
        raise JishengError(_("The lowest score must lie between 0 and 100."), code="min_score")
    if not 0 <= coefficient <= MAX_COEFFICIENT:
        raise JishengError(
            _("The bonus coefficient must lie between 0 and 10."), code="coefficient"
        )


def bonus_band_create(*, actor: Actor, min_score: Decimal, coefficient: Decimal) -> BonusBand:
    """A band of the actor's street: totals from ``min_score`` up get ``coefficient``.
    Assessments already approved keep the coefficient they were approved with."""
    require(actor, Capability.MANAGE_TARGETS)
    street = _street_of(actor)
    _check_band(min_score, coefficient)
    try:
        with transaction.atomic():
            band = BonusBand.objects.create(
                street=street, min_score=min_score, coefficient=coefficient
            )
            audit.record(action=Action.CREATE, actor=actor, obj=band)
    except IntegrityError as exc:
        raise Conflict(_("A band already starts at this score."), code="band_exists") from exc
    return band


def bonus_band_update(
    *, actor: Actor, band: BonusBand, min_score: Decimal, coefficient: Decimal
) -> BonusBand:
    """Change a band of the actor's street (approved assessments keep their coefficient)."""
    require(actor, Capability.MANAGE_TARGETS)
    _check_band(min_score, coefficient)
    try:
        with transaction.atomic():
            found = locked_or_404(BonusBand, user=actor.user, pk=band.pk)
            found.min_score, found.coefficient = min_score, coefficient
            found.save(update_fields=["min_score", "coefficient"])
            audit.record(
                action=Action.UPDATE,
                actor=actor,
                obj=found,
                detail={"min_score": str(min_score), "coefficient": str(coefficient)},
            )
    except IntegrityError as exc:
        raise Conflict(_("A band already starts at this score."), code="band_exists") from exc
    return found


def meeting_create(
    *,
    actor: Actor,
    kind: str,
    date: dt.date,
    title: str,
    chair: User | None = None,
    attendees: list[User] | None = None,
    other_attendees: str = "",
    topics: str = "",
    decisions: str = "",
) -> Meeting:
    """A meeting held by the acting staff member's unit (its date: today or earlier)."""
    require(actor, Capability.MANAGE_TARGETS)
    unit = actor.user.org_unit
    if unit is None:
        raise NotFound()
    if kind not in MeetingKind.values:
        raise JishengError(_("Choose the kind of meeting."), code="invalid_kind")
    possible_date(date)
    title = clean_text(title)
    if not title:
        raise JishengError(_("Give the meeting a title."), code="title")
    _staff_in_scope(actor, chair)
    for person in attendees or []:
        _staff_in_scope(actor, person)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            org_unit=unit,
            kind=kind,
            date=date,
            title=title[:200],
            chair=chair,
            other_attendees=clean_text(other_attendees)[:500],
            topics=clean_text(topics, multiline=True),
            decisions=clean_text(decisions, multiline=True),
            created_by=actor.user,
        )
        meeting.attendees.set(attendees or [])
        audit.record(action=Action.CREATE, actor=actor, obj=meeting, detail={"kind": kind})
    return meeting


def action_item_add(
    *, actor: Actor, meeting: Meeting, description: str, owner: User, due_on: dt.date
) -> ActionItem:
    """A task the meeting gave one person, due on or after the meeting's day."""
    require(actor, Capability.MANAGE_TARGETS)
    description = clean_text(description)
    if not description:
        raise JishengError(_("Say what is to be done."), code="description")
    _staff_in_scope(actor, owner)
    with transaction.atomic():
        found = locked_or_404(Meeting, user=actor.user, pk=meeting.pk)
        if due_on < found.date:
            raise JishengError(_("The due date lies before the meeting."), code="invalid_due_date")
        item = ActionItem.objects.create(
            meeting=found, description=description[:300], owner=owner, due_on=due_on
        )
        audit.record(action=Action.CREATE, actor=actor, obj=item, detail={"meeting": found.pk})
    return item


def _managed_item(actor: Actor, item: ActionItem) -> ActionItem:
    require(actor, Capability.MANAGE_TARGETS)
    return locked_or_404(ActionItem, user=actor.user, pk=item.pk)


def action_item_done(*, actor: Actor, item: ActionItem, done_on: dt.date) -> ActionItem:
    """Mark a task done: by its owner or by the staff who manage targets."""
    not_in_future(done_on)
    with transaction.atomic():
        # The owner may close their own task even when the meeting is outside their area.
        owned = ActionItem.objects.select_for_update().filter(pk=item.pk, owner=actor.user)
        found = owned.first() or _managed_item(actor, item)
        if found.status == ActionState.DONE:
            raise Conflict(_("This task is already done."), code="already_done")
        found.status = ActionState.DONE
        found.done_on = done_on
        found.save(update_fields=["status", "done_on"])
        audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"done": True})
    return found
