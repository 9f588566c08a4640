"""What every page's shell needs: the navigation the user's roles allow, the demo banner."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import MODULE_MENUS, NavLink, NavSection
from jisheng.core.roles import Capability

_BASE_NAVIGATION = (
    NavSection(_("Overview"), (NavLink(_("Home"), "reports:home", None),)),
    NavSection(
        _("Population registry"),
        (
            NavLink(_("Residents"), "registry:person_list", Capability.VIEW_PERSONAL),
            NavLink(_("Households"), "registry:household_list", Capability.VIEW_PERSONAL),
            NavLink(_("Possible duplicates"), "registry:duplicate_list", Capability.EDIT_REGISTRY),
        ),
    ),
)

_ACCOUNT_NAVIGATION = (
    NavSection(
        _("Administration"),
        (
            NavLink(_("Users"), "accounts:user_list", Capability.MANAGE_USERS),
            NavLink(_("Org units"), "core:org_units", Capability.MANAGE_USERS),
            NavLink(_("Roles"), "accounts:role_list", Capability.MANAGE_ROLES),
            NavLink(_("Audit trail"), "audit:search", Capability.VIEW_AUDIT),
        ),
    ),
    NavSection(
        _("My account"),
        (
            NavLink(_("Change password"), "accounts:password_change", None),
            NavLink(_("API tokens"), "accounts:token_list", None),
            NavLink(_("API documentation"), "api-1.0.0:openapi-view", None),
        ),
    ),
)


def _navigation() -> tuple[NavSection, ...]:
    modules = tuple(import_module(f"{name}.navigation").SECTION for name in MODULE_MENUS)
    return _BASE_NAVIGATION + modules + _ACCOUNT_NAVIGATION


NAVIGATION = _navigation()


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "is_demo": False}
    sections = []
    for section in NAVIGATION:
        links = [
            {
                "label": link.label,
                "url": reverse(link.url_name),
                "active": request.resolver_match is not None
                and request.resolver_match.view_name == link.url_name,
            }
            for link in section.links
            if link.capability is None or user.has_capability(link.capability)
        ]
        if links:
            sections.append({"label": section.label, "links": links})
    unit = getattr(user, "org_unit", None)
    return {"nav_sections": sections, "is_demo": bool(unit and unit.is_demo)}
