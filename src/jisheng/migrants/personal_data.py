"""The floating-population part of the subject-access report: the resident's inflow and
outflow records, verification visits, partner reports naming them, and exchange notices about
them. Message bodies, ids, keys and signatures are the exchange's machinery, not data about
the person, so they stay out."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.core.idnumber import normalize_id_number
from jisheng.core.modules import DataSection
from jisheng.core.personal_data import section_of
from jisheng.core.roles import Capability
from jisheng.migrants.models import MigrantRecord, Notice, PartnerReport, Verification
from jisheng.registry.models import Person


def _reports_naming(user: User, person: Person) -> list[PartnerReport]:
    """Reports confirmed into the person's records, and any other report carrying their ID
    number (pending or rejected): the number is encrypted without an index, so candidates are
    narrowed by the plain name first and compared after decryption."""
    number = normalize_id_number(person.id_number or "")
    candidates = (
        PartnerReport.objects.visible_to(user)
        .filter(Q(record__person=person) | Q(name=person.name))
        .select_related("partner", "record")
        .order_by("reported_at", "pk")
    )
    return [
        report
        for report in candidates
        if (report.record is not None and report.record.person_id == person.pk)
        or (number and normalize_id_number(report.id_number or "") == number)
    ]


def personal_data(user: User, person: Person) -> list[DataSection]:
    """Records, visits, partner reports and notices on the resident that ``user`` may read."""
    if not user.has_capability(Capability.VIEW_PERSONAL):
        return []
    records = MigrantRecord.objects.visible_to(user).filter(person=person)
    return [
        section_of(
            key="migrants.record",
            title=_("Floating population records"),
            records=records.select_related("community", "complex", "landlord").order_by(
                "moved_on", "pk"
            ),
            model=MigrantRecord,
            fields=(
                "kind",
                "community",
                "region_code",
                "moved_on",
                "address",
                "contact",
                "complex",
                "landlord",
                "employer",
                "last_verified_on",
                "ended_on",
            ),
        ),
        section_of(
            key="migrants.verification",
            title=_("Verification visits"),
            records=Verification.objects.visible_to(user)
            .filter(record__in=records)
            .order_by("visited_on", "pk"),
            model=Verification,
            fields=("visited_on", "changes", "note"),
        ),
        section_of(
            key="migrants.partnerreport",
            title=_("Partner reports"),
            records=_reports_naming(user, person),
            model=PartnerReport,
            fields=(
                "partner",
                "kind",
                "state",
                "name",
                "id_number_masked",
                "phone",
                "region_code",
                "address",
                "employer",
                "moved_on",
                "note",
                "reason",
            ),
        ),
        section_of(
            key="migrants.notice",
            title=_("Exchange notices"),
            records=Notice.objects.visible_to(user)
            .filter(Q(person=person) | Q(record__person=person))
            .select_related("peer")
            .order_by("notified_on", "pk"),
            model=Notice,
            fields=(
                "direction",
                "peer",
                "movement",
                "moved_on",
                "notified_on",
                "due_on",
                "feedback_on",
                "feedback",
            ),
        ),
    ]
