"""Two real jisheng instances on loopback for the exchange tests and the benchmark: each its
own instance folder and database (SQLite files; on PostgreSQL, two databases next to the
test database), a gunicorn server (`jisheng serve`) and a driver process
(``exchange_driver.py``) that acts inside the instance."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DRIVER = Path(__file__).with_name("exchange_driver.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin_sql(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


@dataclass
class Instance:
    name: str
    region: str
    home: Path
    port: int
    database_url: str | None
    # The host user's home and runtime folder, one for both instances (as when one account
    # runs two): where gunicorn puts its control socket by default, so where a shared one
    # would show.
    user_home: Path | None = None
    server: subprocess.Popen[bytes] | None = None
    driver: subprocess.Popen[str] | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("JISHENG_", "DJANGO_", "PYTEST_")) and key != "DATABASE_URL"
        }
        env.update(
            JISHENG_HOME=str(self.home),
            JISHENG_ENV="test",
            JISHENG_REGION_CODE=self.region,
            JISHENG_EXCHANGE_RETRY_SECONDS="0.2",
            JISHENG_EXCHANGE_RETRY_MAX_SECONDS="1",
            JISHENG_EXCHANGE_TIMEOUT_SECONDS="5",
            JISHENG_WORKERS="2",
            DJANGO_SETTINGS_MODULE="jisheng.settings",
            PYTHONPATH=str(ROOT / "src"),
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.user_home is not None:
            # Both places gunicorn would put its default control socket, one per host user.
            env["HOME"] = env["XDG_RUNTIME_DIR"] = str(self.user_home)
        return env

    def start_server(self) -> None:
        self.server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [str(BIN / "jisheng"), "serve", "--bind", f"127.0.0.1:{self.port}"],
            env=self.env(),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own group: killed with its workers
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/exchange/peer/ping", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.server.poll() is not None:
                raise RuntimeError(f"server {self.name} exited with {self.server.returncode}")
            time.sleep(0.2)
        raise RuntimeError(f"server {self.name} did not answer")

    def kill_server(self) -> None:
        """SIGKILL the server and its workers (the process group it was started in)."""
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()
        self.server = None

    def start_driver(self) -> None:
        self.driver = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [sys.executable, str(DRIVER)],
            env=self.env(),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        assert self.driver is not None
        assert self.driver.stdin
        assert self.driver.stdout
        self.driver.stdin.write(json.dumps({"call": name, "args": args, "kwargs": kwargs}) + "\n")
        self.driver.stdin.flush()
        line = self.driver.stdout.readline()
        if not line:
            raise RuntimeError(f"driver {self.name} stopped")
        answer = json.loads(line)
        if not answer["ok"]:
            raise RuntimeError(f"{self.name}.{name}: {answer['error']}")
        return answer["value"]

    def stop(self) -> None:
        self.kill_server()
        if self.driver is not None:
            assert self.driver.stdin is not None
            self.driver.stdin.close()
            self.driver.wait(timeout=30)
            self.driver = None


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(BIN / "jisheng"), "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=600
    )


def start_pair(base: Path, tag: str = "x") -> tuple[Instance, Instance]:
    """Instances A (region 370404) and B (370402), migrated, serving, driven, set up and
    registered with each other."""
    postgres = _postgres_url()
    user_home = base / "home"
    user_home.mkdir()
    a = Instance("A", "370404", base / "a", free_port(), None, user_home)
    b = Instance("B", "370402", base / "b", free_port(), None, user_home)
    if postgres:
        main = urlsplit(postgres).path.lstrip("/")
        names = (f"{main}_{tag}a", f"{main}_{tag}b")
        _admin_sql(postgres, *(f'DROP DATABASE IF EXISTS "{n}"' for n in names))
        _admin_sql(postgres, f'CREATE DATABASE "{names[0]}"')
        a.database_url, b.database_url = (_with_database(postgres, n) for n in names)
        _migrate(a.env())
        # The second database is a copy of the migrated first: one migration run, not two.
        _admin_sql(postgres, f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"')
    else:
        _migrate(a.env())
    # The field-encryption key goes with the copied database; the exchange keys do not exist
    # yet, so each instance makes its own on first use.
    shutil.copytree(a.home, b.home)
    for instance in (a, b):
        instance.start_driver()
        instance.info = instance.call("setup")
    for instance in (a, b):
        instance.start_server()
    a.call("add_peer", b.region, b.url, b.info["public_key"])
    b.call("add_peer", a.region, a.url, a.info["public_key"])
    return a, b


def control_sockets(folder: Path) -> list[Path]:
    """Gunicorn control sockets (``*.ctl``) anywhere under ``folder``."""
    return sorted(folder.rglob("*.ctl"))


def drop_pair(a: Instance, b: Instance) -> None:
    for instance in (a, b):
        instance.stop()
    postgres = _postgres_url()
    if postgres and a.database_url and b.database_url:
        names = [urlsplit(i.database_url).path.lstrip("/") for i in (a, b)]  # type: ignore[arg-type]
        _admin_sql(postgres, *(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names))
