"""Writes of leading groups, department duties, B-ultrasound supervision and dispensings.

Each records in a unit of the actor's scope, checks its duty first, and audits inside its
transaction. A second submit of the same thing finds the first record (unique keys), so a
double click never makes two.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.fields import BlindIndexField
from jisheng.core.idnumber import mask_id_number, normalize_id_number, validate_id_number
from jisheng.core.lookups import locked_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.text import clean_text
from jisheng.core.uploads import DOCUMENT_SUFFIXES, check_upload
from jisheng.governance.models import (
    Department,
    DepartmentDuty,
    DeviceStatus,
    Dispensing,
    GroupMember,
    Inspection,
    LeadingGroup,
    Outlet,
    OutletKind,
    Pledge,
    UltrasoundDevice,
    UltrasoundOperator,
)
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.services.persons import id_number_digest

MAX_QUANTITY = 1000


def _text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = clean_text(value)
    if required and not text:
        raise JishengError(_("Fill in %(field)s.") % {"field": field}, code="missing_field")
    return text[:limit]


def _unit_in_scope(actor: Actor, unit: OrgUnit) -> OrgUnit:
    if unit.pk not in actor.user.scope_unit_ids():
        raise NotFound()
    return unit


# Leading groups and duties ---------------------------------------------------------------


def leading_group_set(
    *, actor: Actor, unit: OrgUnit, name: str, established_on: dt.date | None = None
) -> LeadingGroup:
    """The unit's one leading group, created or renamed."""
    require(actor, Capability.MANAGE_LEADING_GROUPS)
    _unit_in_scope(actor, unit)
    name = _text(name, field=_("the group's name"), limit=100)
    if established_on is not None:
        possible_date(established_on)
    with transaction.atomic():
        group, created = LeadingGroup.objects.select_for_update().get_or_create(
            org_unit=unit, defaults={"name": name, "established_on": established_on}
        )
        if not created:
            group.name = name
            group.established_on = established_on
            group.save(update_fields=["name", "established_on"])
        audit.record(action=Action.CREATE if created else Action.UPDATE, actor=actor, obj=group)
    return group


def group_member_add(
    *,
    actor: Actor,
    group: LeadingGroup,
    name: str,
    post: str,
    department: str,
    title: str = "",
    from_date: dt.date,
    to_date: dt.date | None = None,
) -> GroupMember:
    """A member of the group for a stretch of time (a second submit finds the first)."""
    require(actor, Capability.MANAGE_LEADING_GROUPS)
    _unit_in_scope(actor, group.org_unit)
    if department not in Department.values:
        raise JishengError(_("Choose the department."), code="invalid_department")
    name = _text(name, field=_("the member's name"), limit=50)
    post = _text(post, field=_("the post in the group"), limit=50)
    possible_date(from_date)
    if to_date is not None and to_date < from_date:
        raise JishengError(_("The end date lies before the start date."), code="invalid_dates")
    with transaction.atomic():
        member, created = GroupMember.objects.get_or_create(
            group=group,
            name=name,
            post=post,
            department=department,
            from_date=from_date,
            defaults={"title": clean_text(title)[:100], "to_date": to_date},
        )
        if created:
            audit.record(action=Action.CREATE, actor=actor, obj=member)
    return member


def group_member_end(*, actor: Actor, member_id: int, to_date: dt.date) -> GroupMember:
    """The member leaves the group on ``to_date``."""
    require(actor, Capability.MANAGE_LEADING_GROUPS)
    with transaction.atomic():
        member = locked_or_404(GroupMember, user=actor.user, pk=member_id)
        if to_date < member.from_date:
            raise JishengError(_("The end date lies before the start date."), code="invalid_dates")
        member.to_date = to_date
        member.save(update_fields=["to_date"])
        audit.record(action=Action.UPDATE, actor=actor, obj=member)
    return member


