"""公示: publish reviewed applications for N days, record objections, resolve them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits import selectors
from jisheng.benefits.models import Application, Objection, Program, PublicNotice, Transition
from jisheng.benefits.models.workflow import State
from jisheng.benefits.services.applications import application_transition
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.lookups import locked_or_404
from jisheng.core.permissions import require, require_any
from jisheng.core.roles import Capability

# Records of this office start in the 20th century: an earlier notice date is a typing slip.
EARLIEST_NOTICE = dt.date(1900, 1, 1)
MAX_DAYS_AHEAD = 30


@transaction.atomic
def notice_publish(
    *,
    actor: Actor,
    program: Program,
    application_ids: list[int],
    starts_on: dt.date,
    days: int | None = None,
    title: str = "",
) -> PublicNotice:
    """Put street-reviewed applications of one program on a public notice.

    ``starts_on`` may lie in the past (the list is often posted on the notice board first),
    but never before the day any application on it passed street review: each must be
    listed for the whole period. It may lie up to 30 days ahead (a notice prepared before it
    is posted); approval waits for its end either way.
    """
    require(actor, Capability.REVIEW_BENEFITS)
    user = actor.user
    if user.org_unit is None:
        raise Forbidden()
    days = program.notice_days if days is None else days
    if not 1 <= days <= 60:
        raise JishengError(_("A notice runs for 1 to 60 days."), code="invalid_notice_days")
    if starts_on < EARLIEST_NOTICE:
        raise JishengError(
            _("A notice cannot start before %(date)s.") % {"date": EARLIEST_NOTICE},
            code="date_too_early",
        )
    if starts_on > timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise JishengError(
            _("A notice cannot start more than 30 days ahead."), code="date_too_far_ahead"
        )
    ids = sorted(set(application_ids))
    if not ids:
        raise JishengError(_("Choose at least one application."))
    applications = list(
        Application.objects.visible_to(user).select_for_update().filter(pk__in=ids, program=program)
    )
    if len(applications) != len(ids):
        raise NotFound()
    not_ready = [a for a in applications if a.state != State.STREET_REVIEWED]
    if not_ready:
        raise Conflict(_("Only applications reviewed by the street can go on a notice."))
    reviewed = selectors.reviewed_on(ids)
    too_early = [a for a in applications if reviewed.get(a.pk, dt.date.max) > starts_on]
    if too_early:
        first = too_early[0]
        raise JishengError(
            _(
                "The notice cannot start on %(start)s: the application of %(name)s passed "
                "street review only on %(reviewed)s, and every application must be listed "
                "for the whole notice period. Start the notice on %(latest)s or later."
            )
            % {
                "start": starts_on,
                "name": first.person.name,
                "reviewed": reviewed.get(first.pk, "—"),
                "latest": max(reviewed.get(a.pk, starts_on) for a in too_early),
            },
            code="notice_before_review",
        )
    notice = PublicNotice.objects.create(
        program=program,
        org_unit=user.org_unit,
        title=title.strip()[:200] or _("Public notice: %(program)s") % {"program": program.name},
        starts_on=starts_on,
        days=days,
        ends_on=starts_on + dt.timedelta(days=days - 1),
        published_by=user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=notice, detail={"count": len(ids)})
    for application in applications:
        application.notice = notice
        application.save(update_fields=["notice", "updated_at"])
        _publish(actor, application)
    return notice


def _publish(actor: Actor, application: Application) -> None:
    source = application.state
    application.state = State.IN_NOTICE
    application.save(update_fields=["state", "updated_at"])
    Transition.objects.create(
        application=application,
        action="publish",
        from_state=source,
        to_state=State.IN_NOTICE,
        actor=actor.user,
    )
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=application,
        detail={"transition": "publish", "from": source, "to": State.IN_NOTICE},
    )


@transaction.atomic
def objection_record(
    *,
    actor: Actor,
    application: Application,
    content: str,
    received_on: dt.date,
    contact: str = "",
) -> Objection:
    """Record an objection against an application on notice (anyone on staff may take one)."""
    require_any(actor, Capability.APPLY_BENEFITS, Capability.REVIEW_BENEFITS)
    user = actor.user
    application = locked_or_404(Application, user=user, pk=application.pk)
    notice = application.notice
    if application.state != State.IN_NOTICE or notice is None:
        raise Conflict(_("Objections are taken while the application is on public notice."))
    if not content.strip():
        raise JishengError(_("Write down what the objection says."))
    if received_on < notice.starts_on or received_on > timezone.localdate():
        raise JishengError(_("The objection's date must lie between the notice's start and today."))
    objection = Objection.objects.create(
        notice=notice,
        application=application,
        received_on=received_on,
        content=content.strip(),
        objector_contact=contact.strip() or None,
        recorded_by=user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=objection)
    return objection


@transaction.atomic
def objection_resolve(
    *, actor: Actor, objection: Objection, upheld: bool, resolution: str
) -> Objection:
    """Settle an objection; an upheld one returns the application for correction."""
    require(actor, Capability.REVIEW_BENEFITS)
    user = actor.user
    locked = locked_or_404(Objection, user=user, pk=objection.pk)
    if locked.resolved_at is not None:
        raise Conflict(_("This objection is already resolved."))
    if not resolution.strip():
        raise JishengError(_("Write down how the objection was resolved."))
    locked.upheld = upheld
    locked.resolution = resolution.strip()
    locked.resolved_by = user
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["upheld", "resolution", "resolved_by", "resolved_at"])
    audit.record(action=Action.UPDATE, actor=actor, obj=locked, detail={"upheld": upheld})
    if upheld and locked.application.state == State.IN_NOTICE:
        application_transition(
            actor=actor,
            application=locked.application,
            action="return",
            comment=_("Objection upheld: %(resolution)s") % {"resolution": locked.resolution},
        )
    return locked
