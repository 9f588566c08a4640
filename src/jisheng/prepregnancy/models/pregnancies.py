"""A pregnancy and its follow-ups: the platform's one pregnancy record.

Pre-pregnancy opens it for a target couple's wife; governance (综合治理) opens it for any woman
in scope (a floating woman, a clinic's report) and follows it to its outcome.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.fields import EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.prepregnancy.fields import EncryptedDateField
from jisheng.prepregnancy.models.checkups import TaskState
from jisheng.prepregnancy.models.couples import TargetCouple
from jisheng.registry.models import LifeEvent, Person


class Outcome(models.TextChoices):
    LIVE_BIRTH = "live_birth", _("Live birth")
    PRETERM = "preterm", _("Preterm birth")
    BIRTH_DEFECT = "birth_defect", _("Birth defect")
    MISCARRIAGE = "miscarriage", _("Miscarriage")
    INDUCED = "induced", _("Induced termination")
    STILLBIRTH = "stillbirth", _("Stillbirth")
    # The early follow-up found no pregnancy: the report is closed, the couple is served on.
    NOT_CONFIRMED = "not_confirmed", _("Pregnancy not confirmed")


# Outcomes in which a child was born alive: these may link to the registry's birth event.
LIVE_OUTCOMES = frozenset({Outcome.LIVE_BIRTH, Outcome.PRETERM, Outcome.BIRTH_DEFECT})


class PregnancySource(models.TextChoices):
    TARGET_COUPLE = "couple", _("Pre-pregnancy target couple")
    COMMUNITY = "community", _("Community report")
    CLINIC = "clinic", _("Clinic report")


class Pregnancy(models.Model):
    """A reported pregnancy of one woman; open until its outcome is recorded.

    Reproductive history is encrypted: the last period, the outcome (an ``Outcome`` value),
    its date and details (a JSON object: sex, weight, order and hospital of a live birth;
    weeks, medical reason, certifying institution and certificate of a termination). Plain
    are ``closed`` (so that "one open pregnancy per woman" can be a constraint) and
    ``expected_on`` (see there); the indicators count follow-ups, never outcomes.
    """

    # Set for pre-pregnancy's target couples only; governance follows any woman.
    couple = models.ForeignKey(
        TargetCouple,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pregnancies",
    )
    woman = models.ForeignKey(
        Person, verbose_name=_("woman"), on_delete=models.PROTECT, related_name="+"
    )
    # The community that serves her now (where she lives, registered or floating): the scope.
    # Her follow-ups hold a copy (FollowUp.of): a change here must reach them too.
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=PregnancySource.choices,
        default=PregnancySource.TARGET_COUPLE,
    )
    # Privacy trade-off: the expected date of delivery is a reproductive datum kept in plain
    # text, because the overdue list ("no outcome N weeks after the expected date") must be
    # one indexed range query over every open pregnancy of an area; an encrypted date would
    # mean decrypting them all on each request. It is kept only while the pregnancy is open
    # (cleared when the outcome is recorded), reads are scoped by VIEW_HEALTH like the rest,
    # and it gives no more than the last period does to within days.
    expected_on = models.DateField(_("expected date of delivery"), null=True, blank=True)
    reported_on = models.DateField(_("reported on"))
    last_period = EncryptedDateField(_("last menstrual period"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed = models.BooleanField(_("closed"), default=False)
    outcome = EncryptedTextField(_("outcome"))
    outcome_date = EncryptedDateField(_("date of outcome"))
    outcome_details = EncryptedTextField(_("outcome details"))
    # SET_NULL: registry events are never deleted today, but this module must not be the
    # reason one could not be.
    birth_event = models.OneToOneField(
        LifeEvent,
        verbose_name=_("registered birth"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Pregnancy"]()
    scope_rule = ScopeRule(org_field="community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("pregnancy")
        verbose_name_plural = _("pregnancies")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["couple"],
                condition=Q(closed=False),
                name="prepregnancy_one_open_pregnancy",
            ),
            models.UniqueConstraint(
                fields=["woman"],
                condition=Q(closed=False),
                name="prepregnancy_one_open_pregnancy_per_woman",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["closed", "expected_on"], name="prepregnancy_pregnancy_due"),
        ]

    def __str__(self) -> str:
        return f"{self.woman_id} {self.reported_on}"

    @property
    def is_open(self) -> bool:
        return not self.closed

    def get_outcome_display(self) -> str:
        """The outcome's label (the field is encrypted, so Django adds no such method)."""
        return str(Outcome(self.outcome).label) if self.outcome in Outcome.values else ""


class FollowUpKind(models.TextChoices):
    EARLY = "early", _("Early pregnancy")
    # Scheduled by governance only: pre-pregnancy's flow visits early and at the outcome.
    MIDDLE = "middle", _("Middle pregnancy")
    OUTCOME = "outcome", _("Pregnancy outcome")


class FollowUp(models.Model):
    """A follow-up visit due by a date, done once by a worker (早孕随访 / 妊娠结局随访)."""

    pregnancy = models.ForeignKey(Pregnancy, on_delete=models.PROTECT, related_name="followups")
    # Set when the pregnancy is a target couple's (pre-pregnancy's worklist shows only those).
    couple = models.ForeignKey(
        TargetCouple, null=True, blank=True, on_delete=models.PROTECT, related_name="followups"
    )
    # The pregnancy's community, copied when the follow-up is made (``FollowUp.of``): the scope
    # and a worker's own counts read it without joining the pregnancies of the whole area.
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("follow-up"), max_length=8, choices=FollowUpKind.choices)
    due_date = models.DateField(_("due date"), db_index=True)
    state = models.CharField(
        _("state"), max_length=8, choices=TaskState.choices, default=TaskState.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible worker"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    findings = EncryptedTextField(_("findings"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["FollowUp"]()
    scope_rule = ScopeRule(org_field="community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["pregnancy", "kind"], name="prepregnancy_followup_one_per_kind"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["state", "due_date"], name="prepregnancy_followup_due"),
            # A worker's own open tasks by due date, with their scope: the home page counts
            # them on every visit from this index alone.
            models.Index(
                fields=["assignee", "state", "due_date", "community"],
                name="prepregnancy_followup_own",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pregnancy_id} {self.kind} {self.due_date}"

    @classmethod
    def of(cls, pregnancy: Pregnancy, **fields: object) -> FollowUp:
        """A new follow-up of ``pregnancy`` (unsaved), in its community."""
        return cls(pregnancy=pregnancy, community_id=pregnancy.community_id, **fields)
