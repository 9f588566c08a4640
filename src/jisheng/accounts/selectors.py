"""Account reads for the administrators' pages."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from jisheng.accounts.models import ApiToken, AuthenticatorDevice, User, UserRole
from jisheng.core.errors import Forbidden, NotFound
from jisheng.core.roles import Capability


def users_for_admin(actor: User) -> QuerySet[User]:
    """All accounts for the system or security administrator; nothing for anyone else."""
    if not (
        actor.has_capability(Capability.MANAGE_USERS)
        or actor.has_capability(Capability.MANAGE_ROLES)
    ):
        raise Forbidden()
    return (
        User.objects.select_related("org_unit")
        .prefetch_related(Prefetch("roles", queryset=UserRole.objects.order_by("role")))
        .annotate(
            has_second_factor=Exists(
                AuthenticatorDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
            )
        )
        .order_by("username")
    )


def user_for_admin(actor: User, user_id: int) -> User:
    user = users_for_admin(actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
