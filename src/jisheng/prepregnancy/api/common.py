"""What every endpoint of the module shares: request bodies read after the scope check, and
the couple as the worklist lists it. (The caller, bounded ids: ``jisheng.core.api_helpers``;
the health duty is checked by the selectors and services.)

Actions on an existing record (``/followups/{id}/early`` …) read their JSON body only after
the record's scope is checked: a record outside the caller's area is 404 whatever is sent.
"""

import json
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.prepregnancy.models import TargetCouple
from jisheng.prepregnancy.selectors import couples as couple_selectors

Text200 = Field("", max_length=200)
Text500 = Field("", max_length=500)


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
    """The couple in the caller's area (403 without a health duty, 404 outside the area), as
    the worklist lists it."""
    return couple_selectors.couple_visible(user=actor.user, couple_id=couple_id)
