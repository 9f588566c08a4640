"""The service file (服务档案) of a target couple, the contacts made with it, SMS opt-outs."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Case, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import Marriage, Person


class CoupleSource(models.TextChoices):
    NEW_MARRIAGE = "new_marriage", _("Newly married")
    PLANNING = "planning", _("Planning a pregnancy")


class CoupleState(models.TextChoices):
    """Where a couple stands; derived from its records by ``rules.couple_state``."""

    TO_NOTIFY = "to_notify", _("To notify")
    NOTIFIED = "notified", _("Notified")
    APPOINTMENT = "appointment", _("Appointment made")
    ONE_CHECKED = "one_checked", _("One spouse checked")
    BOTH_CHECKED = "both_checked", _("Both checked")
    PREGNANT = "pregnant", _("Pregnant")
    OUTCOME = "outcome", _("Pregnancy outcome recorded")
    DECLINED = "declined", _("Declined")
    MOVED_OUT = "moved_out", _("Moved out")
    ENDED = "ended", _("Marriage ended")


# Work waiting first, finished and closed files last: the worklist's first sort key.
STATE_ORDER = (
    CoupleState.TO_NOTIFY,
    CoupleState.APPOINTMENT,
    CoupleState.ONE_CHECKED,
    CoupleState.NOTIFIED,
    CoupleState.PREGNANT,
    CoupleState.DECLINED,
    CoupleState.BOTH_CHECKED,
    CoupleState.OUTCOME,
    CoupleState.MOVED_OUT,
    CoupleState.ENDED,
)


class TargetCouple(models.Model):
    """One couple's service file: a target of the free pre-pregnancy checks.

    Owned by the wife's community, and it follows her when she moves within the registry:
    the checkups, the pregnancy and its follow-ups are services to her, and the husband
    may be registered in another community (or street) than the one that serves her.
    """

    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    husband = models.ForeignKey(
        Person, verbose_name=_("husband"), on_delete=models.PROTECT, related_name="+"
    )
    wife = models.ForeignKey(
        Person, verbose_name=_("wife"), on_delete=models.PROTECT, related_name="+"
    )
    # SET_NULL: reversing a marriage event deletes the Marriage row, and the registry must
    # never be blocked by this module; the file then shows the couple as "marriage ended".
    marriage = models.ForeignKey(
        Marriage,
        verbose_name=_("marriage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=16, choices=CoupleSource.choices)
    # The day the couple became a target: the marriage date, or the day a worker marked the
    # couple as planning a pregnancy. Indicators count couples by this date.
    entered_on = models.DateField(_("target since"), db_index=True)
    planning_since = models.DateField(_("planning a pregnancy since"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CoupleState.choices, default=CoupleState.TO_NOTIFY
    )
    # The day the file closed (moved out, marriage ended), from the registry event that closed
    # it; empty while it is served. Indicators of a period ending before it still count the
    # couple, so past figures do not change when a couple leaves later.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The worklist's order, on the row so that a page sorts and limits on an index instead
    # of grouping every couple of the area by its contacts: the latest contact's day (kept by
    # the contact services), waiting work first, then the latest contact or entry first.
    last_contact = models.DateField(_("last contact"), null=True, blank=True)
    state_rank = models.GeneratedField(
        expression=Case(
            *[When(state=state.value, then=Value(rank)) for rank, state in enumerate(STATE_ORDER)],
            default=Value(len(STATE_ORDER)),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    worklist_date = models.GeneratedField(
        expression=Coalesce("last_contact", "entered_on"),
        output_field=models.DateField(),
        db_persist=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager["TargetCouple"]()
    scope_rule = ScopeRule(org_field="community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("target couple")
        verbose_name_plural = _("target couples")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["husband", "wife"], name="prepregnancy_couple_unique"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "state"], name="prepregnancy_couple_state"),
            models.Index(fields=["community", "entered_on"], name="prepregnancy_couple_entered"),
            # The worklist (selectors.couples.couple_list) in its order, per community.
            models.Index(
                fields=["community", "state_rank", "-worklist_date", "id"],
                name="prepregnancy_couple_worklist",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.husband_id}+{self.wife_id}"

    def get_absolute_url(self) -> str:
        return reverse("prepregnancy:couple_detail", kwargs={"couple_id": self.pk})

    def spouse(self, which: str) -> Person:
        """The husband or the wife (``Spouse`` value)."""
        return self.wife if which == "wife" else self.husband


class ContactMethod(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Notice letter")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    APPOINTMENT = "appointment", _("Appointment made")
    DECLINED = "declined", _("Declined")
    NOT_REACHED = "not_reached", _("Not reached")
    # A text message's outcome is what the SMS backend did with it, not what the couple did.
    SMS_QUEUED = "sms_queued", _("Text message queued, not sent")
    SMS_SENT = "sms_sent", _("Text message sent")


# What a worker logs after a home visit, call or letter.
LOGGED_OUTCOMES = (
    ContactOutcome.REACHED,
    ContactOutcome.APPOINTMENT,
    ContactOutcome.DECLINED,
    ContactOutcome.NOT_REACHED,
)
# Contacts after which the couple has been told: a message still in the outbox tells no one.
TOLD_OUTCOMES = (
    ContactOutcome.REACHED,
    ContactOutcome.APPOINTMENT,
    ContactOutcome.DECLINED,
    ContactOutcome.SMS_SENT,
)


class Contact(models.Model):
    """One attempt to notify a couple (告知): a log row, never edited."""

    couple = models.ForeignKey(TargetCouple, on_delete=models.PROTECT, related_name="contacts")
    method = models.CharField(_("method"), max_length=16, choices=ContactMethod.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ContactOutcome.choices)
    date = models.DateField(_("date"))
    appointment_date = models.DateField(_("appointment date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Contact"]()
    scope_rule = ScopeRule(org_field="couple__community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["couple", "date"], name="prepregnancy_contact_couple"),
        ]

    def __str__(self) -> str:
        return f"{self.couple_id} {self.method} {self.date}"


class SmsOptOut(models.Model):
    """A resident who asked not to receive text messages from this programme.

    A row of its own, not a field on Person: the registry stays small (STYLE rule 10).
    """

    person = models.OneToOneField(
        Person, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["SmsOptOut"]()
    scope_rule = ScopeRule(org_field="person__community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("text message opt-out")

    def __str__(self) -> str:
        return str(self.person_id)


class WorklistRefresh(models.Model):
    """When the target couples of one org unit were last derived from the registry.

    Not personal data: a timestamp per unit. The task worker's maintenance derives a street
    again when a mark of its units is a day old (never the page while its user waits); the
    worklist page says how fresh it is.
    """

    unit = models.OneToOneField(
        OrgUnit, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    refreshed_at = models.DateTimeField(_("refreshed at"))

    objects = ScopedManager["WorklistRefresh"]()
    scope_rule = ScopeRule(org_field="unit", personal=False)

    class Meta:
        verbose_name = _("worklist refresh")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.refreshed_at:%Y-%m-%d %H:%M}"
