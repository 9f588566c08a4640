"""The subject-access report (PIPL Art. 45): everything the platform holds on one resident
that the reader may see, gathered from every app's ``personal_data`` hook; reading it is
audited with the sections it showed."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.models import AuditEvent
from jisheng.audit.services import Action
from jisheng.core import modules
from jisheng.core.actors import Actor
from jisheng.core.lookups import visible_or_404
from jisheng.core.modules import DataSection
from jisheng.core.permissions import require
from jisheng.core.personal_data import section_of
from jisheng.core.roles import Capability
from jisheng.registry import selectors
from jisheng.registry.forms import ETHNICITIES
from jisheng.registry.models import Household, LifeEvent, Marriage, NonResident, Person

PERSON_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "id_number",
    "phone",
    "ethnicity",
    "hukou_division",
    "hukou_type",
    "is_floating",
    "address",
    "marital_status",
    "status",
    "community",
)


def _person_section(person: Person) -> DataSection:
    """The resident's own row, with the ethnicity and the registered residence named: the
    report is read by the resident, who knows 汉族 and 山东省, not "01" and "370404"."""
    section = section_of(
        key="registry.person",
        title=_("Resident"),
        records=[person],
        model=Person,
        fields=PERSON_FIELDS,
    )
    named = {
        "ethnicity": str(dict(ETHNICITIES).get(person.ethnicity, person.ethnicity)),
        "hukou_division": person.hukou_place,
    }
    row = tuple(
        named.get(name, cell) for name, cell in zip(PERSON_FIELDS, section.rows[0], strict=True)
    )
    return replace(section, rows=[row])


@dataclass(frozen=True)
class Report:
    person: Person
    sections: list[DataSection]


def personal_data(user: User, person: Person) -> list[DataSection]:
    """The registry's part: the resident, households, marriages, parents and children, life
    events, and (for auditors) the audit entries about them."""
    households = Household.objects.visible_to(user).filter(members__person=person).distinct()
    relatives = list(selectors.person_parents(user, person)) + list(
        selectors.person_children(user, person)
    )
    sections = [
        _person_section(person),
        section_of(
            key="registry.nonresident",
            title=_("Family member not living here"),
            records=NonResident.objects.visible_to(user).filter(person=person),
            model=NonResident,
            fields=("death_date", "disability_grade"),
        ),
        section_of(
            key="registry.household",
            title=_("Households"),
            records=households.select_related("community", "head"),
            model=Household,
            fields=("number", "address", "head", "community"),
        ),
        section_of(
            key="registry.marriage",
            title=_("Marriages"),
            records=selectors.person_marriages(user, person),
            model=Marriage,
            fields=(
                ("husband", _("Husband")),
                ("wife", _("Wife")),
                "date",
                "end_date",
                "end_reason",
            ),
        ),
        section_of(
            key="registry.relatives",
            title=_("Parents and children"),
            records=relatives,
            model=Person,
            fields=("name", "sex", "birth_date"),
        ),
        section_of(
            key="registry.lifeevent",
            title=_("Life events"),
            records=selectors.person_timeline(user, person),
            model=LifeEvent,
            fields=(
                "kind",
                "date",
                ("person", _("Resident")),
                ("other_person", _("Other party")),
                "note",
            ),
        ),
    ]
    if user.has_capability(Capability.VIEW_AUDIT):
        entries = AuditEvent.objects.filter(
            object_type="registry.person", object_id=str(person.pk)
        ).order_by("at", "pk")
        sections.append(
            section_of(
                key="audit.auditevent",
                title=_("Audit entries"),
                records=entries,
                model=AuditEvent,
                fields=("at", "username", "action", "result"),
            )
        )
    return sections


def subject_access_report(*, actor: Actor, person_id: int) -> Report:
    """Every app's sections on a resident in the reader's scope (health sections only with
    the health duty), else 404; one audit entry names the person and the sections."""
    require(actor, Capability.VIEW_PERSONAL)
    user = actor.user
    person = visible_or_404(Person.objects.select_related("community"), user=user, pk=person_id)
    health = user.has_capability(Capability.VIEW_HEALTH)
    sections = [
        section
        for provider in modules.personal_data_providers()
        for section in provider(user, person)
        if health or not section.health
    ]
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            obj=person,
            detail={"report": "subject_access", "sections": [s.key for s in sections]},
        )
    return Report(person=person, sections=sections)


def report_json(report: Report) -> dict[str, object]:
    """The report as JSON: the person's id and each section's title, columns and rows."""
    return {
        "person": report.person.pk,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "header": list(section.header),
                "rows": [[_plain(cell) for cell in row] for row in section.rows],
            }
            for section in report.sections
        ],
    }


def _plain(cell: object) -> object:
    return cell if cell is None or isinstance(cell, str | int | float | bool) else str(cell)
