"""The worker's side of the outbox: a drain task woken when a message is queued, and again
when the earliest retry falls due."""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone

DRAIN_TASK_PATH = "jisheng.migrants.exchange.tasks.outbox_drain_task"


@task()
def outbox_drain_task() -> str:
    from jisheng.migrants.exchange import services

    result = services.outbox_drain()
    retry_at = services.next_retry_at()
    if retry_at is not None:
        schedule_drain(at=retry_at)
    return f"delivered {result.delivered}, refused {result.refused}, retried {result.retried}"


def schedule_drain(at: dt.datetime | None = None) -> None:
    """Queue a drain (at ``at``, or now) unless one is already waiting to run by then."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult, get_date_max

    by = at if at is not None and at > timezone.now() else timezone.now()
    # A task queued without a time carries the far-future marker, meaning "at once".
    waiting = DBTaskResult.objects.filter(task_path=DRAIN_TASK_PATH, status="READY").filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=by)
    )
    if waiting.exists():
        return
    if at is None or at <= timezone.now():
        outbox_drain_task.enqueue()
    else:
        outbox_drain_task.using(run_after=at).enqueue()


def maintain() -> None:
    """Every few minutes: drain whatever is due (a lost wake-up is caught here)."""
    from jisheng.migrants.exchange import services

    services.outbox_drain()
