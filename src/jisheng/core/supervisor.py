"""A small process supervisor: keeps named child processes running, restarting the dead ones.

Used by `jisheng demo` for the web server and the task worker. A child that dies is started
again after a delay that doubles with each quick death (1 s, 2 s, 4 s … at most 30 s) and goes
back to the minimum once the child has run for a while; each death and restart is logged.
A child may be given a limit of quick deaths in a row, after which the supervisor gives up
(a web server that cannot bind its port will never come up, and should not loop for ever).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger("jisheng.supervisor")


class SupervisorGaveUp(RuntimeError):
    """A child died too often in a row right after starting."""


@dataclass
class Child:
    """One supervised command and its restart bookkeeping."""

    name: str
    argv: Sequence[str]
    env: dict[str, str] | None = None
    give_up_after: int | None = None  # quick deaths in a row; None: never give up
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None
    restarts: int = 0


@dataclass
class Supervisor:
    """Start children, notice deaths, restart them with backoff; stop them all on exit."""

    min_backoff: float = 1.0
    max_backoff: float = 30.0
    stable_after: float = 30.0  # a child that ran this long died "late": backoff resets
    clock: Callable[[], float] = time.monotonic
    children: list[Child] = field(default_factory=list)

    def add(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        give_up_after: int | None = None,
    ) -> Child:
        child = Child(name=name, argv=list(argv), env=env, give_up_after=give_up_after)
        self.children.append(child)
        return child

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def poll(self) -> None:
        """Restart children whose delay is over; schedule a restart for each new death."""
        now = self.clock()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._spawn(child)
                continue
            assert child.process is not None  # noqa: S101 - spawned or scheduled, never neither
            code = child.process.poll()
            if code is None:
                continue
            ran = now - child.started_at
            child.quick_deaths = child.quick_deaths + 1 if ran < self.stable_after else 1
            if child.give_up_after is not None and child.quick_deaths > child.give_up_after:
                logger.error(
                    "%s (pid %s) %s; %d quick deaths in a row, giving up",
                    child.name,
                    child.process.pid,
                    _describe(code),
                    child.quick_deaths,
                )
                raise SupervisorGaveUp(child.name)
            delay = min(self.max_backoff, self.min_backoff * 2 ** (child.quick_deaths - 1))
            logger.warning(
                "%s (pid %s) %s after %.1fs; restarting in %gs",
                child.name,
                child.process.pid,
                _describe(code),
                ran,
                delay,
            )
            child.restart_at = now + delay

    def run(self, interval: float = 0.5) -> None:
        """Supervise until interrupted (KeyboardInterrupt, SystemExit) or giving up."""
        while True:
            self.poll()
            time.sleep(interval)

    def stop(self, timeout: float = 20.0) -> None:
        """Ask every running child to stop (SIGTERM), then kill the ones that do not."""
        running = [
            c.process for c in self.children if c.process is not None and c.process.poll() is None
        ]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = self.clock() + timeout
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(child.argv, env=child.env)  # noqa: S603 - argv from code
        child.started_at = self.clock()
        child.restart_at = None
        logger.info("%s started (pid %s)", child.name, child.process.pid)


def _describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"
