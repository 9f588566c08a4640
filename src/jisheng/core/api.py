"""The JSON API: one NinjaAPI, the apps' auth (bearer tokens) or the page session, errors as
stable JSON, and every app's routers (``ModuleConfig.api_routers``)."""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import APIKeyCookie
from ninja.types import DictStrAny

from jisheng.core.errors import JishengError
from jisheng.core.modules import api_auth, api_routers
from jisheng.core.refusals import refusal_report
from jisheng.core.text import clean_input

logger = logging.getLogger(__name__)

# What every operation may answer besides its success: the error body below. Listed in the
# document so that a client (and the fuzzing test) knows them.
ERROR_STATUSES = {
    "400": "请求被拒绝（数据不符合规则）",
    "401": "未登录或令牌无效",
    "403": "角色无此权限",
    "404": "记录不存在或不在辖区内",
    "409": "与现有数据冲突",
    "422": "请求格式不正确",
    "500": "服务器内部错误（已记录日志）",
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "code": {"type": "string", "title": "Code"},
        "message": {"type": "string", "title": "Message"},
        "errors": {"type": "array", "items": {"type": "object"}, "title": "Errors"},
    },
    "required": ["code", "message"],
}


class PageSession(APIKeyCookie):
    """The signed-in page session also works, so the docs page can try calls."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return user if isinstance(user, get_user_model()) and user.is_authenticated else None


class CleanParser(Parser):
    """JSON bodies, query strings and forms with every text value checked once
    (``core.text``): NFC, stripped, control characters refused."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        return clean_input(super().parse_body(request))  # type: ignore[no-any-return]

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> DictStrAny:
        return clean_input(super().parse_querydict(data, list_fields, request))  # type: ignore[no-any-return]


class JishengAPI(NinjaAPI):
    """The project's API: its document lists the error answers of every operation."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        body = {"schema": {"$ref": "#/components/schemas/Error"}}
        error = {"content": {"application/json": body}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                # A route may declare its own error body under an int status (400:
                # Schema); keys become strings, so one status is never listed twice (a JSON
                # object with the key twice breaks the docs page).
                responses = {str(k): v for k, v in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status, description in ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": description, **error})
        return schema


api = JishengAPI(
    title="jisheng API",
    version="1.0.0",
    description="街道人口和家庭服务管理平台 API。错误统一为 {code, message}。",
    auth=[*api_auth(), PageSession()],
    urls_namespace="api-1.0.0",
    docs_url="/docs",
    # No validator badge: it would call an outside service from the intranet.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
    parser=CleanParser(),
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(JishengError)
def on_jisheng_error(request: HttpRequest, exc: JishengError) -> HttpResponse:
    if exc.status in {403, 404}:
        refusal_report(request, exc.status)
    message = str(exc.message)
    return _error(request, exc.status, exc.code, message)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Pydantic echoes the rejected input; it may be an ID number, so it is dropped.
    errors = [
        {k: v for k, v in error.items() if k not in {"input", "ctx", "url"}} for error in exc.errors
    ]
    return _error(request, 422, "invalid_input", _("The request is not valid."), errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Sign in or send a valid API token."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    refusal_report(request, 404)
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    refusal_report(request, 403)
    return _error(request, 403, "forbidden", _("Your role does not allow this."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja wraps what the parser raised ("Cannot parse request body"): a refusal of the text
    # check keeps its own code; anything else unreadable gets a Chinese message.
    if isinstance(exc.__cause__, JishengError):
        return on_jisheng_error(request, exc.__cause__)
    if exc.status_code == 400:
        return _error(request, 400, "invalid_body", _("The request body is not valid JSON."))
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The last resort: the fault is logged with its traceback; the caller gets the same JSON
    # shape as every other error, never an HTML page.
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "server_error", _("Something went wrong; it has been logged."))


def register_routers() -> None:
    """Mount the routers every installed app declares on its AppConfig."""
    for prefix, router in api_routers():
        api.add_router(prefix, router)


register_routers()
