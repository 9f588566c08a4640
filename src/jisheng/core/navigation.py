"""Menu entries: each app declares its own sections (``ModuleConfig.navigation``); the shell
shows what a role allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from jisheng.core.modules import declared_person_links, nav_sections
from jisheng.core.reversing import id_url
from jisheng.core.roles import Capability, Role

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
class MenuLink:
    label: str
    url: str
    url_name: str


@dataclass(frozen=True)
class MenuSection:
    label: str
    links: tuple[MenuLink, ...]


@dataclass(frozen=True)
class Menu:
    """The entries one role set may use, labelled in one language."""

    sections: tuple[MenuSection, ...]
    url_names: frozenset[str]


# What a menu depends on: NavLink.shown_to asks User.has_capability, which reads only
# is_active and the role set; labels depend on the language, addresses on the script prefix.
type MenuKey = tuple[bool, frozenset[Role], str | None, str]
_menus: dict[MenuKey, Menu] = {}
_menu_html: dict[tuple[MenuKey, str | None], SafeString] = {}


class ShellMenu:
    """The page shell's menu for one request: false when the user has no entry; as HTML,
    the menu with the current page's entries marked.

    Built once per role set, language and script prefix and rendered once per current page,
    then reused: it is the same for every request that shares them, and building and
    rendering it per request was most of a near-empty page's cost."""

    def __init__(self, user: User, active: str | None) -> None:
        self.key: MenuKey = (user.is_active, user.role_set, get_language(), get_script_prefix())
        menu = _menus.get(self.key)
        if menu is None:
            menu = _menus[self.key] = _menu_of(user)
        self.menu = menu
        # Pages outside the menu all show it unmarked: one rendering, not one per page.
        self.active = active if active in menu.url_names else None

    def __bool__(self) -> bool:
        return bool(self.menu.sections)

    def __html__(self) -> SafeString:
        html = _menu_html.get((self.key, self.active))
        if html is None:
            context = {"sections": self.menu.sections, "active": self.active}
            html = SafeString(render_to_string("core/_nav.html", context))
            _menu_html[self.key, self.active] = html
        return html

    __str__ = __html__


def _menu_of(user: User) -> Menu:
    sections = (
        MenuSection(
            str(section.label),
            tuple(
                MenuLink(str(link.label), reverse(link.url_name), link.url_name)
                for link in section.links
                if link.shown_to(user)
            ),
        )
        for section in nav_sections()
    )
    shown = tuple(section for section in sections if section.links)
    names = frozenset(link.url_name for section in shown for link in section.links)
    return Menu(shown, names)


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
            "url": id_url(link.url_name, person_id),
            "testid": link.url_name.replace(":", "-"),
        }
        for link in declared_person_links()
        if user.has_capability(link.capability)
    ]
