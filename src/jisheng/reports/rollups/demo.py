"""The demo's figures: counted once every app has seeded its records."""

from __future__ import annotations

import datetime as dt
import random

from jisheng.core.models import OrgUnit
from jisheng.reports.rollups.services import rollups_rebuild


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    """Rebuild the rollups (the reports app seeds after every domain app)."""
    rollups_rebuild()