def department_duty_set(
    *, actor: Actor, unit: OrgUnit, department: str, duties: str
) -> DepartmentDuty:
    """The duties of one department in the unit (replaced when written again)."""
    require(actor, Capability.MANAGE_LEADING_GROUPS)
    _unit_in_scope(actor, unit)
    if department not in Department.values:
        raise JishengError(_("Choose the department."), code="invalid_department")
    text = clean_text(duties, multiline=True)
    if not text:
        raise JishengError(_("Write the department's duties."), code="missing_duties")
    with transaction.atomic():
        duty, created = DepartmentDuty.objects.select_for_update().get_or_create(
            org_unit=unit, department=department, defaults={"duties": text}
        )
        if not created and duty.duties != text:
            duty.duties = text
            duty.save(update_fields=["duties"])
        audit.record(action=Action.CREATE if created else Action.UPDATE, actor=actor, obj=duty)
    return duty


# B-ultrasound ----------------------------------------------------------------------------


def device_register(
    *,
    actor: Actor,
    unit: OrgUnit,
    institution: str,
    model_name: str,
    serial_number: str,
    location: str,
    licence: str = "",
) -> UltrasoundDevice:
    """A device of an institution; the same serial at the same institution is one device."""
    require(actor, Capability.MANAGE_SUPERVISION)
    _unit_in_scope(actor, unit)
    institution = _text(institution, field=_("the institution"), limit=100)
    serial_number = _text(serial_number, field=_("the serial number"), limit=64)
    fields = {
        "org_unit": unit,
        "model_name": _text(model_name, field=_("the model"), limit=100),
        "location": _text(location, field=_("the location"), limit=200),
        "licence": clean_text(licence)[:64],
    }
    with transaction.atomic():
        device, created = UltrasoundDevice.objects.get_or_create(
            institution=institution, serial_number=serial_number, defaults=fields
        )
        if not created:
            if any(getattr(device, key) != value for key, value in fields.items()):
                raise Conflict(
                    _("This institution already has a device with this serial number."),
                    code="duplicate_device",
                )
            return device
        audit.record(action=Action.CREATE, actor=actor, obj=device)
    return device


def device_status_set(*, actor: Actor, device_id: int, status: str) -> UltrasoundDevice:
    """The device goes into use, is suspended or retired."""
    require(actor, Capability.MANAGE_SUPERVISION)
    if status not in DeviceStatus.values:
        raise JishengError(_("Choose the status."), code="invalid_status")
    with transaction.atomic():
        device = locked_or_404(UltrasoundDevice, user=actor.user, pk=device_id)
        if device.status != status:
            device.status = status
            device.save(update_fields=["status"])
            audit.record(action=Action.UPDATE, actor=actor, obj=device, detail={"status": status})
    return device


def _changes(record: models.Model, fields: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields whose new value differs from the record's: name → (before, after)."""
    return {
        key: (getattr(record, key), value)
        for key, value in fields.items()
        if getattr(record, key) != value
    }


def _save_changes(actor: Actor, record: models.Model, changed: dict[str, tuple[Any, Any]]) -> None:
    """Write only the changed fields and audit each one's before and after (no personal data:
    devices and outlets are institutions)."""
    for key, (_before, after) in changed.items():
        setattr(record, key, after)
    record.save(update_fields=list(changed))
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=record,
        detail={key: [before, after] for key, (before, after) in changed.items()},
    )


