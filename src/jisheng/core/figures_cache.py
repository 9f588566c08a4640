"""Figures a page computes, kept in Django's cache under everything they depend on.

A chart, a standard form or a pivot answer over a user's area costs far more to compute (and
render) than to look up, and many people read the same figures between two refreshes. The key
holds what the figures depend on, so one user never gets another's:

- the page and its parameters (a form and its period, a pivot question);
- the viewer's area: their unit and every unit id below it (the scope ``visible_to`` uses);
- the viewer's capabilities (they decide which charts, links and columns are shown);
- ``personal``: the user themself, for what is their own (a worklist);
- the language and the local date (labels, "the last twelve months");
- ``version``: the figures' version, e.g. the rollups' "data as of" stamp, which every rollup
  refresh and rebuild moves forward, so a refresh shows the new figures at once.

``LIFETIME`` bounds how long anything is kept, so figures the version does not cover (counted
from live records: the sex-ratio chart, target scores, benefit payments) are at most that old.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast

from django.core.cache import cache
from django.utils import timezone, translation

from jisheng.core.roles import ROLE_CAPABILITIES

if TYPE_CHECKING:
    from jisheng.accounts.models import User

# Five minutes: the rollups' refresh interval, so live-counted figures lag no more than they do.
LIFETIME = 300
_MISSING = object()


def capabilities_of(user: User) -> list[str]:
    """The user's capabilities, sorted (none for an inactive user, as ``has_capability``)."""
    if not user.is_active:
        return []
    return sorted({str(c) for role in user.role_set for c in ROLE_CAPABILITIES[role]})


def _viewer(user: User) -> str:
    """The user's area and duties as a key part, worked out once per request's user."""
    found: str | None = getattr(user, "_figures_viewer", None)
    if found is None:
        found = "\n".join(
            [
                f"unit={user.org_unit_id}",
                f"scope={','.join(map(str, sorted(user.scope_unit_ids())))}",
                f"caps={','.join(capabilities_of(user))}",
            ]
        )
        user._figures_viewer = found  # type: ignore[attr-defined]
    return found


def figures_key(
    page: str,
    user: User,
    *,
    version: object,
    params: Iterable[tuple[str, object]] = (),
    personal: bool = False,
) -> str:
    """The cache key of ``page`` with ``params`` for ``user`` at ``version``."""
    parts = [
        page,
        repr(sorted((str(k), str(v)) for k, v in params)),
        _viewer(user),
        f"user={user.pk if personal else ''}",
        f"lang={translation.get_language()}",
        f"day={timezone.localdate().isoformat()}",
        f"version={version}",
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"figures:{page}:{digest}"


def cached_figures[T](
    page: str,
    user: User,
    build: Callable[[], T],
    *,
    version: object,
    params: Iterable[tuple[str, object]] = (),
    personal: bool = False,
    lifetime: int = LIFETIME,
) -> T:
    """``build()``'s result for this key: computed once, then read from the cache until the
    version, the day or anything else in the key changes, or ``lifetime`` seconds pass."""
    key = figures_key(page, user, version=version, params=params, personal=personal)
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = build()
        cache.set(key, found, lifetime)
    return cast(T, found)
