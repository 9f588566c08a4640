"""Publicity writes: assets, activities, trainings, photos, and the costs handed to funds.

Every write checks the duty and the unit, is audited, and hands any cost to the funds ledger
(``core.spending``) in the same transaction as a :class:`CostEntry`, so a cost reaches the
ledger exactly once, and a correction reaches it as a reversal plus the new amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import JishengError
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.spending import Spending, SpendingCategory, record_spending
from jisheng.core.uploads import checked_image
from jisheng.publicity.models import Activity, Asset, CostEntry, Photo, Training
from jisheng.publicity.selectors import staff_in_scope

MAX_COST = Decimal("10000000")
MAX_PHOTOS = 20
COMMUNITY_KINDS = (OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE)


@dataclass(frozen=True)
class PhotoUpload:
    """A photo as sent, with its caption."""

    file: UploadedFile[bytes]
    caption: str = ""


# --------------------------------------------------------------------------------- helpers


def _unit(actor: Actor, unit: OrgUnit, *, street_wide: Capability) -> OrgUnit:
    """The unit, if in the actor's scope; a street-level unit needs ``street_wide`` too."""
    found = visible_or_404(OrgUnit, user=actor.user, pk=unit.pk)
    if found.kind not in COMMUNITY_KINDS:
        require(actor, street_wide)
        if found.kind != OrgUnit.Kind.STREET:
            raise JishengError(_("Choose a community or the street."))
    return found


def _money(value: Decimal | str | int) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise JishengError(_("The cost is not a valid amount."), code="invalid_input") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_COST:
        raise JishengError(_("The cost must be between 0 and 10,000,000 yuan."))
    return amount


def _text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise JishengError(_("%(field)s is required.") % {"field": field})
    if len(value) > limit:
        raise JishengError(
            _("%(field)s has at most %(n)d characters.") % {"field": field, "n": limit}
        )
    return value


def _level(unit: OrgUnit) -> str:
    """The funding level that pays: the community's own budget, or the street's."""
    return "community" if unit.kind in COMMUNITY_KINDS else "street"


def spending_of(entry: CostEntry) -> Spending:
    """The ledger's view of one cost entry: its id is the source id, so each entry is
    received once; the unit's kind names the funding level that pays."""
    record: Activity | Training = entry.activity or entry.training  # type: ignore[assignment]
    is_activity = isinstance(record, Activity)
    label = record.title if isinstance(record, Activity) else record.topic
    return Spending(
        source="publicity.activity" if is_activity else "publicity.training",
        source_id=entry.pk,
        amount=entry.amount,
        day=entry.day,
        category=SpendingCategory.PUBLICITY if is_activity else SpendingCategory.TRAINING,
        level=_level(entry.org_unit),
        org_unit_id=entry.org_unit_id,
        description=(_("Reversal: %(what)s") % {"what": label}) if entry.reverses_id else label,
        reverses=entry.reverses_id is not None,
        record_view="publicity:activity_detail" if is_activity else "publicity:training_detail",
        record_id=record.pk,
    )


def _hand_cost(
    *,
    actor: Actor,
    record: Activity | Training,
    amount: Decimal,
    day: dt.date,
    reverses: CostEntry | None = None,
) -> CostEntry:
    """One cost entry, handed to the ledger in this transaction."""
    entry = CostEntry.objects.create(
        org_unit=record.org_unit,
        activity=record if isinstance(record, Activity) else None,
        training=record if isinstance(record, Training) else None,
        amount=amount,
        day=day,
        reverses=reverses,
        recorded_by=actor.user,
    )
    record_spending([spending_of(entry)], actor=actor.user)
    audit.record(action=Action.CREATE, actor=actor, obj=entry, detail={"amount": str(amount)})
    return entry


def _correct_cost(actor: Actor, record: Activity | Training, cost: Decimal) -> list[CostEntry]:
    """Reverse the standing entries' sum and hand the new amount; nothing when unchanged."""
    if cost == record.cost:
        return []
    day = record.date if isinstance(record, Activity) else record.start_date
    entries: list[CostEntry] = []
    standing = record.cost_entries.filter(reverses__isnull=True).order_by("-pk").first()
    if record.cost:
        entries.append(
            _hand_cost(actor=actor, record=record, amount=-record.cost, day=day, reverses=standing)
        )
    if cost:
        entries.append(_hand_cost(actor=actor, record=record, amount=cost, day=day))
    old = record.cost
    record.cost = cost
    record.save(update_fields=["cost"])
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=record,
        detail={"cost": str(cost), "was": str(old)},
    )
    return entries


