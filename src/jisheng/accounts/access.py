"""What a signed-in user may do, resolved once per session instead of on every request.

Every page asks for the user's roles and the ids of the org units under theirs; read from
the database each time that is three queries before the view runs (roles, the unit, the
units below it). The answer is kept in the session together with ``User.access_version``,
which every change that could alter it moves forward (a role granted or revoked, an org
unit added). The user row is read on every request anyway, so a stale answer is noticed
at once and resolved again; nothing else is trusted from the session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse

from jisheng.accounts.models import User
from jisheng.core.prepared import Prepared
from jisheng.core.roles import Role

SESSION_KEY = "_access"


def access_changed(users: QuerySet[User] | None = None) -> None:
    """Make sessions resolve their access again: of ``users`` (a queryset), or of everyone."""
    queryset = User.objects.all() if users is None else users
    queryset.update(access_version=F("access_version") + 1)


def _resolved(user: User) -> dict[str, Any]:
    return {
        "version": user.access_version,
        "roles": sorted(role.value for role in user.role_set),
        "units": user.scope_unit_ids(),
    }


def apply_session_access(user: User, session: SessionBase) -> None:
    """Give ``user`` the roles and scope kept in ``session``, or resolve and keep them."""
    kept = session.get(SESSION_KEY)
    if isinstance(kept, dict) and kept.get("version") == user.access_version:
        user.__dict__["role_set"] = frozenset(Role(role) for role in kept["roles"])
        user._scope_unit_ids = list(kept["units"])
        return
    session[SESSION_KEY] = _resolved(user)


# Every signed-in request reads its user: the SQL is compiled once (core.prepared).
_USER = Prepared(lambda: User._default_manager.select_related("org_unit"), "pk")


class AccessBackend(ModelBackend):
    """The model backend, reading the user's org unit in the same query as the user."""

    def get_user(self, user_id: Any) -> User | None:
        user = _USER.first(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class SessionAccessMiddleware:
    """Resolves a signed-in user's access once per session (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            # request.user is a lazy proxy; the cached role set must land on the user itself.
            user = getattr(request.user, "_wrapped", request.user)
            if isinstance(user, User):
                apply_session_access(user, request.session)
        return self.get_response(request)
