"""The JSON API: one NinjaAPI, the apps' auth (bearer tokens) or the page session, errors as
stable JSON, and every app's routers (``ModuleConfig.api_routers``)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie

from jisheng.core.errors import JishengError
from jisheng.core.modules import api_auth, api_routers
from jisheng.core.refusals import refusal_report


class PageSession(APIKeyCookie):
    """The signed-in page session also works, so the docs page can try calls."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return user if isinstance(user, get_user_model()) and user.is_authenticated else None


api = NinjaAPI(
    title="jisheng API",
    version="1.0.0",
    description="街道人口和家庭服务管理平台 API。错误统一为 {code, message}。",
    auth=[*api_auth(), PageSession()],
    urls_namespace="api-1.0.0",
    docs_url="/docs",
    # No validator badge: it would call an outside service from the intranet.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
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
    return _error(request, exc.status_code, "http_error", str(exc))


def register_routers() -> None:
    """Mount the routers every installed app declares on its AppConfig."""
    for prefix, router in api_routers():
        api.add_router(prefix, router)


register_routers()
