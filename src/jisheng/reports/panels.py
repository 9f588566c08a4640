"""Home-page panels: each module contributes what its users should see first (alerts, worklists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jisheng.accounts.models import User

# Modules with a ``panels.home_panels(user)`` function, in page order.
PANEL_MODULES = (
    "jisheng.audit",
    "jisheng.contraceptives",
    "jisheng.prepregnancy",
    "jisheng.benefits",
)


@dataclass(frozen=True)
class HomePanel:
    """One box on the home page: a template rendered with ``context``."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


def home_panels(user: User) -> list[HomePanel]:
    panels: list[HomePanel] = []
    for name in PANEL_MODULES:
        panels.extend(import_module(f"{name}.panels").home_panels(user))
    return panels
