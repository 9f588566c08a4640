"""The organisation tree and the progress record of background tasks."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.scope import ScopedManager, ScopeRule


class OrgUnit(models.Model):
    """District → street → community (→ grid), keyed by its division code.

    ``path`` holds the codes from the root down (``/370404/370404002/``) so that
    "this unit and everything below it" is one indexed prefix match.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District")
        STREET = "street", _("Street")
        COMMUNITY = "community", _("Community")
        VILLAGE = "village", _("Village")
        GRID = "grid", _("Grid")

    LEVELS: ClassVar[dict[str, int]] = {
        "district": 0,
        "street": 1,
        "community": 2,
        "village": 2,
        "grid": 3,
    }

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("division code"), max_length=15, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = ScopedManager["OrgUnit"]()
    scope_rule = ScopeRule(org_field="id", personal=False)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering: ClassVar[list[str]] = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> int:
        return self.LEVELS[self.kind]

    @property
    def is_community(self) -> bool:
        return self.kind in {self.Kind.COMMUNITY, self.Kind.VILLAGE}


class TaskProgress(models.Model):
    """How far one background task has got, for the progress bar of the user who started it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=255, blank=True)
    result_file = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("task progress")

    def __str__(self) -> str:
        return f"{self.kind} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(100, int(self.done * 100 / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


class IdempotencyKey(models.Model):
    """A write already answered: the same key from the same user in the same scope gets the
    stored answer; the same key with a different request is refused (see core.idempotency)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=50)
    key = models.CharField(max_length=100)
    # SHA-256 of the request's canonical JSON, so a key reused for another request is refused.
    fingerprint = models.CharField(max_length=64)
    answer = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="core_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class CalendarDay(models.Model):
    """A day the year's holiday notice (国务院办公厅放假安排) moves: a public holiday, or a
    weekend made a working day (调休上班). Every other Monday to Friday is a working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up working day")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("holiday"), max_length=50)

    # The calendar is national and holds no personal data: every signed-in account may read it.
    objects = ScopedManager["CalendarDay"]()
    scope_rule = ScopeRule(org_field=None, personal=False)

    class Meta:
        verbose_name = _("calendar day")
        ordering: ClassVar[list[str]] = ["day"]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.name}"