def _stored_photos(
    actor: Actor,
    uploads: Sequence[PhotoUpload],
    *,
    unit: OrgUnit,
    activity: Activity | None = None,
    asset: Asset | None = None,
) -> list[Photo]:
    # Every photo is checked before any is stored: one bad photo refuses the whole set.
    checked = [
        (
            checked_image(upload.file),
            _text(upload.caption, field=_("Caption"), limit=200, required=False),
        )
        for upload in uploads
    ]
    photos = []
    for image, caption in checked:
        picture, thumbnail = image.files()
        photo = Photo.objects.create(
            org_unit=unit,
            activity=activity,
            asset=asset,
            file=picture,
            thumbnail=thumbnail,
            caption=caption,
            uploaded_by=actor.user,
        )
        audit.record(action=Action.CREATE, actor=actor, obj=photo)
        photos.append(photo)
    return photos


def _photo_room(existing: int, adding: int) -> None:
    if existing + adding > MAX_PHOTOS:
        raise JishengError(_("At most %(n)d photos are kept per record.") % {"n": MAX_PHOTOS})


# ---------------------------------------------------------------------------------- assets


def _asset_dates(
    status: str, opened_on: dt.date | None, closed_on: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    if opened_on is not None:
        possible_date(opened_on)
    if closed_on is not None:
        possible_date(closed_on)
    if status == Asset.Status.CLOSED and closed_on is None:
        raise JishengError(_("Say when it was closed."))
    if status != Asset.Status.CLOSED and closed_on is not None:
        raise JishengError(_("Only a closed asset has a closing date."))
    if opened_on and closed_on and closed_on < opened_on:
        raise JishengError(_("It cannot close before it opened."))
    return opened_on, closed_on


@transaction.atomic
def asset_create(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    kind: str,
    name: str,
    location: str = "",
    status: str = Asset.Status.IN_USE,
    opened_on: dt.date | None = None,
    closed_on: dt.date | None = None,
    note: str = "",
) -> Asset:
    """Register one of the "五个一" of a community or of the street (street staff)."""
    require(actor, Capability.MANAGE_PUBLICITY)
    unit = _unit(actor, org_unit, street_wide=Capability.MANAGE_PUBLICITY)
    opened_on, closed_on = _asset_dates(status, opened_on, closed_on)
    asset = Asset.objects.create(
        org_unit=unit,
        kind=kind,
        name=_text(name, field=_("Name"), limit=100),
        location=_text(location, field=_("Location"), limit=200, required=False),
        status=status,
        opened_on=opened_on,
        closed_on=closed_on,
        note=_text(note, field=_("Note"), limit=300, required=False),
        created_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=asset)
    return asset


@transaction.atomic
def asset_update(
    *,
    actor: Actor,
    asset: Asset,
    name: str,
    location: str,
    status: str,
    opened_on: dt.date | None,
    closed_on: dt.date | None,
    note: str = "",
) -> Asset:
    """Change an asset's name, place, status or dates (its community and kind stay)."""
    require(actor, Capability.MANAGE_PUBLICITY)
    locked = locked_or_404(Asset, user=actor.user, pk=asset.pk)
    locked.opened_on, locked.closed_on = _asset_dates(status, opened_on, closed_on)
    locked.name = _text(name, field=_("Name"), limit=100)
    locked.location = _text(location, field=_("Location"), limit=200, required=False)
    locked.status = status
    locked.note = _text(note, field=_("Note"), limit=300, required=False)
    locked.save()
    audit.record(action=Action.UPDATE, actor=actor, obj=locked, detail={"status": status})
    return locked


@transaction.atomic
def asset_photos_attach(
    *, actor: Actor, asset: Asset, uploads: Sequence[PhotoUpload]
) -> list[Photo]:
    """Attach checked photos to an asset in scope (street staff)."""
    require(actor, Capability.MANAGE_PUBLICITY)
    locked = locked_or_404(Asset, user=actor.user, pk=asset.pk)
    if not uploads:
        raise JishengError(_("Choose at least one photo."))
    _photo_room(locked.photos.count(), len(uploads))
    return _stored_photos(actor, uploads, unit=locked.org_unit, asset=locked)


# ------------------------------------------------------------------------------ activities


@transaction.atomic
def activity_record(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    date: dt.date,
    kind: str,
    title: str,
    organiser: str,
    partners: Sequence[str] = (),
    audience: int = 0,
    materials: int = 0,
    materials_note: str = "",
    cost: Decimal | str | int = Decimal("0.00"),
    note: str = "",
    photos: Sequence[PhotoUpload] = (),
) -> Activity:
    """Record an activity of a community (a street-wide one: street staff), with photos; its
    cost is handed to the funds ledger once, in this transaction."""
    require(actor, Capability.RECORD_PUBLICITY)
    unit = _unit(actor, org_unit, street_wide=Capability.MANAGE_PUBLICITY)
    possible_date(date)
    if audience < 0 or materials < 0:
        raise JishengError(_("Counts cannot be negative."))
    _photo_room(0, len(photos))
    amount = _money(cost)
    departments = [
        _text(p, field=_("Partner departments"), limit=100) for p in partners if p.strip()
    ]
    activity = Activity.objects.create(
        org_unit=unit,
        date=date,
        kind=kind,
        title=_text(title, field=_("Title"), limit=200),
        organiser=_text(organiser, field=_("Organiser"), limit=100),
        partners="\n".join(departments),
        audience=audience,
        materials=materials,
        materials_note=_text(materials_note, field=_("Which materials"), limit=200, required=False),
        cost=amount,
        note=note.strip(),
        recorded_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=activity, detail={"cost": str(amount)})
    if amount:
        _hand_cost(actor=actor, record=activity, amount=amount, day=date)
    _stored_photos(actor, photos, unit=unit, activity=activity)
    return activity


@transaction.atomic
def activity_cost_correct(
    *, actor: Actor, activity: Activity, cost: Decimal | str | int
) -> list[CostEntry]:
    """Correct an activity's cost: the ledger gets a reversal of the old amount and the new
    one (nothing when the cost is unchanged)."""
    require(actor, Capability.RECORD_PUBLICITY)
    locked = locked_or_404(Activity, user=actor.user, pk=activity.pk)
    if locked.org_unit.kind not in COMMUNITY_KINDS:
        require(actor, Capability.MANAGE_PUBLICITY)
    return _correct_cost(actor, locked, _money(cost))


@transaction.atomic
def activity_photos_attach(
    *, actor: Actor, activity: Activity, uploads: Sequence[PhotoUpload]
) -> list[Photo]:
    """Attach checked photos with captions to an activity in scope."""
    require(actor, Capability.RECORD_PUBLICITY)
    locked = locked_or_404(Activity, user=actor.user, pk=activity.pk)
    if not uploads:
        raise JishengError(_("Choose at least one photo."))
    _photo_room(locked.photos.count(), len(uploads))
    return _stored_photos(actor, uploads, unit=locked.org_unit, activity=locked)


# ------------------------------------------------------------------------------- trainings


@transaction.atomic
def training_record(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    topic: str,
    trainer: str,
    start_date: dt.date,
    end_date: dt.date,
    hours: Decimal | str | int,
    attendees: Sequence[User] = (),
    cost: Decimal | str | int = Decimal("0.00"),
    note: str = "",
) -> Training:
    """Record a training course and who of the staff attended; its cost goes to the ledger."""
    require(actor, Capability.MANAGE_PUBLICITY)
    unit = _unit(actor, org_unit, street_wide=Capability.MANAGE_PUBLICITY)
    possible_date(start_date)
    possible_date(end_date)
    if end_date < start_date:
        raise JishengError(_("The last day cannot be before the first."))
    try:
        length = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise JishengError(_("The hours are not a valid number."), code="invalid_input") from None
    if not length.is_finite() or not Decimal(0) < length <= 1000:
        raise JishengError(_("The hours must be more than 0 and at most 1000."))
    staff = staff_in_scope(actor.user)
    chosen = {user.pk for user in attendees}
    found = list(staff.filter(pk__in=chosen))
    if len(found) != len(chosen):
        raise JishengError(_("Attendees are chosen from the staff accounts in your area."))
    amount = _money(cost)
    training = Training.objects.create(
        org_unit=unit,
        topic=_text(topic, field=_("Topic"), limit=200),
        trainer=_text(trainer, field=_("Trainer"), limit=100),
        start_date=start_date,
        end_date=end_date,
        hours=length,
        cost=amount,
        note=note.strip(),
        recorded_by=actor.user,
    )
    training.attendees.set(found)
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=training,
        detail={"attendees": len(found), "cost": str(amount)},
    )
    if amount:
        _hand_cost(actor=actor, record=training, amount=amount, day=start_date)
    return training


@transaction.atomic
def training_cost_correct(
    *, actor: Actor, training: Training, cost: Decimal | str | int
) -> list[CostEntry]:
    """Correct a training's cost: reversal of the old amount, then the new one."""
    require(actor, Capability.MANAGE_PUBLICITY)
    locked = locked_or_404(Training, user=actor.user, pk=training.pk)
    return _correct_cost(actor, locked, _money(cost))
