"""Addresses of pages that take integer ids, reversed once per name: ``reverse()`` walks the
URL resolver on every call, a noticeable part of rendering a page with many links."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Ids no table reaches, reversed in place of the real ones and found again in the address.
_STAND_INS = (918273645501, 918273645502, 918273645503)


@lru_cache(maxsize=512)
def _pieces(
    name: str, count: int, prefix: str, urlconf: str, language: str | None
) -> tuple[str, ...] | None:
    """The address of ``name`` cut where its ``count`` ids go; None if it cannot be cut so
    (``language``: a translated route would differ by language)."""
    try:
        rest = reverse(name, args=_STAND_INS[:count], urlconf=urlconf)
    except NoReverseMatch:
        return None  # a route whose converter takes no such id: reverse() decides each time
    pieces = []
    for stand_in in map(str, _STAND_INS[:count]):
        head, found, rest = rest.partition(stand_in)
        if not found or stand_in in rest or stand_in in head:
            return None
        pieces.append(head)
    return (*pieces, rest)


def id_url(name: str, *ids: int) -> str:
    """``reverse(name, args=ids)`` for ids that are non-negative integers, from the address
    reversed once per name, script prefix and URL configuration."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _address(name, ids, get_script_prefix(), urlconf, get_language())


def id_link(name: str) -> Callable[..., str]:
    """``id_url`` bound to ``name`` and to the request's language, script prefix and URL
    configuration, looked up once: ``link = id_link(name)``, then ``link(pk)`` for each row
    of a list (``core.rows``), where each ``id_url`` call would look them up again."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    prefix, language = get_script_prefix(), get_language()

    def link(*ids: int) -> str:
        return _address(name, ids, prefix, urlconf, language)

    return link


def _address(
    name: str, ids: tuple[int, ...], prefix: str, urlconf: str, language: str | None
) -> str:
    pieces = None
    if len(ids) <= len(_STAND_INS) and all(type(i) is int and i >= 0 for i in ids):
        pieces = _pieces(name, len(ids), prefix, urlconf, language)
    if pieces is None:
        return reverse(name, args=ids)
    parts = [pieces[0]]
    for value, piece in zip(ids, pieces[1:], strict=True):
        parts += (str(value), piece)
    return "".join(parts)