def device_update(
    *,
    actor: Actor,
    device_id: int,
    institution: str,
    model_name: str,
    serial_number: str,
    location: str,
    licence: str = "",
) -> UltrasoundDevice:
    """The device's particulars corrected; another device's institution and serial → 409."""
    require(actor, Capability.MANAGE_SUPERVISION)
    fields = {
        "institution": _text(institution, field=_("the institution"), limit=100),
        "model_name": _text(model_name, field=_("the model"), limit=100),
        "serial_number": _text(serial_number, field=_("the serial number"), limit=64),
        "location": _text(location, field=_("the location"), limit=200),
        "licence": clean_text(licence)[:64],
    }
    duplicate = Conflict(
        _("This institution already has a device with this serial number."),
        code="duplicate_device",
    )
    try:
        with transaction.atomic():
            device = locked_or_404(UltrasoundDevice, user=actor.user, pk=device_id)
            changed = _changes(device, fields)
            if not changed:
                return device  # a second submit of the same form
            others = UltrasoundDevice.objects.exclude(pk=device.pk)
            if others.filter(
                institution=fields["institution"], serial_number=fields["serial_number"]
            ).exists():
                raise duplicate
            _save_changes(actor, device, changed)
    except IntegrityError as exc:  # the same serial saved by a concurrent request
        raise duplicate from exc
    return device


def operator_register(
    *,
    actor: Actor,
    unit: OrgUnit,
    institution: str,
    name: str,
    qualification: str,
    trained_on: dt.date | None = None,
    training_due: dt.date | None = None,
) -> UltrasoundOperator:
    """An operator of B-ultrasound machines at an institution (one per name there)."""
    require(actor, Capability.MANAGE_SUPERVISION)
    _unit_in_scope(actor, unit)
    institution = _text(institution, field=_("the institution"), limit=100)
    name = _text(name, field=_("the operator's name"), limit=50)
    qualification = _text(qualification, field=_("the qualification"), limit=100)
    if trained_on is not None:
        possible_date(trained_on)
    if training_due is not None:
        possible_date(training_due, future=True)
    with transaction.atomic():
        operator, created = UltrasoundOperator.objects.get_or_create(
            org_unit=unit,
            institution=institution,
            name=name,
            defaults={
                "qualification": qualification,
                "trained_on": trained_on,
                "training_due": training_due,
            },
        )
        if not created:
            operator.qualification = qualification
            operator.trained_on = trained_on
            operator.training_due = training_due
            operator.save(update_fields=["qualification", "trained_on", "training_due"])
        audit.record(action=Action.CREATE if created else Action.UPDATE, actor=actor, obj=operator)
    return operator


def pledge_record(
    *, actor: Actor, operator_id: int, signed_on: dt.date, scan: UploadedFile[bytes] | None
) -> Pledge:
    """The operator's signed pledge (不做非医学需要胎儿性别鉴定承诺书) with its scan."""
    require(actor, Capability.MANAGE_SUPERVISION)
    possible_date(signed_on)
    if scan is None:
        raise JishengError(_("Attach the signed pledge (PDF, JPG or PNG)."), code="scan")
    check_upload(scan, allowed=DOCUMENT_SUFFIXES)
    with transaction.atomic():
        operator = locked_or_404(UltrasoundOperator, user=actor.user, pk=operator_id)
        if operator.pledges.filter(signed_on=signed_on).exists():
            raise Conflict(
                _("A pledge signed on this day is already recorded."), code="duplicate_pledge"
            )
        pledge = Pledge.objects.create(
            operator=operator, signed_on=signed_on, scan=scan, recorded_by=actor.user
        )
        audit.record(action=Action.CREATE, actor=actor, obj=pledge)
    return pledge


def inspection_record(
    *,
    actor: Actor,
    device_id: int,
    date: dt.date,
    inspectors: str,
    findings: str = "",
    rectification_due: dt.date | None = None,
) -> Inspection:
    """An inspection of a device; one per device and day."""
    require(actor, Capability.MANAGE_SUPERVISION)
    possible_date(date)
    inspectors = _text(inspectors, field=_("the inspectors"), limit=200)
    if rectification_due is not None and rectification_due < date:
        raise JishengError(
            _("The rectification cannot be due before the inspection."), code="invalid_dates"
        )
    with transaction.atomic():
        device = locked_or_404(UltrasoundDevice, user=actor.user, pk=device_id)
        found = Inspection.objects.filter(device=device, date=date).first()
        if found is not None:
            return found
        inspection = Inspection.objects.create(
            device=device,
            date=date,
            inspectors=inspectors,
            findings=clean_text(findings, multiline=True),
            rectification_due=rectification_due,
            recorded_by=actor.user,
        )
        audit.record(action=Action.CREATE, actor=actor, obj=inspection)
    return inspection


