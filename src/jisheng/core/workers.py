"""Which process runs a piece of work, whether it still lives, and the recovery of work
whose process died (``kill -9``, a power cut): run by the worker at start and periodically.

A process is named ``host:boot:pid:start`` (at most 64 characters, the task queue's limit).
On the same host that name is checked exactly: a different boot id, no such pid, or a pid
started at another time (reused) means the process is gone. Another host's process is
unknown; its work is judged by its heartbeat instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

DIED_MESSAGE = "The process running this task stopped (killed or restarted)."


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii")[:8]
    except OSError:
        return "-"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot; None when there is no such pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return "-"
    # The command name (field 2) may hold spaces; fields after its ')' are fixed.
    return stat.rsplit(")", 1)[1].split()[19]


@cache
def _host() -> str:
    return socket.gethostname()[:24]


def process_identity(pid: int | None = None) -> str:
    """This process (or ``pid``) as ``host:boot:pid:start``."""
    pid = pid or os.getpid()
    return f"{_host()}:{_boot_id()}:{pid}:{_start_time(pid) or '-'}"


def identity_alive(identity: str) -> bool | None:
    """Whether the process named ``identity`` still runs; None when it is on another host
    (or the name is not one of ours)."""
    parts = identity.rsplit(":", 3)
    if len(parts) != 4 or parts[0] != _host() or not parts[2].isdigit():
        return None
    host_boot, pid, start = parts[1], int(parts[2]), parts[3]
    if host_boot != _boot_id():
        return False
    found = _start_time(pid)
    if found is None:
        return False
    if start == "-" or found == "-":
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return found == start


def stale_before() -> dt.datetime:
    """Work on another host whose heartbeat is older than this is taken as dead."""
    minutes = getattr(settings, "JISHENG_STALE_TASK_MINUTES", 30)
    return timezone.now() - dt.timedelta(minutes=minutes)


def is_dead(identity: str, heartbeat: dt.datetime | None) -> bool:
    """The process ``identity`` is gone, or (elsewhere, unknown) silent for too long."""
    alive = identity_alive(identity) if identity else None
    if alive is not None:
        return not alive
    return heartbeat is not None and heartbeat < stale_before()


def maintain() -> None:
    """Fail the dead workers' tasks, then run every app's own recovery and purges."""
    from jisheng.core import modules

    fail_dead_tasks()
    for job in modules.maintenance_jobs():
        try:
            job()
        except Exception:  # one app's failing job must not stop the others or the worker
            logger.exception("maintenance job %s failed", getattr(job, "__name__", job))


def fail_dead_tasks() -> int:
    """Queue entries RUNNING under a worker of this host that is gone are marked FAILED;
    returns how many."""
    from django_tasks_db.models import DBTaskResult

    failed = 0
    running = DBTaskResult.objects.filter(status="RUNNING").only("id", "worker_ids", "started_at")
    for result in running:
        identity = result.worker_ids[-1] if result.worker_ids else ""
        # Only a worker known dead: a task has no heartbeat, and one elsewhere may run long.
        if identity_alive(identity) is not False:
            continue
        failed += DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="jisheng.core.workers.WorkerDied",
            traceback=f"{DIED_MESSAGE} worker={identity}",
        )
    if failed:
        logger.warning("marked %s task(s) of dead workers as failed", failed)
    return failed
