"""A favourite pivot question of one user: a name and the query string that asks it."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedPivot(models.Model):
    """The one table of the pivot page besides the rollups it reads: no figures, only the
    question. Each user sees only their own (``selectors.favourites``)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=40)
    query = models.CharField(_("question"), max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "reports"
        verbose_name = _("saved pivot")
        verbose_name_plural = _("saved pivots")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["owner", "name"], name="reports_pivot_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