def rectification_done(*, actor: Actor, inspection_id: int, done_on: dt.date) -> Inspection:
    """The rectification an inspection asked for is done."""
    require(actor, Capability.MANAGE_SUPERVISION)
    possible_date(done_on)
    with transaction.atomic():
        inspection = locked_or_404(Inspection, user=actor.user, pk=inspection_id)
        if inspection.rectification_due is None:
            raise Conflict(
                _("This inspection asked for no rectification."), code="no_rectification"
            )
        if done_on < inspection.date:
            raise JishengError(
                _("The rectification cannot be done before the inspection."),
                code="invalid_dates",
            )
        if inspection.rectified_on is None:
            inspection.rectified_on = done_on
            inspection.save(update_fields=["rectified_on"])
            audit.record(action=Action.UPDATE, actor=actor, obj=inspection)
    return inspection


# Pharmacies and dispensings --------------------------------------------------------------


def outlet_register(
    *, actor: Actor, unit: OrgUnit, kind: str, name: str, licence: str = "", address: str = ""
) -> Outlet:
    """A pharmacy or clinic of the unit (one per name in a unit)."""
    require(actor, Capability.MANAGE_SUPERVISION)
    _unit_in_scope(actor, unit)
    if kind not in OutletKind.values:
        raise JishengError(_("Choose pharmacy or clinic."), code="invalid_kind")
    name = _text(name, field=_("the name"), limit=100)
    with transaction.atomic():
        outlet, created = Outlet.objects.get_or_create(
            org_unit=unit,
            name=name,
            defaults={
                "kind": kind,
                "licence": clean_text(licence)[:64],
                "address": clean_text(address)[:200],
            },
        )
        if created:
            audit.record(action=Action.CREATE, actor=actor, obj=outlet)
    return outlet


def outlet_update(
    *, actor: Actor, outlet_id: int, kind: str, name: str, licence: str = "", address: str = ""
) -> Outlet:
    """The pharmacy's or clinic's particulars corrected; another's name in its unit → 409."""
    require(actor, Capability.MANAGE_SUPERVISION)
    if kind not in OutletKind.values:
        raise JishengError(_("Choose pharmacy or clinic."), code="invalid_kind")
    fields = {
        "kind": kind,
        "name": _text(name, field=_("the name"), limit=100),
        "licence": clean_text(licence)[:64],
        "address": clean_text(address)[:200],
    }
    duplicate = Conflict(
        _("The unit already has a pharmacy or clinic of this name."), code="duplicate_outlet"
    )
    try:
        with transaction.atomic():
            outlet = locked_or_404(Outlet, user=actor.user, pk=outlet_id)
            changed = _changes(outlet, fields)
            if not changed:
                return outlet  # a second submit of the same form
            others = Outlet.objects.filter(org_unit_id=outlet.org_unit_id).exclude(pk=outlet.pk)
            if others.filter(name=fields["name"]).exists():
                raise duplicate
            _save_changes(actor, outlet, changed)
    except IntegrityError as exc:  # the same name saved by a concurrent request
        raise duplicate from exc
    return outlet


def buyer_problems(id_number: str) -> list[str]:
    """What is wrong with a buyer's ID number (empty when it is a valid one)."""
    try:
        validate_id_number(id_number)
    except ValidationError as exc:
        return [_("the buyer's ID number is not valid") + f"（{'；'.join(exc.messages)}）"]
    return []


def registered_buyer(actor: Actor, id_number: str) -> Person | None:
    """The resident in the actor's area with this ID number, if the registry holds one."""
    return (
        Person.objects.visible_to(actor.user)
        .filter(id_number_index=id_number_digest(id_number))
        .exclude(status=ResidentStatus.VOIDED)
        .first()
    )


