"""Who is acting: the signed-in user of a request and the :class:`Actor` passed into services.

Core imports no app at run time. The user model is ``settings.AUTH_USER_MODEL``
(``accounts.User``); it is named here for type checking only, and found at run time
through ``django.contrib.auth.get_user_model``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from jisheng.core.errors import Forbidden
from jisheng.core.roles import Capability

if TYPE_CHECKING:
    from jisheng.accounts.models import User


class CapableUser(Protocol):
    """What core needs of a user: whether they are active, their duties and their area."""

    pk: int
    is_active: bool

    @property
    def is_authenticated(self) -> bool: ...

    def has_capability(self, capability: Capability) -> bool: ...

    def scope_unit_ids(self) -> Iterable[int]: ...


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from where: passed from views, API and CLI into services."""

    user: User
    ip: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        return cls(user=request_user(request), ip=client_ip(request))


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. Behind a proxy, set the proxy to pass REMOTE_ADDR through."""
    return request.META.get("REMOTE_ADDR") or None


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request (the login middleware or API auth guarantees one)."""
    user = request.user
    if not isinstance(user, get_user_model()) or not user.is_authenticated:
        raise Forbidden()
    return user
