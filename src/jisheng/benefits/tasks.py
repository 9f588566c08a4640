"""Background work of benefits: building payment batches, taking find-eligible snapshots."""

from __future__ import annotations

from django.tasks import task


@task()
def batch_build_task(
    *,
    progress_id: int,
    actor_id: int,
    ip: str | None,
    program_id: int,
    period_key: str,
    today: str,
    language: str | None = None,
) -> int:
    """Build a queued batch; its progress, the link to the batch or the refusal are kept by
    the service."""
    from jisheng.benefits.services.payments import batch_build_run  # the service queues this

    built = batch_build_run(
        progress_id=progress_id,
        actor_id=actor_id,
        ip=ip,
        program_id=program_id,
        period_key=period_key,
        today=today,
        language=language,
    )
    if built is None:
        raise RuntimeError(f"payment batch build {progress_id} was refused")
    return built.pk


@task()
def eligible_snapshot_task(*, snapshot_id: int, language: str | None = None) -> int:
    """Take a queued find-eligible snapshot; its progress and any refusal are kept by the
    service. Returns how many residents it lists."""
    from jisheng.benefits.services.snapshots import snapshot_take  # the service queues this

    taken = snapshot_take(snapshot_id=snapshot_id, language=language)
    if taken is None:
        raise RuntimeError(f"eligibility snapshot {snapshot_id} was refused")
    taken.refresh_from_db(fields=["total"])
    return taken.total
