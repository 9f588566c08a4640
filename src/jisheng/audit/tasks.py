"""Background export of the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.audit.selectors import audit_search
from jisheng.core import progress
from jisheng.core.exports import safe_cell

HEADER = ["时间(北京时间)", "用户", "角色", "IP", "操作", "对象类型", "对象ID", "结果", "详情"]
CHUNK = 1000


def _decode(filters: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(filters)
    for key in ("date_from", "date_to"):
        if decoded.get(key):
            decoded[key] = dt.date.fromisoformat(decoded[key])
    return decoded


@task()
def audit_export(*, progress_id: int, actor_id: int, filters: dict[str, Any]) -> None:
    try:
        actor = User.objects.get(pk=actor_id)
        events = audit_search(actor=actor, filters=_decode(filters))
        progress.progress_start(progress_id, total=events.count())
        relative = Path("exports") / f"审计日志-{progress_id}.csv"
        path = Path(settings.MEDIA_ROOT) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        # UTF-8 with BOM so that Excel on Chinese Windows opens it correctly.
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            batch = 0
            for event in events.iterator(chunk_size=CHUNK):
                writer.writerow(
                    [
                        safe_cell(v)
                        for v in (
                            timezone.localtime(event.at).isoformat(),
                            event.username,
                            event.roles,
                            event.ip,
                            event.action,
                            event.object_type,
                            event.object_id,
                            event.result,
                            event.detail,
                        )
                    ]
                )
                batch += 1
                if batch == CHUNK:
                    progress.progress_advance(progress_id, by=batch)
                    batch = 0
        progress.progress_finish(progress_id, result_file=str(relative))
    except Exception as exc:
        progress.progress_fail(progress_id, message=str(exc))
        raise
