"""A resident's service status, gathered from the modules that serve them, for the answer to
another region's query (异地查询: "what is this person's service status with you?").

The migrants app answers the query but may not import the service apps; each service app
names ``status_of(person_id) -> list[ServiceStatus]`` in ``ModuleConfig.service_status`` and
:func:`service_status` collects them. With no service app installed the answer carries none.

Kept minimal on purpose (PIPL's minimum necessary, 最小必要): the answer leaves this
deployment for another region, which needs to know whether and since when the person is
served here, not their health record. So a line says which service, a short status and a
date, never findings, risk levels, pregnancies or notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.utils.module_loading import import_string

from jisheng.core.modules import module_configs


@dataclass(frozen=True)
class ServiceStatus:
    """One service's standing for one person: ``key`` names the line (``"<app>.<name>"``),
    ``label`` the service and ``status`` where it stands, both already in words; ``on`` the
    day that status dates from (None: nothing dated)."""

    key: str
    label: str
    status: str
    on: dt.date | None

    def as_json(self) -> dict[str, str | None]:
        return {
            "key": self.key,
            "label": self.label,
            "status": self.status,
            "on": self.on.isoformat() if self.on else None,
        }


StatusProvider = Callable[[int], list[ServiceStatus]]


@cache
def _providers() -> tuple[StatusProvider, ...]:
    return tuple(
        import_string(config.service_status) for config in module_configs() if config.service_status
    )


def service_status(person_id: int) -> list[ServiceStatus]:
    """Every installed service app's lines on the person, in ``INSTALLED_APPS`` order.

    Not scoped to a user: the deployment answers a registered peer's signed query, audited
    by the caller; the lines hold nothing beyond status and dates."""
    return [line for provider in _providers() for line in provider(person_id)]
