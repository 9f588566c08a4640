"""Menu entries: each app declares its own sections (``ModuleConfig.navigation``); the shell
shows what a role allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise

from jisheng.core.modules import declared_person_links
from jisheng.core.roles import Capability

if TYPE_CHECKING:
    from jisheng.accounts.models import User


@dataclass(frozen=True)
class NavLink:
    """A menu entry, shown to holders of ``capability`` (any of them, for a tuple; None: all)."""

    label: str | Promise
    url_name: str
    capability: Capability | tuple[Capability, ...] | None

    def shown_to(self, user: User) -> bool:
        if self.capability is None:
            return True
        wanted = self.capability if isinstance(self.capability, tuple) else (self.capability,)
        return any(user.has_capability(capability) for capability in wanted)


@dataclass(frozen=True)
class NavSection:
    label: str | Promise
    links: tuple[NavLink, ...]


@dataclass(frozen=True)
class PersonLink:
    """A button on a resident's page leading to a module's page about that resident."""

    label: str | Promise
    url_name: str  # takes ``person_id``
    capability: Capability


def person_links(user: User, person_id: int) -> list[dict[str, str]]:
    """The buttons of every app (``navigation.PERSON_LINKS``) that the user's roles allow."""
    return [
        {
            "label": str(link.label),
            "url": reverse(link.url_name, kwargs={"person_id": person_id}),
            "testid": link.url_name.replace(":", "-"),
        }
        for link in declared_person_links()
        if user.has_capability(link.capability)
    ]
