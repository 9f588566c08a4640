"""Show an action only to those who may take it, asking core.permissions as the service does.

``{% if user|may:"approve_benefits" %}`` — the user holds the capability the service requires.
``{% may_open "benefits:batch_approve" batch.pk as can_approve %}`` — the user passes the
capability check of the page at that address (one of its ``require_capability``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, resolve, reverse

from jisheng.core import permissions

register = template.Library()


@register.filter
def may(user: Any, capability: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return permissions.may(user, capability)


def required_capabilities(url: str) -> tuple[str, ...] | None:
    """The capabilities of which the page at ``url`` requires one (None: no such check)."""
    func: Any = resolve(url.split("?", 1)[0]).func
    while func is not None:
        capabilities = getattr(func, "required_capabilities", None)
        if capabilities is not None:
            return tuple(str(capability) for capability in capabilities)
        func = getattr(func, "__wrapped__", None)
    return None


@register.simple_tag(takes_context=True)
def may_open(context: template.Context, view_name: str, *args: Any) -> bool:
    user = context.get("user")
    try:
        url = reverse(view_name, args=args)
    except NoReverseMatch:
        return False
    capabilities = required_capabilities(url)
    return capabilities is None or any(may(user, capability) for capability in capabilities)
