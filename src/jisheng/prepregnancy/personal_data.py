"""Pre-pregnancy care's part of the subject-access report (health data: shown only to
holders of the health duty, as the module's own pages are)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.core.modules import DataSection
from jisheng.core.personal_data import section_of
from jisheng.core.roles import Capability
from jisheng.prepregnancy.models import Checkup, FollowUp, Pregnancy, TargetCouple
from jisheng.registry.models import Person


def personal_data(user: User, person: Person) -> list[DataSection]:
    """The couples ``person`` belongs to, their checkups, pregnancies and follow-ups."""
    if not user.has_capability(Capability.VIEW_HEALTH):
        return []
    couples = TargetCouple.objects.visible_to(user).filter(Q(husband=person) | Q(wife=person))
    return [
        section_of(
            key="prepregnancy.couple",
            title=_("Pre-pregnancy couples"),
            records=couples.select_related("husband", "wife").order_by("entered_on", "pk"),
            model=TargetCouple,
            fields=("husband", "wife", "source", "entered_on", "planning_since", "state"),
            health=True,
        ),
        section_of(
            key="prepregnancy.checkup",
            title=_("Checkups"),
            records=Checkup.objects.visible_to(user).filter(person=person).order_by("date", "pk"),
            model=Checkup,
            fields=("date", "institution", "items", "results", "risk_level", "advice"),
            health=True,
        ),
        section_of(
            key="prepregnancy.pregnancy",
            title=_("Pregnancies"),
            records=Pregnancy.objects.visible_to(user)
            .filter(Q(couple__in=couples) | Q(woman=person))
            .order_by("reported_on", "pk"),
            model=Pregnancy,
            fields=("reported_on", "last_period", "outcome", "outcome_date", "outcome_details"),
            health=True,
        ),
        section_of(
            key="prepregnancy.followup",
            title=_("Follow-ups"),
            records=FollowUp.objects.visible_to(user)
            .filter(Q(couple__in=couples) | Q(pregnancy__woman=person))
            .order_by("due_date", "pk"),
            model=FollowUp,
            fields=("kind", "due_date", "state", "done_on", "findings"),
            health=True,
        ),
    ]
