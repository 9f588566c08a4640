"""`jisheng serve`: two instances on one host share nothing (gunicorn's per-user control
socket used to be taken over, then removed, by whichever instance stopped last)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # an HTTP answer of any kind: the server is up
    except OSError:
        return False


def _start(home: Path, instance: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "JISHENG_KEY_FILE", "JISHENG_TASKS_IMMEDIATE"}
    }
    env.update(HOME=str(home), JISHENG_HOME=str(instance), JISHENG_ENV="demo")
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - this interpreter running the jisheng command
            [
                sys.executable,
                "-m",
                "jisheng.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def test_two_instances_on_one_host_leave_no_shared_control_socket(tmp_path: Path) -> None:
    home = tmp_path / "home"  # the one user both instances run as
    home.mkdir()
    ports = [_free_port(), _free_port()]
    servers = [
        _start(home, tmp_path / f"instance{i}", port, tmp_path / f"serve{i}.log")
        for i, port in enumerate(ports)
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(_answers(port) for port in ports):
            assert time.monotonic() < deadline, "the servers did not start"
            time.sleep(0.2)
        servers[0].send_signal(signal.SIGTERM)
        servers[0].wait(timeout=30)

        assert _answers(ports[1])
        assert not (home / ".gunicorn").exists()
        assert "Control socket" not in (tmp_path / "serve1.log").read_text(errors="replace")
    finally:
        for server in servers:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
