"""Rollups: counts and sums kept per org unit × period × dimensions, read by the figures and
charts instead of the records themselves."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.models import OrgUnit
from jisheng.core.scope import ScopedManager, ScopeRule


class RollupCell(models.Model):
    """One figure: ``count`` (and ``amount``) of ``measure`` in ``unit`` for ``period`` and the
    values of up to four dimensions.

    ``period`` is ``"YYYY-MM"`` (a month), ``"YYYY"`` (a year) or ``""`` (the state now). The
    dimensions' meaning is the measure's (``rollups.measures``). Counts only: never a person.
    """

    measure = models.CharField(max_length=24)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7, blank=True)
    d1 = models.CharField(max_length=24, blank=True)
    d2 = models.CharField(max_length=24, blank=True)
    d3 = models.CharField(max_length=24, blank=True)
    d4 = models.CharField(max_length=24, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    objects = ScopedManager["RollupCell"]()
    # Counts over units: who may read figures of a unit is decided by the page (its duty).
    scope_rule = ScopeRule(org_field="unit", personal=False)

    class Meta:
        app_label = "reports"
        verbose_name = _("rollup figure")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["measure", "unit", "period"], name="reports_rollup_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.unit_id} {self.period} {self.count}"


class RollupState(models.Model):
    """How current the rollups are: one row (``key="rollups"``).

    ``as_of``: every change recorded before it is in the figures. ``cursors``: the last row
    id of each source the incremental refresh has read. ``rebuilt_at``: the last full rebuild.
    """

    key = models.CharField(max_length=24, unique=True)
    as_of = models.DateTimeField()
    rebuilt_at = models.DateTimeField()
    cursors = models.JSONField(default=dict)

    class Meta:
        app_label = "reports"
        verbose_name = _("rollup state")

    def __str__(self) -> str:
        return f"{self.key} {self.as_of:%Y-%m-%d %H:%M}"
