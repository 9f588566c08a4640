"""The app's tables: the rollups (``reports.rollups.models``) and the pivot page's saved
questions (``reports.pivot.models``)."""

from jisheng.reports.pivot.models import SavedPivot
from jisheng.reports.rollups.models import RollupCell, RollupState

__all__ = ["RollupCell", "RollupState", "SavedPivot"]
