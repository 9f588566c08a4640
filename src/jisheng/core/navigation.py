"""Menu entries: each module declares its own section; the shell shows what a role allows."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from jisheng.accounts.roles import Capability


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url_name: str
    capability: Capability | None


@dataclass(frozen=True)
class NavSection:
    label: str | Promise
    links: tuple[NavLink, ...]
