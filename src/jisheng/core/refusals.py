"""Refused requests (403, and 404: absent or out of scope, never said which), announced in
one place for pages and API. ``core`` sits below ``audit``, so the audit app subscribes here
(``AuditConfig.ready``) instead of being imported."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

RefusalListener = Callable[[HttpRequest, int], None]
_listeners: list[RefusalListener] = []


def refusal_listen(listener: RefusalListener) -> None:
    """Call ``listener(request, status)`` for every refused request."""
    if listener not in _listeners:
        _listeners.append(listener)


def refusal_report(request: HttpRequest, status: int) -> None:
    for listener in _listeners:
        listener(request, status)
