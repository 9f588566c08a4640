"""The roster (花名册): who uses which method since when, and how they fare.

Reproductive and health notes are encrypted at rest; the records need the health duty
(``VIEW_HEALTH``) to be seen at all, and every read of them is audited by the selectors.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.contraceptives.models.catalogue import DistributionPoint, Method
from jisheng.contraceptives.models.ledger import StockMove
from jisheng.core.fields import EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import Person


class StopReason(models.TextChoices):
    CHANGED_METHOD = "changed_method", _("Changed method")
    WANTS_PREGNANCY = "wants_pregnancy", _("Wishes to become pregnant")
    SIDE_EFFECTS = "side_effects", _("Side effects")
    NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed")
    MOVED_AWAY = "moved_away", _("Moved away")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered by mistake")
    OTHER = "other", _("Other")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class RosterEntry(models.Model):
    """One person using one method from ``start_date`` (to ``stop_date``, once stopped).

    A person has at most one open entry per method; the roster follows the person's
    current community: ``community`` and ``person_name`` are the person's, kept by the
    services that create entries and by ``person_moved`` when the registry moves or renames
    the person, so that scope and order read columns of the entry instead of joining every
    person in the area.
    ``notes`` (reproductive history, contraindications) is encrypted.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    # The roster is sorted by name: a copy of Person.name (same length), never edited here.
    person_name = models.CharField(_("name"), max_length=50)
    method = models.CharField(_("method"), max_length=24, choices=Method.choices)
    start_date = models.DateField(_("start date"))
    stop_date = models.DateField(_("stop date"), null=True, blank=True)
    stop_reason = models.CharField(
        _("stop reason"), max_length=20, choices=StopReason.choices, blank=True
    )
    point = models.ForeignKey(
        DistributionPoint,
        verbose_name=_("distribution point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = EncryptedTextField(_("health notes"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The issue that put the person on the roster, if one did: reversing it undoes the entry.
    first_supply = models.OneToOneField(
        StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["RosterEntry"]()
    scope_rule = ScopeRule(org_field="community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["person", "method"],
                condition=Q(stop_date__isnull=True),
                name="contraceptives_roster_one_open_per_method",
            ),
            models.CheckConstraint(
                condition=Q(stop_date__isnull=True) | Q(stop_date__gte=F("start_date")),
                name="contraceptives_roster_stop_after_start",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["method", "stop_date"], name="contraceptives_roster_method"),
            # The roster list: an area's entries, open ones only by default.
            models.Index(fields=["community", "stop_date"], name="contraceptives_roster_unit"),
            # The roster in its order within each community (the list walks communities
            # by path and each one's entries in this index, without sorting the area).
            models.Index(
                fields=["community", "stop_date", "person_name", "method", "id"],
                name="contraceptives_roster_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.method}"

    @property
    def is_active(self) -> bool:
        return self.stop_date is None


class RosterFollowUp(models.Model):
    """A follow-up visit or call: satisfaction, side effects (encrypted), notes (encrypted)."""

    entry = models.ForeignKey(RosterEntry, on_delete=models.PROTECT, related_name="follow_ups")
    date = models.DateField(_("date"))
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices)
    side_effects = EncryptedTextField(_("side effects"))
    notes = EncryptedTextField(_("notes"))
    # The method the person switched to at this follow-up, if any.
    switched_to = models.CharField(
        _("switched to"), max_length=24, choices=Method.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager["RosterFollowUp"]()
    scope_rule = ScopeRule(org_field="entry__community", capability=Capability.VIEW_HEALTH)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.entry_id} {self.date}"
