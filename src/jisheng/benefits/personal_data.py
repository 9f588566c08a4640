"""Benefits' part of the subject-access report: what the office holds on a resident's
applications, entitlements, payments, visits, certifications and disability record."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.benefits.models import (
    Application,
    Certification,
    DisabilityRecord,
    Entitlement,
    Payment,
    Visit,
)
from jisheng.core.modules import DataSection
from jisheng.core.personal_data import section_of
from jisheng.registry.models import Person


def personal_data(user: User, person: Person) -> list[DataSection]:
    """Records on ``person`` (as the resident or the payee) in ``user``'s scope."""
    either = Q(person=person) | Q(payee=person)
    return [
        section_of(
            key="benefits.application",
            title=_("Benefit applications"),
            records=Application.objects.visible_to(user)
            .filter(either)
            .select_related("program")
            .order_by("created_at", "pk"),
            model=Application,
            fields=(("program", _("Program")), "state", ("payee", _("Payee")), "bank_account"),
        ),
        section_of(
            key="benefits.entitlement",
            title=_("Entitlements"),
            records=Entitlement.objects.visible_to(user)
            .filter(either)
            .select_related("program")
            .order_by("start_date", "pk"),
            model=Entitlement,
            fields=(("program", _("Program")), "start_date", "end_date", "status", "stop_reason"),
        ),
        section_of(
            key="benefits.payment",
            title=_("Payments"),
            records=Payment.objects.visible_to(user)
            .filter(either)
            .select_related("program")
            .order_by("period", "pk"),
            model=Payment,
            fields=(("program", _("Program")), "period", "months", "amount", "status"),
        ),
        section_of(
            key="benefits.visit",
            title=_("Visits"),
            records=Visit.objects.visible_to(user)
            .filter(person=person)
            .select_related("program")
            .order_by("date", "pk"),
            model=Visit,
            fields=(("program", _("Program")), "date", "visitors", "given", "cost", "note"),
        ),
        section_of(
            key="benefits.certification",
            title=_("Certifications"),
            records=Certification.objects.visible_to(user)
            .filter(person=person)
            .select_related("program")
            .order_by("issued_on", "pk"),
            model=Certification,
            fields=(("program", _("Program")), "number", "purpose", "issued_on", "status"),
        ),
        section_of(
            key="benefits.disability",
            title=_("Disability records"),
            records=DisabilityRecord.objects.visible_to(user).filter(person=person),
            model=DisabilityRecord,
            fields=("grade", "certificate_number", "recorded_on"),
        ),
    ]
