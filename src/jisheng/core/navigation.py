"""Menu entries: each module declares its own section; the shell shows what a role allows."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise

from jisheng.core.roles import Capability

if TYPE_CHECKING:
    from jisheng.accounts.models import User

# Modules that bring their own menu section (``navigation.SECTION``), in menu order, and
# may offer links on a resident's page (``navigation.PERSON_LINKS``).
MODULE_MENUS = ("jisheng.benefits", "jisheng.prepregnancy", "jisheng.contraceptives")


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url_name: str
    capability: Capability | None


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
    links = []
    for name in MODULE_MENUS:
        for link in getattr(import_module(f"{name}.navigation"), "PERSON_LINKS", ()):
            if user.has_capability(link.capability):
                links.append(
                    {
                        "label": str(link.label),
                        "url": reverse(link.url_name, kwargs={"person_id": person_id}),
                        "testid": link.url_name.replace(":", "-"),
                    }
                )
    return links
