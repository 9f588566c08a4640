"""The application workflow: explicit states, one transition function, checks before acting.

    submitted → community_checked → street_reviewed → in_notice → approved (enrolled)
    any open state → returned (for correction) → submitted;  any open state → rejected
Pages, the API and batch runs all call :func:`application_transition`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits import selectors
from jisheng.benefits.eligibility import explain
from jisheng.benefits.models import (
    Application,
    ApplicationDocument,
    Entitlement,
    Program,
    Transition,
    Unit,
)
from jisheng.benefits.models.workflow import OPEN_STATES, State
from jisheng.benefits.units import Beneficiary, beneficiary_of, unit_key
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.uploads import DOCUMENT_SUFFIXES, check_upload
from jisheng.registry.models import LifeEvent, ParentLink, Person, ResidentStatus, Sex


@dataclass(frozen=True)
class Step:
    """One transition: where it may start, where it ends, who may take it."""

    sources: frozenset[str]
    target: str
    capability: Capability
    label: object
    needs_comment: bool = False


STEPS: dict[str, Step] = {
    "check": Step(
        frozenset({State.SUBMITTED}),
        State.COMMUNITY_CHECKED,
        Capability.APPLY_BENEFITS,
        gettext_lazy("Community check passed"),
    ),
    "review": Step(
        frozenset({State.COMMUNITY_CHECKED}),
        State.STREET_REVIEWED,
        Capability.REVIEW_BENEFITS,
        gettext_lazy("Street review passed"),
    ),
    "approve": Step(
        frozenset({State.IN_NOTICE}),
        State.APPROVED,
        Capability.APPROVE_BENEFITS,
        gettext_lazy("Approve"),
    ),
    "return": Step(
        frozenset(
            {State.SUBMITTED, State.COMMUNITY_CHECKED, State.STREET_REVIEWED, State.IN_NOTICE}
        ),
        State.RETURNED,
        Capability.APPLY_BENEFITS,
        gettext_lazy("Return for correction"),
        needs_comment=True,
    ),
    "resubmit": Step(
        frozenset({State.RETURNED}),
        State.SUBMITTED,
        Capability.APPLY_BENEFITS,
        gettext_lazy("Resubmit"),
    ),
    "reject": Step(
        frozenset(OPEN_STATES),
        State.REJECTED,
        Capability.APPLY_BENEFITS,
        gettext_lazy("Reject"),
        needs_comment=True,
    ),
}

# Past the community stage, only the street may return or reject.
_STREET_STAGES = frozenset({State.COMMUNITY_CHECKED, State.STREET_REVIEWED, State.IN_NOTICE})


def required_capability(action: str, state: str) -> Capability:
    step = STEPS[action]
    if action in {"return", "reject"} and state in _STREET_STAGES:
        return Capability.REVIEW_BENEFITS
    return step.capability


def available_actions(application: Application, user: object) -> list[str]:
    """The actions ``user`` may take on the application now (for buttons and the API)."""
    has = getattr(user, "has_capability", None)
    return [
        action
        for action, step in STEPS.items()
        if application.state in step.sources
        and has is not None
        and has(required_capability(action, application.state))
    ]


def _record(actor: Actor, application: Application, action: str, source: str, comment: str) -> None:
    Transition.objects.create(
        application=application,
        action=action,
        from_state=source,
        to_state=application.state,
        comment=comment[:500],
        actor=actor.user,
    )
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=application,
        detail={"transition": action, "from": source, "to": application.state},
    )


def _default_payee(program: Program, person: Person) -> Person | None:
    """For a child program: the mother if linked, else the father; never a parent who has
    died, was voided, or is on record only as a family member living elsewhere."""
    if program.unit != Unit.CHILD:
        return None
    parents = [
        link.parent
        for link in ParentLink.objects.filter(child=person)
        .select_related("parent")
        .exclude(
            parent__status__in=[
                ResidentStatus.DECEASED,
                ResidentStatus.VOIDED,
                ResidentStatus.NON_RESIDENT,
            ]
        )
    ]
    parents.sort(key=lambda parent: parent.sex != Sex.FEMALE)
    return parents[0] if parents else None


@transaction.atomic
def application_create(
    *,
    actor: Actor,
    program: Program,
    person: Person,
    payee: Person | None = None,
    bank_account: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> Application:
    """Take one application, refused with the reasons when the person does not qualify."""
    require(actor, Capability.APPLY_BENEFITS)
    user = actor.user
    visible_or_404(Person, user=user, pk=person.pk)
    today = today or timezone.localdate()
    if refusal := program.application_refusal(today):
        raise Conflict(refusal)
    beneficiary = beneficiary_of(program, person)
    if program.unit in {Unit.COUPLE, Unit.HOUSEHOLD}:
        # Spouses apply one after the other: they take turns on the program's row, so the
        # check below sees the other's application (the unit constraint holds it too).
        Program.objects.select_for_update().get(pk=program.pk)
    _refuse_enrolled(program, beneficiary)
    _refuse_applying(program, beneficiary)
    explanation = explain(program.rule, person, today)
    if not explanation.eligible:
        raise JishengError(
            _("%(name)s does not qualify: %(reasons)s")
            % {"name": person.name, "reasons": "；".join(explanation.failures())},
            code="not_eligible",
        )
    if program.unit == Unit.CHILD:
        payee = payee or _default_payee(program, person)
        if payee is None:
            raise JishengError(_("Name the parent or guardian who receives the benefit."))
    spouses = {member.pk for member in beneficiary.members}
    if program.unit == Unit.COUPLE and payee is not None and payee.pk not in spouses:
        raise JishengError(
            _("A couple's benefit is paid to one of the spouses: %(names)s.")
            % {"names": "、".join(member.name for member in beneficiary.members)},
            code="payee_not_spouse",
        )
    if payee is not None:
        visible_or_404(Person, user=user, pk=payee.pk)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                program=program,
                person=person,
                payee=payee,
                spouse=beneficiary.spouse,
                unit_key=beneficiary.key,
                community=person.community,
                explanation=explanation.lines,
                bank_account=bank_account.strip() or None,
                note=note[:300],
                created_by=user,
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s already has an open application for this program.") % {"name": person.name}
        ) from None
    Transition.objects.create(
        application=application, action="submit", to_state=State.SUBMITTED, actor=user
    )
    audit.record(action=Action.CREATE, actor=actor, obj=application)
    return application


def _same_unit(beneficiary: Beneficiary) -> Q:
    """Records of the same unit: by its key, or naming any of its members (a couple recorded
    before the marriage was, or whose spouse applied alone, has another key)."""
    members = [member.pk for member in beneficiary.members]
    return Q(unit_key=beneficiary.key) | Q(person__in=members) | Q(spouse__in=members)


def _refuse_enrolled(program: Program, beneficiary: Beneficiary) -> None:
    """Refuse, with the reason, a unit that already receives the benefit."""
    enrolled = (
        Entitlement.objects.filter(program=program, status=Entitlement.Status.ACTIVE)
        .filter(_same_unit(beneficiary))
        .select_related("person")
        .first()
    )
    if enrolled is None:
        return
    names = {"name": beneficiary.person.name, "holder": enrolled.person.name}
    if enrolled.person_id == beneficiary.person.pk:
        raise Conflict(_("%(name)s already receives this benefit.") % names, code="unit_enrolled")
    raise Conflict(
        _(
            "%(name)s's couple or household already receives this benefit through "
            "%(holder)s: it is paid once per couple or household."
        )
        % names,
        code="unit_enrolled",
    )


def _refuse_applying(program: Program, beneficiary: Beneficiary) -> None:
    """Refuse, with the reason, a second application for a unit another member applied for
    (the person's own second application is refused by the database's constraint)."""
    other = (
        Application.objects.filter(program=program, state__in=OPEN_STATES)
        .filter(_same_unit(beneficiary))
        .exclude(person=beneficiary.person)
        .select_related("person")
        .first()
    )
    if other is not None:
        raise Conflict(
            _(
                "%(holder)s has already applied for this benefit for %(name)s's couple or "
                "household (application #%(number)s): it is paid once per couple or household."
            )
            % {"name": beneficiary.person.name, "holder": other.person.name, "number": other.pk},
            code="unit_applying",
        )


@dataclass
class BatchResult:
    created: list[Application]
    refused: list[tuple[Person, str]]


def applications_create_for(
    *, actor: Actor, program: Program, persons: list[Person], today: dt.date | None = None
) -> BatchResult:
    """Applications for everyone chosen from "find eligible"; each one stands or falls alone."""
    # Checked once up front: a refusal per person would list every resident as "forbidden".
    require(actor, Capability.APPLY_BENEFITS)
    result = BatchResult(created=[], refused=[])
    for person in persons:
        try:
            result.created.append(
                application_create(actor=actor, program=program, person=person, today=today)
            )
        except JishengError as error:
            result.refused.append((person, str(error.message)))
    return result


@transaction.atomic
def application_transition(
    *,
    actor: Actor,
    application: Application,
    action: str,
    comment: str = "",
    today: dt.date | None = None,
) -> Application:
    """Take one step of the workflow, after checking role, scope and state; records who did it."""
    step = STEPS.get(action)
    if step is None:
        raise JishengError(_("Unknown action: %(action)s.") % {"action": action})
    locked = locked_or_404(Application, user=actor.user, pk=application.pk)
    # The capability depends on the state, so it is checked after the record is read.
    require(actor, required_capability(action, locked.state))
    if locked.state not in step.sources:
        raise Conflict(
            _("An application that is “%(state)s” cannot be given “%(action)s”.")
            % {"state": locked.get_state_display(), "action": step.label}
        )
    comment = comment.strip()
    if step.needs_comment and not comment:
        raise JishengError(_("Give the reason."))
    today = today or timezone.localdate()
    if action == "approve":
        _check_approval(actor, locked, today)
    if action == "resubmit":
        explanation = explain(locked.program.rule, locked.person, today)
        if not explanation.eligible:
            raise JishengError(
                _("%(name)s does not qualify: %(reasons)s")
                % {"name": locked.person.name, "reasons": "；".join(explanation.failures())},
                code="not_eligible",
            )
        locked.explanation = explanation.lines
    source = locked.state
    locked.state = step.target
    locked.save(update_fields=["state", "explanation", "updated_at"])
    _record(actor, locked, action, source, comment)
    if action == "approve":
        _enroll(locked, today)
    return locked


def _check_approval(actor: Actor, application: Application, today: dt.date) -> None:
    notice = application.notice
    if notice is None or today <= notice.ends_on:
        raise Conflict(
            _("The public notice runs until %(date)s; approve after it ends.")
            % {"date": notice.ends_on if notice else "—"}
        )
    reviewed = selectors.reviewed_on([application.pk]).get(application.pk)
    if reviewed is None or reviewed > notice.starts_on:
        # A notice backdated past the review: the public could not object for the whole period.
        raise Conflict(
            _(
                "The application was listed only from %(reviewed)s, after the notice began on "
                "%(start)s: it was not public for the whole period. Return it and put it on a "
                "new notice."
            )
            % {"reviewed": reviewed or "—", "start": notice.starts_on},
            code="notice_incomplete",
        )
    if application.objections.filter(resolved_at__isnull=True).exists():
        raise Conflict(_("Resolve the objections raised during the notice first."))
    reviewer = (
        application.transitions.filter(action="review")
        .order_by("-at")
        .values_list("actor_id", flat=True)
        .first()
    )
    if reviewer == actor.user.pk:
        raise Forbidden(_("Whoever reviewed an application cannot also approve it."))


def _enroll(application: Application, today: dt.date) -> Entitlement:
    """The entitlement of the application's unit; a unit already enrolled is refused."""
    program = Program.objects.select_for_update().get(pk=application.program_id)
    beneficiary = Beneficiary(
        person=application.person,
        spouse=application.spouse,
        key=application.unit_key or unit_key(program.unit, application.person_id),
    )
    _refuse_enrolled(program, beneficiary)
    try:
        with transaction.atomic():
            return Entitlement.objects.create(
                program=program,
                person=application.person,
                payee=application.payee,
                spouse=application.spouse,
                unit_key=beneficiary.key,
                community=application.community,
                application=application,
                start_date=entitlement_start(program, beneficiary, today),
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s's couple or household already receives this benefit.")
            % {"name": application.person.name},
            code="unit_enrolled",
        ) from None


