"""The one permission check: a service calls :func:`require` before it acts.

Views and the API only authenticate (``request_user``, ``Actor.from_request``) and let the
service refuse; ``require_capability`` remains for pages that a role should not even see.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from jisheng.core.actors import Actor, CapableUser, request_user
from jisheng.core.errors import Forbidden
from jisheng.core.roles import Capability


def _user_of(who: Actor | CapableUser) -> CapableUser:
    return who.user if isinstance(who, Actor) else who


def may(who: Actor | CapableUser, capability: Capability | str) -> bool:
    """Whether the actor (or user) holds ``capability``: the check :func:`require` makes,
    also asked by pages before they show a button (``{% load permissions %}``)."""
    return _user_of(who).has_capability(Capability(capability))


def require(who: Actor | CapableUser, capability: Capability) -> None:
    """Raise :class:`Forbidden` unless the actor (or user) holds ``capability``."""
    if not may(who, capability):
        raise Forbidden()


def require_any(who: Actor | CapableUser, *capabilities: Capability) -> None:
    """Raise :class:`Forbidden` unless the actor (or user) holds one of ``capabilities``."""
    user = _user_of(who)
    if not any(user.has_capability(capability) for capability in capabilities):
        raise Forbidden()


def require_capability(
    *capabilities: Capability,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """View guard: a page of a module answers 403 to roles that hold none of ``capabilities``."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require_any(request_user(request), *capabilities)
            return view(request, *args, **kwargs)

        # Read by ``may_open`` (core.templatetags.permissions): a link or button to this
        # page is shown only to those who hold one of them.
        wrapped.required_capabilities = capabilities  # type: ignore[attr-defined]
        return wrapped

    return decorator
