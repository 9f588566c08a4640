"""Find-eligible snapshots: who qualified for a program, evaluated once by the task worker.

The rule runs over a whole scope (170,000 residents of a street at 1M); pages read the
stored rows by their sort key instead of running it again for every page and count.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.benefits.models.programs import Program
from jisheng.core.models import OrgUnit, TaskProgress
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import Person

# ``TaskProgress.kind`` of a snapshot being taken: ``benefits_eligible_snapshot:<snapshot id>``.
SNAPSHOT_KIND = "benefits_eligible_snapshot"


class EligibleSnapshot(models.Model):
    """Who qualified for one program on one day in one unit's scope, as found at ``taken_at``.

    Its state is its progress's (queued, running, done, failed): one record of it, shared
    with every background task's bar. Stale once a life event in its scope was recorded after
    ``event_mark`` (see ``selectors.snapshot_stale``)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("qualifies on"))
    # The requesting user's unit: the rows are everyone in its scope who qualified.
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    progress = models.OneToOneField(TaskProgress, on_delete=models.PROTECT, related_name="+")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    # When the worker read the registry: the "data as of" time the page shows.
    taken_at = models.DateTimeField(_("data as of"), null=True, blank=True)
    # The registry's high-water mark: the highest life event id when the registry was read.
    event_mark = models.BigIntegerField(default=0)
    # The same for disability grades, a fact the rules test that is no life event.
    disability_mark = models.BigIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    objects = ScopedManager["EligibleSnapshot"]()
    scope_rule = ScopeRule(org_field="org_unit")

    class Meta:
        verbose_name = _("eligibility snapshot")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["program", "as_of", "org_unit", "-queued_at"],
                name="benefits_snapshot_latest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.as_of} {self.org_unit_id}"

    @property
    def state(self) -> str:
        return str(self.progress.state)

    @property
    def done(self) -> bool:
        return self.progress.state == TaskProgress.State.DONE


class EligibleSnapshotRow(models.Model):
    """One resident of a snapshot, with the key the page orders and seeks by."""

    snapshot = models.ForeignKey(EligibleSnapshot, on_delete=models.CASCADE, related_name="rows")
    # Derived data: a resident's record going takes their rows with it.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    # The sort key, copied so a page is one index range: community code, name, person id.
    community_code = models.CharField(max_length=15)
    name = models.CharField(max_length=50)
    # A couple program: the other spouse, listed on the same row.
    spouse_name = models.CharField(max_length=50, blank=True)

    objects = ScopedManager["EligibleSnapshotRow"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("eligibility snapshot row")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["snapshot", "community_code", "name", "person"],
                name="benefits_snapshot_seek",
            ),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["snapshot", "person"], name="benefits_snapshot_person_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id} {self.person_id}"
