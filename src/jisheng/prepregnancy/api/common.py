"""What every endpoint of the module shares: the caller with a health duty, request bodies
read after the scope check, bounded ids.

Actions on an existing record (``/followups/{id}/early`` …) read their JSON body only after
the record's scope is checked: a record outside the caller's area is 404 whatever is sent.
"""

import json
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from jisheng.core.actors import Actor, client_ip, request_user
from jisheng.core.errors import Forbidden, JishengError
from jisheng.core.roles import Capability
from jisheng.prepregnancy.models import TargetCouple
from jisheng.prepregnancy.selectors import couples as couple_selectors

# A record id from a caller: positive and within a 64-bit database integer (SQLite raises
# OverflowError beyond it; the caller gets a 422 instead).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Text200 = Field("", max_length=200)
Text500 = Field("", max_length=500)


def health_actor(request: HttpRequest) -> Actor:
    """The caller, who must have a health duty (403 otherwise)."""
    user = request_user(request)
    if not user.has_capability(Capability.VIEW_HEALTH):
        raise Forbidden()
    return Actor(user=user, ip=client_ip(request))


def json_body(model: type[Schema]) -> dict[str, Any]:
    """OpenAPI for a body that the endpoint reads itself (see :func:`parse_body`)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def parse_body[S: Schema](request: HttpRequest, model: type[S]) -> S:
    """The request's JSON body as ``model``; 422 like any other invalid input."""
    try:
        data = json.loads(request.body or b"null")
    except ValueError as exc:
        raise JishengError("请求体不是有效的 JSON", code="invalid_input") from exc
    if not isinstance(data, dict):
        raise NinjaValidationError([{"loc": ["body"], "msg": "JSON object required"}])
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [{**error, "loc": ["body", *error["loc"]]} for error in exc.errors()]
        ) from exc


def couple_in_scope(actor: Actor, couple_id: int) -> TargetCouple:
    """The couple in the caller's area (404 otherwise), as the worklist lists it."""
    return couple_selectors.couple_visible(user=actor.user, couple_id=couple_id)
