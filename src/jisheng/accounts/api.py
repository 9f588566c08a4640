"""Accounts API: who am I, and the bearer-token auth every endpoint accepts."""

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer

from jisheng.accounts.models import User
from jisheng.accounts.services import token_user
from jisheng.core.actors import request_user

router = Router(tags=["accounts"])


class BearerToken(HttpBearer):
    """``Authorization: Bearer jst_…``: a personal API token (``AccountsConfig.api_auth``)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class MeOut(Schema):
    username: str
    full_name: str
    org_unit: str | None
    org_unit_code: str | None
    roles: list[str]


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> MeOut:
    user = request_user(request)
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        org_unit=user.org_unit.name if user.org_unit else None,
        org_unit_code=user.org_unit.code if user.org_unit else None,
        roles=sorted(user.role_set),
    )
