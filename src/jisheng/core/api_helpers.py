"""What every API endpoint shares: bounded record ids, required fields, the authenticated actor.

Endpoints only authenticate; services check capabilities and raise the project error,
which ``core.api`` turns into ``{code, message}`` JSON.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from ninja.params.functions import Path as PathParam

from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.pages import MAX_ID

# A record id from a caller, in a body or query (422 outside 1..2**63-1, never an overflow).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# The same bound for a path parameter (``/things/{thing_id}``).
PathId = Annotated[int, PathParam(ge=1, le=MAX_ID)]


# The highest page number: with at most a few hundred items a page, the offset stays far
# below what a database integer holds.
MAX_PAGE = 10**9


class Pages(PageNumberPagination):
    """``?page=&page_size=`` with both bounded (422 beyond), for ``@paginate(Pages)``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)


def api_actor(request: HttpRequest) -> Actor:
    """The caller as an :class:`Actor` (403 if not signed in); it checks no capability."""
    return Actor.from_request(request)


def required[T](value: T | None, field: str) -> T:
    """``value``, or a 400 ``invalid_input`` naming ``field``: for a field the request's kind
    needs although the schema lets it be left out."""
    if value is None:
        raise JishengError(
            _("The field %(field)s is missing.") % {"field": field}, code="invalid_input"
        )
    return value
