"""The demo's supervisor: a killed task worker comes back, and the web server never stops."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from jisheng.core.supervisor import Supervisor, SupervisorGaveUp


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for[T](check: Callable[[], T | None], *, timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _status(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test URL
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:
        return type(exc).__name__


def _worker_pid(parent: int) -> int | None:
    """The live `jisheng worker` child of ``parent``, found in /proc (not from our own log)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # the process ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid = fields[0], int(fields[1])
        if ppid == parent and state != "Z" and b"worker" in argv:
            return int(entry.name)
    return None


def test_killed_worker_comes_back_and_runs_a_queued_task_while_pages_answer(
    tmp_path: Path,
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/accounts/login/"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "JISHENG_KEY_FILE", "JISHENG_TASKS_IMMEDIATE"}
    }
    env.update(JISHENG_HOME=str(tmp_path / "home"), JISHENG_ENV="demo")
    cli = [sys.executable, "-m", "jisheng.cli"]
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(  # noqa: S603 - this interpreter running the jisheng command
            [*cli, "demo", "--persons", "10", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(
            lambda: True if _status(url) == 200 else None, timeout=120, what="the demo to serve"
        )
        first_worker = _wait_for(
            lambda: _worker_pid(demo.pid), timeout=10, what="the task worker to start"
        )

        statuses: list[int | str] = []
        stop = threading.Event()

        def keep_asking() -> None:
            while not stop.is_set():
                statuses.append(_status(url))
                stop.wait(0.1)

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            os.kill(first_worker, signal.SIGKILL)
            done = tmp_path / "task-ran"
            enqueue = (
                "from jisheng.testing.tasks import touch; "
                f"print(touch.enqueue(path={str(done)!r}).id)"
            )
            subprocess.run(  # noqa: S603 - this interpreter running the jisheng command
                [*cli, "shell", "-c", enqueue], env=env, check=True, capture_output=True
            )
            second_worker = _wait_for(
                lambda: pid if (pid := _worker_pid(demo.pid)) not in (None, first_worker) else None,
                timeout=30,
                what="a restarted worker",
            )
            _wait_for(
                lambda: True if done.exists() else None, timeout=30, what="the queued task to run"
            )
        finally:
            stop.set()
            asker.join()

        assert demo.poll() is None
        text = log.read_text(encoding="utf-8", errors="replace")
        assert f"task worker (pid {first_worker}) was killed by SIGKILL" in text
        assert f"task worker started (pid {second_worker})" in text
        assert len(statuses) >= 5
        assert set(statuses) == {200}, statuses
    finally:
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    assert _status(url) != 200  # the children stopped with the supervisor


def test_a_child_that_keeps_dying_at_once_is_restarted_with_growing_delays_then_given_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    supervisor = Supervisor(min_backoff=0.05, max_backoff=0.15)
    supervisor.add("crasher", [sys.executable, "-c", "raise SystemExit(3)"], give_up_after=3)
    supervisor.start()

    with caplog.at_level(logging.INFO, logger="jisheng.supervisor"):
        try:
            with pytest.raises(SupervisorGaveUp):
                supervisor.run(interval=0.02)
        finally:
            supervisor.stop()

    messages = [r.getMessage() for r in caplog.records]
    delays = [m.rsplit("restarting in ", 1)[1] for m in messages if "restarting in" in m]
    assert delays == ["0.05s", "0.1s", "0.15s"]
    assert "exited with code 3" in messages[-1]
    assert "giving up" in messages[-1]
    assert supervisor.children[0].restarts == 3
