"""View guard: a page of a module answers 403 to roles that lack its capability."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from jisheng.accounts.models import User
from jisheng.accounts.roles import Capability
from jisheng.core.errors import Forbidden


def require_capability(
    capability: Capability,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_capability(capability):  # type: ignore[union-attr]
                raise Forbidden()
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request (the login middleware or API auth guarantees one)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Forbidden()
    return user
