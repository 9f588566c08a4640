"""The app's only tables are the rollups (``reports.rollups.models``)."""

from jisheng.reports.rollups.models import RollupCell, RollupState

__all__ = ["RollupCell", "RollupState"]