def _death_date(person: Person) -> dt.date | None:
    """The date of the person's recorded death that no correction reversed, if any."""
    if person.status != ResidentStatus.DECEASED:
        return None
    return (
        LifeEvent.objects.filter(person=person, kind=LifeEvent.Kind.DEATH, reversed_by__isnull=True)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def entitlement_start(program: Program, beneficiary: Beneficiary, today: dt.date) -> dt.date:
    """From the program's start (or today when it has none), never before the beneficiary —
    both spouses of a couple — was born; refused when the beneficiary died before that."""
    start = max([program.valid_from or today, *(m.birth_date for m in beneficiary.members)])
    died = _death_date(beneficiary.person)
    if died is not None and died < start:
        raise Conflict(
            _("%(name)s died on %(died)s, before the benefit would start on %(start)s.")
            % {"name": beneficiary.person.name, "died": died, "start": start},
            code="died_before_start",
        )
    return start


@transaction.atomic
def document_attach(
    *, actor: Actor, application: Application, title: str, upload: UploadedFile[bytes]
) -> ApplicationDocument:
    """Attach a scan (PDF, JPEG or PNG, at most 10 MB) to an application still in progress."""
    require(actor, Capability.APPLY_BENEFITS)
    visible_or_404(Application, user=actor.user, pk=application.pk)
    if application.state in {State.APPROVED, State.REJECTED}:
        raise Conflict(_("A decided application takes no more documents."))
    check_upload(upload, allowed=DOCUMENT_SUFFIXES)
    document = ApplicationDocument.objects.create(
        application=application,
        title=title.strip()[:100] or (upload.name or "")[:100],
        file=upload,
        uploaded_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=document)
    return document