class DispensingFields(TypedDict):
    """A dispensing's checked, stored fields (the outlet and the buyer aside)."""

    dispensed_on: dt.date
    drug: str
    quantity: int
    buyer_name: str
    buyer_id_number: str
    buyer_id_masked: str
    prescriber: str
    prescription_ref: str


def dispensing_fields(
    *,
    dispensed_on: dt.date,
    drug: str,
    quantity: int,
    buyer_name: str,
    buyer_id_number: str,
    prescriber: str,
    prescription_ref: str,
) -> DispensingFields:
    """A dispensing's stored fields from checked input; a 400 listing each problem else."""
    problems: list[str] = []
    try:
        possible_date(dispensed_on)
    except JishengError as exc:
        problems.append(str(exc.message))
    drug = clean_text(drug)[:100]
    if not drug:
        problems.append(_("the drug is missing"))
    if not 1 <= quantity <= MAX_QUANTITY:
        problems.append(_("the quantity must lie between 1 and 1000"))
    buyer_name = clean_text(buyer_name)[:50]
    if not buyer_name:
        problems.append(_("the buyer's name is missing"))
    problems.extend(buyer_problems(buyer_id_number))
    if problems:
        raise JishengError("；".join(problems), code="invalid_dispensing")
    number = normalize_id_number(buyer_id_number)
    return DispensingFields(
        dispensed_on=dispensed_on,
        drug=drug,
        quantity=quantity,
        buyer_name=buyer_name,
        buyer_id_number=number,
        buyer_id_masked=mask_id_number(number),
        prescriber=clean_text(prescriber)[:50],
        prescription_ref=clean_text(prescription_ref)[:64],
    )


def dispensing_record(
    *,
    actor: Actor,
    outlet_id: int,
    dispensed_on: dt.date,
    drug: str,
    quantity: int,
    buyer_name: str,
    buyer_id_number: str,
    prescriber: str = "",
    prescription_ref: str = "",
) -> Dispensing:
    """One real-name dispensing; the same line entered again is the first one."""
    require(actor, Capability.MANAGE_SUPERVISION)
    fields = dispensing_fields(
        dispensed_on=dispensed_on,
        drug=drug,
        quantity=quantity,
        buyer_name=buyer_name,
        buyer_id_number=buyer_id_number,
        prescriber=prescriber,
        prescription_ref=prescription_ref,
    )
    with transaction.atomic():
        outlet = locked_or_404(Outlet, user=actor.user, pk=outlet_id)
        same = Dispensing.objects.filter(
            outlet=outlet,
            dispensed_on=fields["dispensed_on"],
            drug=fields["drug"],
            prescription_ref=fields["prescription_ref"],
            buyer_id_index=id_digest(fields["buyer_id_number"]),
        ).first()
        if same is not None:
            return same
        try:
            with transaction.atomic():
                dispensing = Dispensing.objects.create(
                    outlet=outlet,
                    buyer=registered_buyer(actor, fields["buyer_id_number"]),
                    recorded_by=actor.user,
                    **fields,
                )
        except IntegrityError as exc:
            raise Conflict(_("This dispensing is already recorded."), code="duplicate") from exc
        audit.record(action=Action.CREATE, actor=actor, obj=dispensing)
    return dispensing


def id_digest(id_number: str) -> str:
    """The dispensing table's blind index of an ID number (its own key context)."""
    field = Dispensing._meta.get_field("buyer_id_index")
    assert isinstance(field, BlindIndexField)  # noqa: S101 - declared so on the model
    return field.digest(id_number)


__all__ = [
    "buyer_problems",
    "department_duty_set",
    "device_register",
    "device_status_set",
    "dispensing_fields",
    "dispensing_record",
    "group_member_add",
    "group_member_end",
    "id_digest",
    "inspection_record",
    "leading_group_set",
    "operator_register",
    "outlet_register",
    "pledge_record",
    "rectification_done",
    "registered_buyer",
]
