"""The registry's closed records that the retention purge may delete (docs/retention.md)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from jisheng.core.modules import ClosedRecords
from jisheng.registry.models import DuplicateFlag


def _merged_flags(cutoff: dt.datetime) -> QuerySet[DuplicateFlag]:
    # A merged pair is one person now: the merge itself stays as a life event and in the
    # audit trail, so the flag is only a finished to-do. A "not a duplicate" decision is
    # kept: it is what stops the same pair from being flagged again.
    # Flags closed by the merge of another pair carry no resolution time of their own.
    return DuplicateFlag._base_manager.filter(
        Q(resolved_at__lt=cutoff) | Q(resolved_at__isnull=True, created_at__lt=cutoff),
        state=DuplicateFlag.State.MERGED,
    )


CLOSED_RECORDS = (ClosedRecords(key="merged_duplicate_flags", expired=_merged_flags),)
